import { lazy, Suspense, type ReactNode } from 'react';
import { createBrowserRouter } from 'react-router';
import { Layout } from './components/Layout';
import { Requires } from './components/Requires';

// Pages load on first visit, so the first load carries only the shell (and chart.js only the overview).
const Overview = lazy(() => import('./pages/Overview'));
const Hosts = lazy(() => import('./pages/Hosts'));
const HostPage = lazy(() => import('./pages/HostPage'));
const RunPage = lazy(() => import('./pages/RunPage'));
const Tasks = lazy(() => import('./pages/Tasks'));
const TaskPage = lazy(() => import('./pages/TaskPage'));
const Rollouts = lazy(() => import('./pages/Rollouts'));
const RolloutPage = lazy(() => import('./pages/RolloutPage'));
const Schedules = lazy(() => import('./pages/Schedules'));
const SchedulePage = lazy(() => import('./pages/SchedulePage'));
const Cluster = lazy(() => import('./pages/Cluster'));
const Admin = lazy(() => import('./pages/Admin'));

function page(node: ReactNode) {
  return <Suspense fallback={<p className="muted">Loading…</p>}>{node}</Suspense>;
}

export const router = createBrowserRouter([
  {
    path: '/',
    element: <Layout />,
    children: [
      { index: true, element: page(<Overview />) },
      { path: 'hosts', element: page(<Hosts />) },
      { path: 'hosts/:id', element: page(<HostPage />) },
      { path: 'run', element: page(<Requires role="operator" what="run tasks"><RunPage /></Requires>) },
      { path: 'tasks', element: page(<Tasks />) },
      { path: 'tasks/:id', element: page(<TaskPage />) },
      { path: 'rollouts', element: page(<Rollouts />) },
      { path: 'rollouts/:id', element: page(<RolloutPage />) },
      { path: 'schedules', element: page(<Schedules />) },
      { path: 'schedules/:id', element: page(<SchedulePage />) },
      { path: 'cluster', element: page(<Cluster />) },
      { path: 'admin', element: page(<Requires role="admin" unscoped what="manage tokens or read the audit log"><Admin /></Requires>) },
      { path: '*', element: <p role="alert">No page here.</p> },
    ],
  },
]);
