import { Link } from 'react-router';
import { useInfiniteQuery } from '@tanstack/react-query';
import { get, query, type Schemas } from '../api/client';
import { ProblemView } from '../components/ProblemView';
import { ago } from '../format';

/** Tasks, newest first, a page at a time. */
export default function Tasks() {
  const tasks = useInfiniteQuery({
    queryKey: ['tasks'],
    initialPageParam: null as string | null,
    queryFn: ({ pageParam, signal }) => get<Schemas['TaskPage']>('/api/v1/tasks' + query({ limit: 50, cursor: pageParam }), signal),
    getNextPageParam: (last) => last.next,
    refetchInterval: 5_000,
  });
  const rows = tasks.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <section>
      <h1>Tasks</h1>
      <ProblemView error={tasks.error} />
      <table className="grid">
        <thead><tr><th>Task</th><th>Kind</th><th>State</th><th>Target</th><th>Hosts</th><th>Succeeded</th><th>Failed</th><th>Created</th></tr></thead>
        <tbody>
          {rows.map((t) => (
            <tr key={t.id}>
              <td><Link to={`/tasks/${t.id}`} className="mono">{t.id.slice(0, 8)}</Link></td>
              <td>{t.kind}</td><td>{t.state}</td><td className="mono small">{JSON.stringify(t.target).slice(0, 80)}</td>
              <td>{t.total}</td><td>{t.counts.succeeded}</td><td>{t.counts.failed + t.counts.timed_out + t.counts.host_lost}</td>
              <td>{ago(t.createdAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {rows.length === 0 && tasks.isSuccess && <p className="muted">No tasks yet.</p>}
      {tasks.hasNextPage && <button type="button" onClick={() => tasks.fetchNextPage()}>Older tasks</button>}
    </section>
  );
}
