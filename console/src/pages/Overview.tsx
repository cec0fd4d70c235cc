import { useEffect, useRef, useState } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useNavigate } from 'react-router';
import { get, type FleetSummary, type Schemas } from '../api/client';
import type { ServerEvent } from '../api/sse';
import { useStream } from '../api/stream';
import { StreamBadge } from '../components/StreamBadge';
import { BarChart } from '../components/BarChart';
import { ProblemView } from '../components/ProblemView';
import { ago } from '../format';

/** The host changes the overview follows live (GET /api/v1/events). */
export const CHANGE_TYPES = 'host.registered,host.online,host.offline,host.lifecycle.changed,host.drift';
const FEED = 25;
type Cluster = Schemas['Cluster'];

/** One line of the "changed just now" list, from a CloudEvent of the fleet's event stream. */
export interface Change { key: string; host: string; type: string; text: string; at: string }

export function changeOf(event: ServerEvent, key: string): Change | null {
  let cloud: { type?: string; subject?: string; time?: string; data?: Record<string, unknown> };
  try {
    cloud = JSON.parse(event.data);
  } catch {
    return null;
  }
  const data = cloud.data ?? {};
  const host = cloud.subject ?? String(data.host ?? '');
  if (!host) {
    return null;
  }
  const text = (() => {
    switch (event.event) {
      case 'host.online':
      case 'host.offline':
        return `${data.state}${data.previous ? ` (was ${data.previous})` : ''}`;
      case 'host.lifecycle.changed':
        return `lifecycle ${data.previous ?? '?'} → ${data.lifecycle}`;
      case 'host.registered':
        return 'joined the fleet';
      case 'host.drift':
        return `drift: ${data.message ?? ''}`;
      default:
        return event.event;
    }
  })();
  return { key, host, type: event.event, text, at: cloud.time ?? new Date().toISOString() };
}

/**
 * The fleet at a glance: counts by state, lifecycle, OS, kernel, agent version and member, and
 * the hosts that changed, live from the event stream (which also refreshes the counts).
 */
export default function Overview() {
  const navigate = useNavigate();
  const client = useQueryClient();
  const [changes, setChanges] = useState<Change[]>([]);
  const sequence = useRef(0);
  const refresh = useRef<ReturnType<typeof setTimeout> | null>(null);
  const stream = useStream('/api/v1/events?type=' + encodeURIComponent(CHANGE_TYPES), (event) => {
    const change = changeOf(event, event.id || String(++sequence.current));
    if (change) {
      setChanges((list) => [change, ...list.filter((c) => c.key !== change.key)].slice(0, FEED));
    }
    // Counts follow the changes: one refresh a second after the first of a burst, however many hosts change.
    if (refresh.current === null) {
      refresh.current = setTimeout(() => {
        refresh.current = null;
        void client.invalidateQueries({ queryKey: ['summary', ''] });
      }, 1_000);
    }
  });
  useEffect(() => () => {
    if (refresh.current !== null) clearTimeout(refresh.current);
  }, []);
  const summary = useQuery({
    queryKey: ['summary', ''],
    queryFn: ({ signal }) => get<FleetSummary>('/api/v1/fleet/summary', signal),
    refetchInterval: 10_000,
  });
  const cluster = useQuery({
    queryKey: ['cluster'],
    queryFn: ({ signal }) => get<Cluster>('/api/v1/cluster', signal),
    refetchInterval: 10_000,
  });
  const data = summary.data;
  const filter = (key: string) => (value: string) =>
    navigate('/hosts?selector=' + encodeURIComponent(value ? `${key}=${quote(value)}` : `!${key}`));
  return (
    <section>
      <h1>Overview</h1>
      <ProblemView error={summary.error} />
      {/* Without the cluster's answer the member count is unknown, not 0: the problem says why. */}
      <ProblemView error={cluster.error} />
      {data && (
        <>
          <div className="tiles">
            <Tile label="Hosts" value={data.total} />
            <Tile label="Online" value={data.groups.state['online'] ?? 0} />
            <Tile label="Offline" value={data.groups.state['offline'] ?? 0} />
            <Tile label="Not ready" value={data.total - (data.groups.lifecycle['ready'] ?? 0)} />
            <Tile label="Members" value={cluster.data ? cluster.data.members.length : cluster.error ? 'unknown' : '…'} />
          </div>
          <div className="charts">
            {/* Not clickable: state is the member's view of the connection, not a label or fact, so no
                selector names it ('state=online' matched no host); the hosts page sorts by it instead. */}
            <BarChart title="By state" counts={data.groups.state} />
            <BarChart title="By lifecycle" counts={data.groups.lifecycle} />
            <BarChart title="By OS" counts={data.groups.os} />
            <BarChart title="By kernel" counts={data.groups.kernel} onPick={filter('kernel.release')} />
            <BarChart title="By agent version" counts={data.groups.agentVersion} />
            {cluster.data && (
              <BarChart title="Agents per member"
                        counts={Object.fromEntries(cluster.data.members.map((m) => [m.id, m.connectedAgents]))} />
            )}
          </div>
          <h2>Changed just now <StreamBadge status={stream} /></h2>
          {changes.length === 0 ? (
            <p className="muted" data-testid="changes-empty">No host has changed since this page opened.</p>
          ) : (
            <ul className="plain" data-testid="changes">
              {changes.map((c) => (
                <li key={c.key}>
                  <Link to={`/hosts/${encodeURIComponent(c.host)}`}>{c.host}</Link>{' '}
                  <span className={c.type === 'host.online' || c.type === 'host.offline' ? `state ${c.type.slice(5)}` : ''}>{c.text}</span>{' '}
                  <span className="muted">{ago(c.at)}</span>
                </li>
              ))}
            </ul>
          )}
          <div className="columns">
            <div>
              <h2>Went offline last</h2>
              <RecentList hosts={data.recentlySilent} empty="No host is offline." />
            </div>
            <div>
              <h2>Joined last</h2>
              <RecentList hosts={data.recentlyJoined} empty="No hosts yet." />
            </div>
          </div>
        </>
      )}
    </section>
  );
}

function quote(value: string): string {
  return /^[A-Za-z0-9_.\-/]+$/.test(value) ? value : `"${value}"`;
}

function Tile({ label, value }: { label: string; value: number | string }) {
  return (
    <div className="tile">
      <span className="tile-value">{value.toLocaleString()}</span>
      <span className="tile-label">{label}</span>
    </div>
  );
}

function RecentList({ hosts, empty }: { hosts: FleetSummary['recentlyJoined']; empty: string }) {
  if (hosts.length === 0) {
    return <p className="muted">{empty}</p>;
  }
  return (
    <ul className="plain">
      {hosts.map((h) => (
        <li key={h.id}>
          <Link to={`/hosts/${encodeURIComponent(h.id)}`}>{h.hostname ?? h.id}</Link>{' '}
          <span className={`state ${h.state}`}>{h.state}</span> <span className="muted">{ago(h.at)}</span>
        </li>
      ))}
    </ul>
  );
}
