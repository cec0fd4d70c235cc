import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { get, send, type Schemas } from '../api/client';
import { useAllowed } from '../auth';
import { Confirm } from '../components/Confirm';
import { ProblemView } from '../components/ProblemView';
import { ago } from '../format';
import { scheduleWhat } from './Schedules';

type Schedule = Schemas['Schedule'];

/** One schedule: its next ticks, the latest firings with what they created, pause/resume/delete. */
export default function SchedulePage() {
  const { id = '' } = useParams();
  const navigate = useNavigate();
  const client = useQueryClient();
  const operator = useAllowed('operator');
  const key = ['schedule', id];
  const schedule = useQuery({
    queryKey: key,
    queryFn: ({ signal }) => get<Schedule>(`/api/v1/schedules/${id}`, signal),
    refetchInterval: 10_000,
  });
  const [deleting, setDeleting] = useState(false);
  const act = useMutation({
    mutationFn: (action: 'pause' | 'resume') => send<Schedule>('POST', `/api/v1/schedules/${id}/${action}`),
    onSuccess: (view) => client.setQueryData(key, view),
  });
  const remove = useMutation({
    mutationFn: () => send<void>('DELETE', `/api/v1/schedules/${id}`),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: ['schedules'] });
      navigate('/schedules');
    },
  });
  if (schedule.error) {
    return <ProblemView error={schedule.error} />;
  }
  const s = schedule.data;
  if (!s) {
    return <p className="muted">Loading…</p>;
  }
  return (
    <section>
      <h1>{s.name} {s.paused && <span className="rollout paused" data-testid="schedule-paused">paused</span>}</h1>
      <p className="small">
        <span className="mono">{s.cron}</span> in {s.timezone} · {scheduleWhat(s)} · {s.concurrencyPolicy} while one runs ·
        catch-up {s.catchUp} · created {ago(s.createdAt)}{s.createdBy ? ` by ${s.createdBy}` : ''}
      </p>
      {operator && (
        <div className="actions left">
          <button type="button" onClick={() => act.mutate(s.paused ? 'resume' : 'pause')} disabled={act.isPending}>
            {s.paused ? 'Resume' : 'Pause'}
          </button>
          <button type="button" className="danger" onClick={() => { remove.reset(); setDeleting(true); }}>Delete</button>
        </div>
      )}
      <ProblemView error={act.error} />
      {deleting && (
        <Confirm title={`Delete schedule ${s.name}?`} confirmLabel="delete" busy={remove.isPending}
                 onConfirm={() => remove.mutate()} onCancel={() => setDeleting(false)}>
          <p>No tick fires any more. Tasks and rollouts it already created are kept and keep running.</p>
          <ProblemView error={remove.error} />
        </Confirm>
      )}
      <h2>Next ticks</h2>
      {s.paused || s.nextFirings.length === 0 ? <p className="muted">None while paused.</p> : (
        <ul className="plain">{s.nextFirings.map((t) => <li key={t}>{new Date(t).toLocaleString()}</li>)}</ul>
      )}
      <h2>Latest firings</h2>
      {s.firings.length === 0 ? <p className="muted">No tick has fired yet.</p> : (
        <table className="grid">
          <thead><tr><th>Tick</th><th>Outcome</th><th>Created</th><th>Reason</th><th>Member</th><th>Fired</th></tr></thead>
          <tbody>
            {s.firings.map((f) => (
              <tr key={f.tick}>
                <td>{new Date(f.tick).toLocaleString()}</td>
                <td><span className={`rollout ${f.outcome === 'fired' ? 'succeeded' : f.outcome === 'failed' ? 'failed' : 'paused'}`}>{f.outcome}</span></td>
                <td>
                  {f.taskId && <Link to={`/tasks/${f.taskId}`} className="mono">task {f.taskId.slice(0, 8)}</Link>}
                  {f.rolloutId && <Link to={`/rollouts/${f.rolloutId}`} className="mono">rollout {f.rolloutId.slice(0, 8)}</Link>}
                </td>
                <td className="small">{f.reason ?? ''}</td><td className="mono small">{f.firedBy}</td><td>{ago(f.firedAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
