import { useState, useSyncExternalStore } from 'react';
import { NavLink, Outlet } from 'react-router';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { connection, get, ProblemError, session, type Whoami } from '../api/client';
import { allows, CallerContext, mayAdminister } from '../auth';
import { ProblemView } from './ProblemView';
import { SignIn } from '../pages/SignIn';

/** The frame of every page: who is signed in, the navigation, a banner while the controller is unreachable. */
export function Layout() {
  const [token, setToken] = useState(session.token());
  const client = useQueryClient();
  const online = useSyncExternalStore(connection.subscribe, connection.connected);
  const caller = useQuery({
    queryKey: ['whoami', token],
    queryFn: ({ signal }) => get<Whoami>('/api/v1/whoami', signal),
    enabled: token !== null,
    staleTime: 60_000,
  });
  const signOut = (reason?: string) => {
    session.signOut();
    client.clear();
    setToken(null);
    setRefusal(reason ?? null);
  };
  const [refusal, setRefusal] = useState<string | null>(null);

  if (token === null) {
    return <SignIn reason={refusal} onSignedIn={(t) => { session.signIn(t); setToken(t); setRefusal(null); }} />;
  }
  if (caller.error instanceof ProblemError && caller.error.status === 401) {
    return <SignIn reason={caller.error.message} onSignedIn={(t) => { session.signIn(t); client.clear(); setToken(t); }} />;
  }
  if (!caller.data) {
    return (
      <main className="center">
        {caller.error ? <ProblemView error={caller.error} /> : <p className="muted">Signing in…</p>}
        {!online && <p role="status" className="banner">Connection to the controller lost; retrying…</p>}
      </main>
    );
  }
  const me = caller.data;
  return (
    <CallerContext.Provider value={me}>
      <header className="top">
        <span className="brand">Muster</span>
        <nav aria-label="Main">
          <NavLink to="/" end>Overview</NavLink>
          <NavLink to="/hosts">Hosts</NavLink>
          {allows(me.role, 'operator') && <NavLink to="/run">Run</NavLink>}
          <NavLink to="/tasks">Tasks</NavLink>
          {/* Rollouts and schedules span whatever their target matches: the API refuses scoped tokens. */}
          {!me.scope && <NavLink to="/rollouts">Rollouts</NavLink>}
          {!me.scope && <NavLink to="/schedules">Schedules</NavLink>}
          <NavLink to="/cluster">Cluster</NavLink>
          {mayAdminister(me) && <NavLink to="/admin">Admin</NavLink>}
        </nav>
        <span className="who" data-testid="who">
          {me.name} · {me.role}{me.scope ? ` · scope ${me.scope}` : ''}
        </span>
        <button type="button" onClick={() => signOut()}>Sign out</button>
      </header>
      {!online && (
        <p role="status" className="banner">Connection to the controller lost; retrying…</p>
      )}
      <main>
        <Outlet />
      </main>
    </CallerContext.Provider>
  );
}
