import { useState, type FormEvent } from 'react';
import { Link, useNavigate } from 'react-router';
import { useInfiniteQuery, useMutation } from '@tanstack/react-query';
import { get, query, send, type Schemas } from '../api/client';
import { useAllowed } from '../auth';
import { ProblemView } from '../components/ProblemView';
import { SelectorBox } from '../components/SelectorBox';
import { ago } from '../format';

export type RolloutSummary = Schemas['RolloutSummary'];
type Amount = Schemas['Amount'];

/** "1, 5, 25%" as the strategy's waves; a count or a percent each. */
export function parseAmounts(text: string): Amount[] | string {
  const parts = text.split(',').map((p) => p.trim()).filter(Boolean);
  if (parts.length === 0) {
    return 'give at least one wave, e.g. 1, 5, 25%';
  }
  const out: Amount[] = [];
  for (const part of parts) {
    if (/^\d+$/.test(part)) {
      out.push(Number(part));
    } else if (/^\d+\s*%$/.test(part)) {
      out.push(part.replace(/\s+/g, ''));
    } else {
      return `'${part}' is neither a count of hosts nor a percent such as 25%`;
    }
  }
  return out;
}

/** The rollout request the form describes, or what is wrong with it before any call. */
export function rolloutRequest(selector: string, command: string, waves: string, maxFailures: string, pause: number):
  { request: Schemas['RolloutRequest'] } | { error: string } {
  if (!selector.trim()) {
    return { error: 'a rollout needs a target selector' };
  }
  if (!command.trim()) {
    return { error: 'the command line is empty' };
  }
  const amounts = parseAmounts(waves);
  if (typeof amounts === 'string') {
    return { error: 'waves: ' + amounts };
  }
  const budget = parseAmounts(maxFailures);
  if (typeof budget === 'string' || budget.length !== 1) {
    return { error: 'failure budget: one count or percent, e.g. 0 or 5%' };
  }
  return {
    request: {
      target: { selector },
      kind: 'exec',
      // The document types a spec as any object; its fields depend on the kind.
      spec: { shell: command },
      timeoutSeconds: 300,
      dryRun: false,
      strategy: { waves: amounts, maxFailures: budget[0], pauseBetweenWavesSeconds: pause },
    },
  };
}

/** Rollouts, newest first, and (for operators) a form to start one. */
export default function Rollouts() {
  const operator = useAllowed('operator');
  const rollouts = useInfiniteQuery({
    queryKey: ['rollouts'],
    initialPageParam: null as string | null,
    queryFn: ({ pageParam, signal }) =>
      get<Schemas['RolloutPage']>('/api/v1/rollouts' + query({ limit: 50, cursor: pageParam }), signal),
    getNextPageParam: (last) => last.next,
    refetchInterval: 5_000,
  });
  const rows = rollouts.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <section>
      <h1>Rollouts</h1>
      {operator && <NewRollout />}
      <ProblemView error={rollouts.error} />
      <table className="grid">
        <thead><tr><th>Rollout</th><th>State</th><th>Kind</th><th>Target</th><th>Hosts</th><th>Strategy</th><th>Created</th><th>Finished</th></tr></thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.id} data-testid="rollout-row">
              <td><Link to={`/rollouts/${r.id}`} className="mono">{r.id.slice(0, 8)}</Link>{r.dryRun ? ' (dry run)' : ''}</td>
              <td><span className={`rollout ${r.state}`}>{r.state.replace('_', ' ')}</span></td>
              <td>{r.kind}</td>
              <td className="mono small">{JSON.stringify(r.target).slice(0, 60)}</td>
              <td>{r.total}</td>
              <td className="small">{strategyText(r.strategy)}</td>
              <td>{ago(r.createdAt)}</td><td>{r.finishedAt ? ago(r.finishedAt) : ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {rows.length === 0 && rollouts.isSuccess && <p className="muted">No rollouts yet.</p>}
      {rollouts.hasNextPage && <button type="button" onClick={() => rollouts.fetchNextPage()}>Older rollouts</button>}
    </section>
  );
}

/** A strategy in a few words: "waves 1, 5, 25% · budget 0". */
export function strategyText(s: Schemas['RolloutStrategy']): string {
  const parts = [];
  if (s.waves) parts.push('waves ' + s.waves.join(', '));
  if (s.window !== undefined) parts.push('window ' + s.window);
  if (s.canary) parts.push(`canary ${s.canary.hosts}${s.canary.approval === 'manual' ? ' (approve)' : ''}`);
  parts.push('budget ' + (s.maxFailures ?? 0));
  if (s.pauseBetweenWavesSeconds) parts.push(`${s.pauseBetweenWavesSeconds} s between waves`);
  return parts.join(' · ');
}

function NewRollout() {
  const navigate = useNavigate();
  const [open, setOpen] = useState(false);
  const [selector, setSelector] = useState('');
  const [command, setCommand] = useState('uptime');
  const [waves, setWaves] = useState('1, 25%');
  const [maxFailures, setMaxFailures] = useState('0');
  const [pause, setPause] = useState(0);
  const [local, setLocal] = useState<string | null>(null);
  const start = useMutation({
    mutationFn: (request: Schemas['RolloutRequest']) => send<Schemas['RolloutCreated'], Schemas['RolloutRequest']>('POST', '/api/v1/rollouts', request),
    onSuccess: (created) => navigate(`/rollouts/${created.id}`),
  });
  if (!open) {
    return <p><button type="button" className="primary" onClick={() => setOpen(true)}>New rollout</button></p>;
  }
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    const built = rolloutRequest(selector, command, waves, maxFailures, pause);
    if ('error' in built) {
      setLocal(built.error);
      return;
    }
    setLocal(null);
    start.mutate(built.request);
  };
  return (
    <form className="card form" onSubmit={onSubmit} aria-label="New rollout">
      <SelectorBox value={selector} onChange={setSelector} label="Target selector" />
      <label htmlFor="rollout-command">Command line (exec, run with /bin/sh -c)</label>
      <input id="rollout-command" className="mono" value={command} onChange={(e) => setCommand(e.target.value)} spellCheck={false} />
      <label htmlFor="rollout-waves">Waves (hosts or percent each; the last repeats)</label>
      <input id="rollout-waves" className="mono" value={waves} onChange={(e) => setWaves(e.target.value)} />
      <label htmlFor="rollout-budget">Failure budget over the whole rollout (hosts or percent)</label>
      <input id="rollout-budget" className="mono" value={maxFailures} onChange={(e) => setMaxFailures(e.target.value)} />
      <label htmlFor="rollout-pause">Pause between waves (seconds)</label>
      <input id="rollout-pause" type="number" min={0} value={pause} onChange={(e) => setPause(Number(e.target.value))} />
      {local && <p role="alert" className="problem">{local}</p>}
      <ProblemView error={start.error} />
      <div className="actions">
        <button type="button" onClick={() => setOpen(false)}>Cancel</button>
        <button type="submit" className="primary" disabled={start.isPending}>Start rollout</button>
      </div>
    </form>
  );
}
