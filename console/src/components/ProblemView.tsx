import { ConnectionLost, ProblemError } from '../api/client';

/** An error as the API said it: title, detail and the problem's extension members. */
export function ProblemView({ error }: { error: unknown }) {
  if (!error) {
    return null;
  }
  if (error instanceof ProblemError) {
    const { title, status, detail, type, instance: _instance, ...rest } = error.problem;
    const extras = Object.entries(rest).filter(([, v]) => v !== undefined);
    return (
      <div role="alert" className="problem" data-problem-type={type}>
        <strong>{title} ({status})</strong>: {detail}
        {extras.length > 0 && (
          <span className="muted"> {extras.map(([k, v]) => `${k}: ${String(v)}`).join(', ')}</span>
        )}
      </div>
    );
  }
  if (error instanceof ConnectionLost) {
    return <div role="alert" className="problem">{error.message}; retrying…</div>;
  }
  return <div role="alert" className="problem">{error instanceof Error ? error.message : String(error)}</div>;
}
