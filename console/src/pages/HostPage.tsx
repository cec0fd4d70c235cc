import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  get, query, send, type Containers, type EventPage, type HostWithInventory, type LifecycleOutcome, type Schemas,
} from '../api/client';
import { useAllowed } from '../auth';
import { Confirm } from '../components/Confirm';
import { DriftDetail, driftsOf } from '../components/DriftDetail';
import { ProblemView } from '../components/ProblemView';
import { ago, bytes, parseLabels } from '../format';

/** What each lifecycle action does, as the confirmation says it. */
export const ACTIONS: Record<string, { from: string[]; says: string }> = {
  cordon: { from: ['ready'], says: 'No new work is placed on the host; what runs keeps running.' },
  uncordon: { from: ['cordoned', 'maintenance'], says: 'The host is ready again and gets new tasks.' },
  maintenance: { from: ['ready', 'cordoned'], says: 'The host goes into maintenance at once and gets no new tasks.' },
  drain: { from: ['ready', 'cordoned'], says: 'Cordon the host, stop the containers Muster manages (others are left alone), then put it in maintenance; it stays cordoned if a container does not stop.' },
  reboot: { from: ['ready', 'cordoned', 'maintenance'], says: 'The agent reboots the machine; the run succeeds when the host comes back with a new boot id.' },
  decommission: { from: ['ready', 'cordoned', 'maintenance'], says: 'Stop and remove the containers Muster manages and revoke the host. This is final: a decommissioned host never comes back.' },
};

type GraphRun = { runId: string; taskId: string | null; state: string; exitCode: number | null; finishedAt: string | null };

export default function HostPage() {
  const { id = '' } = useParams();
  const path = '/api/v1/hosts/' + encodeURIComponent(id);
  const operator = useAllowed('operator');
  const client = useQueryClient();
  const host = useQuery({ queryKey: ['host', id], queryFn: ({ signal }) => get<HostWithInventory>(path, signal), refetchInterval: 10_000 });
  const events = useQuery({ queryKey: ['host-events', id], queryFn: ({ signal }) => get<EventPage>(path + '/events' + query({ limit: 50 }), signal) });
  const containers = useQuery({ queryKey: ['host-containers', id], queryFn: ({ signal }) => get<Containers>(path + '/containers', signal) });
  const runs = useQuery({
    queryKey: ['host-runs', id],
    queryFn: async () => {
      const answer = await send<{ data?: { host: { runs: GraphRun[] } | null }; errors?: { message: string }[] }, Schemas['GraphQLRequest']>('POST', '/graphql', {
        query: 'query($id: ID!) { host(id: $id) { runs(first: 20) { runId taskId state exitCode finishedAt } } }',
        variables: { id },
      });
      if (answer.errors?.length) {
        throw new Error(answer.errors.map((e) => e.message).join('; '));
      }
      return answer.data?.host?.runs ?? [];
    },
  });
  const [pending, setPending] = useState<string | null>(null);
  const action = useMutation({
    mutationFn: (name: string) => send<LifecycleOutcome, Schemas['LifecycleRequest']>('POST', path + '/lifecycle', { action: name }),
    onSuccess: () => {
      setPending(null);
      void client.invalidateQueries({ queryKey: ['host', id] });
      void client.invalidateQueries({ queryKey: ['host-events', id] });
    },
  });

  if (host.error) {
    return <section><h1>Host</h1><ProblemView error={host.error} /></section>;
  }
  const h = host.data;
  if (!h) {
    return <p className="muted">Loading…</p>;
  }
  const inv = (h.inventory ?? {}) as Record<string, any>;
  return (
    <section>
      <h1>{h.hostname ?? h.id}</h1>
      <p>
        <span className={`state ${h.state}`} data-testid="host-state">{h.state}</span>{' '}
        lifecycle <strong data-testid="host-lifecycle">{h.lifecycle}</strong> · agent {h.agentVersion ?? '?'} ·
        member {h.connectedTo ?? 'none'} · last seen {ago(h.lastSeen)} · <span className="mono small">{h.id}</span>
      </p>
      {operator && (
        <div className="actions" role="group" aria-label="Lifecycle actions">
          {Object.entries(ACTIONS).map(([name, a]) => (
            <button key={name} type="button" disabled={!a.from.includes(h.lifecycle) || action.isPending}
                    onClick={() => { action.reset(); setPending(name); }}>
              {name}
            </button>
          ))}
        </div>
      )}
      {pending && (
        <Confirm title={`${pending} ${h.hostname ?? h.id}?`} confirmLabel={pending} busy={action.isPending}
                 onConfirm={() => action.mutate(pending)} onCancel={() => setPending(null)}>
          <p>{ACTIONS[pending].says}</p>
          <ProblemView error={action.error} />
        </Confirm>
      )}
      <div className="columns">
        <div>
          <h2>Labels</h2>
          <Labels path={path} labels={h.labels} editable={operator} hostKey={id} />
          <h2>Facts</h2>
          <table className="kv"><tbody>
            {Object.entries(h.facts).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => (
              <tr key={k}><th scope="row">{k}</th><td>{k.endsWith('_bytes') ? bytes(v) : String(v)}</td></tr>
            ))}
          </tbody></table>
        </div>
        <div>
          <h2>Inventory</h2>
          <Inventory inv={inv} />
        </div>
      </div>
      <h2>Events</h2>
      <ProblemView error={events.error} />
      <ul className="plain events">
        {events.data?.items.map((e) => (
          <li key={e.id}>
            <span className="muted">{ago(e.at)}</span> <strong>{e.kind}</strong> {e.message}
            {e.actor && <span className="muted"> by {e.actor}</span>}
            <EventDetail detail={e.detail} />
          </li>
        ))}
        {events.data?.items.length === 0 && <li className="muted">No events.</li>}
      </ul>
      <h2>Containers</h2>
      <ProblemView error={containers.error} />
      {containers.data && containers.data.items.length === 0 && <p className="muted">No managed containers reported.</p>}
      {containers.data && containers.data.items.length > 0 && (
        <pre className="mono">{JSON.stringify(containers.data.items, null, 2)}</pre>
      )}
      <h2>Recent runs</h2>
      <ProblemView error={runs.error} />
      <table className="grid"><thead><tr><th>Task</th><th>State</th><th>Exit</th><th>Finished</th></tr></thead><tbody>
        {runs.data?.map((r) => (
          <tr key={r.runId}>
            <td>{r.taskId ? <Link to={`/tasks/${r.taskId}`}>{r.taskId.slice(0, 8)}</Link> : '?'}</td>
            <td>{r.state}</td><td>{r.exitCode ?? ''}</td><td>{ago(r.finishedAt)}</td>
          </tr>
        ))}
      </tbody></table>
      {runs.data?.length === 0 && <p className="muted">No runs yet.</p>}
    </section>
  );
}

/** An event's detail: a drift's paths with their diffs shown open, any other detail as JSON on request. */
function EventDetail({ detail }: { detail: unknown }) {
  if (!detail) {
    return null;
  }
  const drifts = driftsOf(detail);
  if (drifts) {
    return <DriftDetail drifts={drifts} />;
  }
  return <details><summary>detail</summary><pre className="mono">{JSON.stringify(detail, null, 2)}</pre></details>;
}

function Labels({ path, labels, editable, hostKey }: { path: string; labels: Record<string, string>; editable: boolean; hostKey: string }) {
  const client = useQueryClient();
  const [text, setText] = useState<string | null>(null);
  const [local, setLocal] = useState<string | null>(null);
  const save = useMutation({
    mutationFn: (value: Record<string, string>) => send<Schemas['Host'], Schemas['Labels']>('PUT', path + '/labels', value),
    onSuccess: () => { setText(null); void client.invalidateQueries({ queryKey: ['host', hostKey] }); },
  });
  const entries = Object.entries(labels);
  if (text === null) {
    return (
      <div>
        {entries.length === 0 ? <p className="muted">No labels.</p> : (
          <ul className="plain">{entries.map(([k, v]) => <li key={k} className="mono">{k}={v}</li>)}</ul>
        )}
        {editable && <button type="button" onClick={() => setText(entries.map(([k, v]) => `${k}=${v}`).join('\n'))}>Edit labels</button>}
      </div>
    );
  }
  return (
    <form onSubmit={(e) => {
      e.preventDefault();
      const parsed = parseLabels(text);
      if ('error' in parsed) { setLocal(parsed.error); return; }
      setLocal(null);
      save.mutate(parsed.labels);
    }}>
      <label htmlFor="labels">Labels, one key=value a line (replaces them all)</label>
      <textarea id="labels" className="mono" rows={5} value={text} onChange={(e) => setText(e.target.value)} />
      {local && <p role="alert" className="problem">{local}</p>}
      <ProblemView error={save.error} />
      <div className="actions">
        <button type="button" onClick={() => setText(null)}>Cancel</button>
        <button type="submit" className="primary" disabled={save.isPending}>Save labels</button>
      </div>
    </form>
  );
}

function Inventory({ inv }: { inv: Record<string, any> }) {
  const list = (v: unknown): Record<string, any>[] => (Array.isArray(v) ? v : []);
  return (
    <div data-testid="inventory">
      <h3>CPU</h3>
      <p>{inv.cpu?.model ?? '?'} · {inv.cpu?.sockets ?? '?'} sockets, {inv.cpu?.cores ?? '?'} cores, {inv.cpu?.threads ?? '?'} threads</p>
      <h3>System</h3>
      <p>{inv.os?.family} {inv.os?.version} · kernel {inv.os?.kernel} · {inv.os?.arch} · {inv.hardware?.vendor} {inv.hardware?.model}</p>
      <h3>Memory</h3>
      <p>{bytes(inv.memory?.totalBytes)} total, {bytes(inv.memory?.swapTotalBytes ?? 0)} swap</p>
      <h3>Disks</h3>
      <Rows items={list(inv.disks)} columns={['name', 'model', 'sizeBytes']} />
      <h3>Filesystems</h3>
      <Rows items={list(inv.filesystems)} columns={['mount', 'type', 'device', 'sizeBytes', 'usedBytes']} />
      <h3>Network interfaces</h3>
      <Rows items={list(inv.nics)} columns={['name', 'mac', 'ipv4', 'mtu']} />
      <details><summary>Everything the agent reported</summary><pre className="mono">{JSON.stringify(inv, null, 2)}</pre></details>
    </div>
  );
}

function Rows({ items, columns }: { items: Record<string, any>[]; columns: string[] }) {
  if (items.length === 0) {
    return <p className="muted">None reported.</p>;
  }
  return (
    <table className="grid"><thead><tr>{columns.map((c) => <th key={c}>{c}</th>)}</tr></thead><tbody>
      {items.map((item, i) => (
        <tr key={i}>{columns.map((c) => (
          <td key={c}>{c.endsWith('Bytes') ? bytes(item[c]) : Array.isArray(item[c]) ? item[c].join(', ') : String(item[c] ?? '')}</td>
        ))}</tr>
      ))}
    </tbody></table>
  );
}
