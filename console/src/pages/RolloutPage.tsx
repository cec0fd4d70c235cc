import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { get, send, type Schemas } from '../api/client';
import { useStream } from '../api/stream';
import { useAllowed } from '../auth';
import { Confirm } from '../components/Confirm';
import { ProblemView } from '../components/ProblemView';
import { StreamBadge } from '../components/StreamBadge';
import { ago } from '../format';
import { strategyText } from './Rollouts';

export type Rollout = Schemas['Rollout'];
type Counts = Rollout['counts'];

/** Host progress in the order a wave's bar draws it, with its colour class. */
export const PROGRESS = ['succeeded', 'failed', 'running', 'awaiting_health', 'checking', 'skipped', 'planned'] as const;
const OVER = ['succeeded', 'aborted', 'failed'];

type Action = 'pause' | 'resume' | 'abort';
/** What each action does, as its confirmation says it; which states allow it (RolloutState in the scheduler). */
export const ROLLOUT_ACTIONS: Record<Action, { from: string[]; says: (r: Rollout) => string }> = {
  pause: {
    from: ['running', 'waiting_approval'],
    says: () => 'No new hosts start; hosts already running finish and count. Resume continues where it stopped.',
  },
  resume: {
    from: ['paused', 'waiting_approval', 'halted'],
    says: (r) => r.state === 'waiting_approval' ? 'The canary is approved: the next waves start.'
      : r.state === 'halted' ? 'The rollout continues; it is refused while the failures exceed the budget (raise the budget first).'
        : 'The rollout continues with its next hosts.',
  },
  abort: {
    from: ['running', 'waiting_approval', 'paused', 'halted'],
    says: (r) => `No more hosts start, and this cannot be undone; ${r.counts.planned ?? 0} planned hosts are never touched.`
      + (r.onFailure ? ' The on-failure action is not run by an abort.' : ''),
  },
};

/** The actions a rollout in {@code state} allows. */
export function actionsFor(state: string): Action[] {
  return (Object.keys(ROLLOUT_ACTIONS) as Action[]).filter((a) => ROLLOUT_ACTIONS[a].from.includes(state));
}

/** One rollout, live: its waves drawn with their hosts' progress, the failure budget, its steps, pause/resume/abort. */
export default function RolloutPage() {
  const { id = '' } = useParams();
  const client = useQueryClient();
  const operator = useAllowed('operator');
  const key = ['rollout', id];
  const rollout = useQuery({ queryKey: key, queryFn: ({ signal }) => get<Rollout>(`/api/v1/rollouts/${id}`, signal) });
  const over = OVER.includes(rollout.data?.state ?? '');
  // The stream sends the whole rollout whenever it changes, then "done" once it cannot change any more.
  const stream = useStream(rollout.data && !over ? `/api/v1/rollouts/${id}/events` : null, (event) => {
    if (event.event === 'progress' || event.event === 'done') {
      const view = JSON.parse(event.data) as Rollout;
      if (view.id) {
        client.setQueryData(key, view);
      }
    }
  }, (event) => event.event === 'done');
  const [pending, setPending] = useState<Action | null>(null);
  const action = useMutation({
    mutationFn: (a: Action) => send<Rollout>('POST', `/api/v1/rollouts/${id}/${a}`),
    onSuccess: (view) => {
      client.setQueryData(key, view);
      setPending(null);
    },
  });

  if (rollout.error) {
    return <ProblemView error={rollout.error} />;
  }
  const r = rollout.data;
  if (!r) {
    return <p className="muted">Loading…</p>;
  }
  const allowed = operator ? actionsFor(r.state) : [];
  const budget = r.failureBudget;
  return (
    <section>
      <h1>
        Rollout <span className="mono">{r.id.slice(0, 8)}</span>{' '}
        <span className={`rollout ${r.state}`} data-testid="rollout-state">{r.state.replace('_', ' ')}</span>
        {!over && <StreamBadge status={stream} />}
      </h1>
      {r.reason && <p className="muted" data-testid="rollout-reason">{r.reason}</p>}
      <p className="small">
        {r.kind} on <span className="mono">{JSON.stringify(r.target)}</span> · {r.total} hosts · {strategyText(r.strategy)}
        {r.dryRun && ' · dry run'} · created {ago(r.createdAt)}{r.finishedAt && ` · finished ${ago(r.finishedAt)}`}
      </p>
      {allowed.length > 0 && (
        <div className="actions left">
          {allowed.map((a) => (
            <button key={a} type="button" className={a === 'abort' ? 'danger' : ''} onClick={() => { action.reset(); setPending(a); }}>
              {a === 'resume' && r.state === 'waiting_approval' ? 'Approve canary' : a[0].toUpperCase() + a.slice(1)}
            </button>
          ))}
        </div>
      )}
      {pending && (
        <Confirm title={`${pending} rollout ${r.id.slice(0, 8)}?`} confirmLabel={pending} busy={action.isPending}
                 onConfirm={() => action.mutate(pending)} onCancel={() => setPending(null)}>
          <p>{ROLLOUT_ACTIONS[pending].says(r)}</p>
          <ProblemView error={action.error} />
        </Confirm>
      )}

      <h2>Failure budget</h2>
      <div className="budget" data-testid="budget">
        <meter min={0} max={Math.max(budget.allowed, 1)} value={budget.used} high={Math.max(budget.allowed, 1) * 0.75}
               optimum={0} aria-label="failure budget used" />
        <span>{budget.used} of {budget.allowed} failures allowed used{budget.used > budget.allowed ? ' — exceeded' : ''}</span>
      </div>

      <h2>Hosts</h2>
      <ProgressBar counts={r.counts} total={r.total} label="all hosts" />
      <Legend />

      <h2>Waves</h2>
      <ol className="waves" data-testid="waves">
        {r.waves.map((w) => (
          <li key={w.wave} className={`wave ${w.state}`} data-testid="wave">
            <span className="wave-name">
              {w.wave === 0 && r.strategy.canary ? 'Canary' : `Wave ${w.wave + (r.strategy.canary ? 0 : 1)}`}
            </span>
            <span className={`wave-state ${w.state}`}>{w.state}</span>
            <span className="wave-hosts">{w.hosts} {w.hosts === 1 ? 'host' : 'hosts'}</span>
            <ProgressBar counts={w.counts} total={w.hosts} label={`wave ${w.wave}`} />
          </li>
        ))}
      </ol>

      <h2>Steps</h2>
      {r.steps.length === 0 ? <p className="muted">No step has started.</p> : (
        <table className="grid">
          <thead><tr><th>Step</th><th>Kind</th><th>Wave</th><th>Hosts</th><th>Task</th><th>Recorded</th></tr></thead>
          <tbody>
            {r.steps.map((s) => (
              <tr key={s.step}>
                <td>{s.step}</td><td>{s.kind}</td><td>{s.wave ?? ''}</td><td>{s.hosts}</td>
                <td><Link to={`/tasks/${s.taskId}`} className="mono">{s.taskId.slice(0, 8)}</Link></td>
                <td>{ago(s.recordedAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

/** A stacked bar of host progress, each part titled with its count. */
export function ProgressBar({ counts, total, label }: { counts: Counts; total: number; label: string }) {
  const width = (n: number) => (total > 0 ? (100 * n) / total : 0);
  const parts = PROGRESS.map((p) => [p, counts[p] ?? 0] as const).filter(([, n]) => n > 0);
  return (
    <div className="progress" role="img"
         aria-label={`${label}: ` + (parts.map(([p, n]) => `${n} ${p.replace('_', ' ')}`).join(', ') || 'no hosts')}>
      {parts.map(([p, n]) => (
        <span key={p} className={`part ${p}`} style={{ width: `${width(n)}%` }} title={`${n} ${p.replace('_', ' ')}`}>
          {width(n) >= 8 ? n : ''}
        </span>
      ))}
    </div>
  );
}

function Legend() {
  return (
    <p className="legend small">
      {PROGRESS.map((p) => <span key={p}><span className={`swatch ${p}`} /> {p.replace('_', ' ')}</span>)}
    </p>
  );
}
