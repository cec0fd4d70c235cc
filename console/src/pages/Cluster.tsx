import { useQuery } from '@tanstack/react-query';
import { get, type Member } from '../api/client';
import { ProblemView } from '../components/ProblemView';

/**
 * The members: addresses, partitions owned, agents connected, and each one's readiness as its own
 * /readyz answered the member serving this page.
 */
export default function Cluster() {
  const cluster = useQuery({
    queryKey: ['cluster'],
    queryFn: ({ signal }) => get<{ members: Member[] }>('/api/v1/cluster', signal),
    refetchInterval: 5_000,
  });
  const members = cluster.data?.members ?? [];
  const partitions = members.reduce((n, m) => n + m.partitions, 0);
  const agents = members.reduce((n, m) => n + m.connectedAgents, 0);
  const ready = members.filter((m) => m.ready).length;
  return (
    <section>
      <h1>Cluster</h1>
      <p>
        {members.length} members · {ready} ready · {partitions} partitions · {agents.toLocaleString()} agents connected
        {cluster.dataUpdatedAt > 0 && <span className="muted"> · as of {new Date(cluster.dataUpdatedAt).toLocaleTimeString()}</span>}
      </p>
      <ProblemView error={cluster.error} />
      <table className="grid">
        <thead>
          <tr><th>Member</th><th>Readiness</th><th>Hazelcast</th><th>gRPC</th><th>HTTP</th><th>Partitions</th><th>Agents</th><th /></tr>
        </thead>
        <tbody>
          {members.map((m) => (
            <tr key={m.id} data-testid="member-row">
              <td className="mono">{m.id}</td>
              <td title={m.readiness}>
                <span className={m.ready ? 'state online' : 'state offline'}>{m.ready ? 'ready' : 'not ready'}</span>
                {!m.ready && <span className="muted small"> {m.readiness}</span>}
              </td>
              <td>{m.address}</td><td>{m.grpc}</td>
              <td><a href={`http://${m.http}/cluster`}>{m.http}</a></td>
              <td>{m.partitions}</td><td>{m.connectedAgents.toLocaleString()}</td><td>{m.local ? 'answering' : ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
