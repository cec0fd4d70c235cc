import type { StreamStatus } from '../api/stream';

/** Whether a followed stream is live, reconnecting, or refused. */
export function StreamBadge({ status }: { status: StreamStatus }) {
  if (status.problem) {
    return <span className="badge offline" role="status">stream refused: {status.problem.message}</span>;
  }
  if (status.retrying) {
    return <span className="badge offline" role="status">stream lost, reconnecting…</span>;
  }
  return <span className={`badge ${status.live ? 'online' : ''}`} role="status">{status.live ? 'live' : 'connecting…'}</span>;
}
