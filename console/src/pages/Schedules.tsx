import { useState, type FormEvent } from 'react';
import { Link, useNavigate } from 'react-router';
import { useInfiniteQuery, useMutation } from '@tanstack/react-query';
import { get, query, send, type Schemas } from '../api/client';
import { useAllowed } from '../auth';
import { ProblemView } from '../components/ProblemView';
import { SelectorBox } from '../components/SelectorBox';

export type ScheduleSummary = Schemas['ScheduleSummary'];

/** What a schedule's tick creates, in a few words. */
export function scheduleWhat(s: { task?: Record<string, unknown>; rollout?: Record<string, unknown> }): string {
  const body = (s.task ?? s.rollout ?? {}) as { kind?: string; target?: unknown; spec?: { shell?: string; command?: string[] } };
  const spec = body.spec?.shell ?? body.spec?.command?.join(' ') ?? '';
  return `${s.rollout ? 'rollout' : 'task'} ${body.kind ?? ''} ${spec} on ${JSON.stringify(body.target ?? {})}`.replace(/\s+/g, ' ');
}

/** The schedule request the form describes (an exec task on a selector), or what is wrong before any call. */
export function scheduleRequest(name: string, cron: string, timezone: string, selector: string, command: string):
  { request: Schemas['ScheduleRequest'] } | { error: string } {
  if (!name.trim()) return { error: 'a schedule needs a name' };
  if (!cron.trim()) return { error: 'a schedule needs a cron expression, e.g. */30 * * * * or @every 10m' };
  if (!selector.trim()) return { error: 'a schedule needs a target selector' };
  if (!command.trim()) return { error: 'the command line is empty' };
  return {
    request: {
      name, cron, timezone: timezone || 'UTC', concurrencyPolicy: 'forbid', catchUp: 'none', paused: false,
      task: {
        target: { selector }, kind: 'exec', timeoutSeconds: 300, dryRun: false,
        // The document types a spec as any object; its fields depend on the kind.
        spec: { shell: command },
      },
    },
  };
}

/** Schedules: what fires when, the next ticks, and (for operators) a form to add one. */
export default function Schedules() {
  const operator = useAllowed('operator');
  const schedules = useInfiniteQuery({
    queryKey: ['schedules'],
    initialPageParam: null as string | null,
    queryFn: ({ pageParam, signal }) =>
      get<Schemas['SchedulePage']>('/api/v1/schedules' + query({ limit: 100, cursor: pageParam }), signal),
    getNextPageParam: (last) => last.next,
    refetchInterval: 10_000,
  });
  const rows = schedules.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <section>
      <h1>Schedules</h1>
      {operator && <NewSchedule />}
      <ProblemView error={schedules.error} />
      <table className="grid">
        <thead><tr><th>Schedule</th><th>When</th><th>What</th><th>Policy</th><th>Next</th><th /></tr></thead>
        <tbody>
          {rows.map((s) => (
            <tr key={s.id} data-testid="schedule-row">
              <td><Link to={`/schedules/${s.id}`}>{s.name}</Link></td>
              <td className="mono">{s.cron}{s.timezone !== 'UTC' ? ` (${s.timezone})` : ''}</td>
              <td className="small">{scheduleWhat(s)}</td>
              <td className="small">{s.concurrencyPolicy}, catch-up {s.catchUp}</td>
              <td>{s.paused ? <span className="rollout paused">paused</span>
                : s.nextFirings[0] ? new Date(s.nextFirings[0]).toLocaleString() : ''}</td>
              <td>{s.createdBy ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {rows.length === 0 && schedules.isSuccess && <p className="muted">No schedules yet.</p>}
      {schedules.hasNextPage && <button type="button" onClick={() => schedules.fetchNextPage()}>More schedules</button>}
    </section>
  );
}

function NewSchedule() {
  const navigate = useNavigate();
  const [open, setOpen] = useState(false);
  const [name, setName] = useState('');
  const [cron, setCron] = useState('@every 1h');
  const [timezone, setTimezone] = useState('UTC');
  const [selector, setSelector] = useState('');
  const [command, setCommand] = useState('uptime');
  const [local, setLocal] = useState<string | null>(null);
  const create = useMutation({
    mutationFn: (request: Schemas['ScheduleRequest']) => send<Schemas['Schedule'], Schemas['ScheduleRequest']>('POST', '/api/v1/schedules', request),
    onSuccess: (created) => navigate(`/schedules/${created.id}`),
  });
  if (!open) {
    return <p><button type="button" className="primary" onClick={() => setOpen(true)}>New schedule</button></p>;
  }
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    const built = scheduleRequest(name, cron, timezone, selector, command);
    if ('error' in built) {
      setLocal(built.error);
      return;
    }
    setLocal(null);
    create.mutate(built.request);
  };
  return (
    <form className="card form" onSubmit={onSubmit} aria-label="New schedule">
      <label htmlFor="schedule-name">Name</label>
      <input id="schedule-name" value={name} onChange={(e) => setName(e.target.value)} />
      <label htmlFor="schedule-cron">When (5 cron fields, or @every 10m)</label>
      <input id="schedule-cron" className="mono" value={cron} onChange={(e) => setCron(e.target.value)} />
      <label htmlFor="schedule-tz">Time zone (IANA)</label>
      <input id="schedule-tz" value={timezone} onChange={(e) => setTimezone(e.target.value)} />
      <SelectorBox value={selector} onChange={setSelector} label="Target selector" />
      <label htmlFor="schedule-command">Command line (exec, run with /bin/sh -c)</label>
      <input id="schedule-command" className="mono" value={command} onChange={(e) => setCommand(e.target.value)} spellCheck={false} />
      {local && <p role="alert" className="problem">{local}</p>}
      <ProblemView error={create.error} />
      <div className="actions">
        <button type="button" onClick={() => setOpen(false)}>Cancel</button>
        <button type="submit" className="primary" disabled={create.isPending}>Create schedule</button>
      </div>
    </form>
  );
}
