import { useQuery } from '@tanstack/react-query';
import { get, type Member } from '../api/client';
import { ProblemView } from '../components/ProblemView';

/** The members: addresses, partitions owned, agents connected; and the answering member's readiness. */
export default function Cluster() {
  const cluster = useQuery({
    queryKey: ['cluster'],
    queryFn: ({ signal }) => get<{ members: Member[] }>('/api/v1/cluster', signal),
    refetchInterval: 5_000,
  });
  const ready = useQuery({
    queryKey: ['readyz'],
    queryFn: async () => {
      const r = await fetch('/readyz');
      return { ok: r.ok, body: await r.text() };
    },
    refetchInterval: 5_000,
  });
  const members = cluster.data?.members ?? [];
  const partitions = members.reduce((n, m) => n + m.partitions, 0);
  const agents = members.reduce((n, m) => n + m.connectedAgents, 0);
  return (
    <section>
      <h1>Cluster</h1>
      <p>
        {members.length} members · {partitions} partitions · {agents.toLocaleString()} agents connected · this member is{' '}
        <strong className={ready.data?.ok ? 'state online' : 'state offline'}>{ready.data ? (ready.data.ok ? 'ready' : 'not ready') : '…'}</strong>
      </p>
      <ProblemView error={cluster.error} />
      <table className="grid">
        <thead><tr><th>Member</th><th>Hazelcast</th><th>gRPC</th><th>HTTP</th><th>Partitions</th><th>Agents</th><th /></tr></thead>
        <tbody>
          {members.map((m) => (
            <tr key={m.id}>
              <td className="mono">{m.id}</td><td>{m.address}</td><td>{m.grpc}</td>
              <td><a href={`http://${m.http}/cluster`}>{m.http}</a></td>
              <td>{m.partitions}</td><td>{m.connectedAgents.toLocaleString()}</td><td>{m.local ? 'answering' : ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
