import { useQuery } from '@tanstack/react-query';
import { Link, useNavigate } from 'react-router';
import { get, type FleetSummary, type Member } from '../api/client';
import { BarChart } from '../components/BarChart';
import { ProblemView } from '../components/ProblemView';
import { ago } from '../format';

/** The fleet at a glance: counts by state, lifecycle, OS, kernel, agent version and member. */
export default function Overview() {
  const navigate = useNavigate();
  const summary = useQuery({
    queryKey: ['summary', ''],
    queryFn: ({ signal }) => get<FleetSummary>('/api/v1/fleet/summary', signal),
    refetchInterval: 10_000,
  });
  const cluster = useQuery({
    queryKey: ['cluster'],
    queryFn: ({ signal }) => get<{ members: Member[] }>('/api/v1/cluster', signal),
    refetchInterval: 10_000,
  });
  const data = summary.data;
  const filter = (key: string) => (value: string) =>
    navigate('/hosts?selector=' + encodeURIComponent(value ? `${key}=${quote(value)}` : `!${key}`));
  return (
    <section>
      <h1>Overview</h1>
      <ProblemView error={summary.error} />
      {data && (
        <>
          <div className="tiles">
            <Tile label="Hosts" value={data.total} />
            <Tile label="Online" value={data.groups.state['online'] ?? 0} />
            <Tile label="Offline" value={data.groups.state['offline'] ?? 0} />
            <Tile label="Not ready" value={data.total - (data.groups.lifecycle['ready'] ?? 0)} />
            <Tile label="Members" value={cluster.data?.members.length ?? 0} />
          </div>
          <div className="charts">
            <BarChart title="By state" counts={data.groups.state} onPick={filter('state')} />
            <BarChart title="By lifecycle" counts={data.groups.lifecycle} />
            <BarChart title="By OS" counts={data.groups.os} />
            <BarChart title="By kernel" counts={data.groups.kernel} onPick={filter('kernel.release')} />
            <BarChart title="By agent version" counts={data.groups.agentVersion} />
            {cluster.data && (
              <BarChart title="Agents per member"
                        counts={Object.fromEntries(cluster.data.members.map((m) => [m.id, m.connectedAgents]))} />
            )}
          </div>
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

function Tile({ label, value }: { label: string; value: number }) {
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
