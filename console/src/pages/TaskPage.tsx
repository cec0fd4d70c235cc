import { useState } from 'react';
import { useParams } from 'react-router';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { get, send, type RunCounts, type Task, type TaskProgress, type TaskWithSpec } from '../api/client';
import { useStream } from '../api/stream';
import { useAllowed } from '../auth';
import { ProblemView } from '../components/ProblemView';
import { StreamBadge } from '../components/StreamBadge';
import { ago } from '../format';
import { RunList } from './RunList';

const TERMINAL = ['succeeded', 'failed', 'completed', 'cancelled'];
const STATES: (keyof RunCounts)[] = ['pending', 'running', 'succeeded', 'failed', 'timed_out', 'cancelled', 'host_lost'];

/** Follows the task's server-sent progress (GET .../events, with the token in the header), reconnecting after a break. */
function useProgress(id: string, onChange: () => void) {
  const [progress, setProgress] = useState<TaskProgress | null>(null);
  const status = useStream(`/api/v1/tasks/${id}/events`, (event) => {
    if (event.event === 'progress') {
      setProgress(JSON.parse(event.data) as TaskProgress);
      onChange();
    } else if (event.event === 'done') {
      onChange();
    }
  }, (event) => event.event === 'done');
  return { progress, status };
}

/** One task: its live progress, per-host output as it comes in, cancel. */
export default function TaskPage() {
  const { id = '' } = useParams();
  const client = useQueryClient();
  const operator = useAllowed('operator');
  const task = useQuery({ queryKey: ['task', id], queryFn: ({ signal }) => get<TaskWithSpec>(`/api/v1/tasks/${id}`, signal) });
  const [stateFilter, setStateFilter] = useState('');
  const { progress, status } = useProgress(id, () => {
    void client.invalidateQueries({ queryKey: ['task', id] });
  });
  const cancel = useMutation({
    mutationFn: () => send<Task>('POST', `/api/v1/tasks/${id}/cancel`),
    onSuccess: () => client.invalidateQueries({ queryKey: ['task', id] }),
  });
  if (task.error) {
    return <section><h1>Task</h1><ProblemView error={task.error} /></section>;
  }
  const t = task.data;
  if (!t) {
    return <p className="muted">Loading…</p>;
  }
  const counts = progress?.counts ?? t.counts;
  const state = progress?.state ?? t.state;
  const total = progress?.total ?? t.total;
  const finished = total - counts.pending - counts.running;
  return (
    <section>
      <h1>Task <span className="mono">{t.id.slice(0, 8)}</span></h1>
      <p>
        <strong data-testid="task-state">{state}</strong> · {t.kind} on {JSON.stringify(t.target)} · created {ago(t.createdAt)}
        {t.dryRun && ' · dry run'} · {TERMINAL.includes(state) && !status.problem ? <span className="state">finished</span> : <StreamBadge status={status} />}
      </p>
      {/* A refused stream (403, 404) is not retried: its problem is shown as the API said it. */}
      <ProblemView error={status.problem} />
      <pre className="mono small">{JSON.stringify(t.spec)}</pre>
      <div className="progress" role="progressbar" aria-valuemin={0} aria-valuemax={total} aria-valuenow={finished}
           aria-label="Runs finished">
        {STATES.filter((s) => counts[s] > 0).map((s) => (
          <span key={s} className={`seg ${s}`} style={{ flexGrow: counts[s] }} title={`${s}: ${counts[s]}`} />
        ))}
      </div>
      <p data-testid="task-counts">
        {finished} of {total} finished · {STATES.filter((s) => counts[s] > 0).map((s) => `${s} ${counts[s]}`).join(' · ')}
      </p>
      {operator && !TERMINAL.includes(state) && (
        <button type="button" onClick={() => cancel.mutate()} disabled={cancel.isPending}>Cancel task</button>
      )}
      <ProblemView error={cancel.error} />
      <h2>Runs</h2>
      <label htmlFor="run-state">State</label>{' '}
      <select id="run-state" value={stateFilter} onChange={(e) => setStateFilter(e.target.value)}>
        <option value="">all</option>
        {STATES.map((s) => <option key={s} value={s}>{s}</option>)}
      </select>
      {/* The runs' output moves while the task is open; once finished, a last read and no more polls. */}
      <RunList taskId={id} state={stateFilter} open={!TERMINAL.includes(state)} />
    </section>
  );
}
