/** One drifted path as the agent reports it in a drift event's detail. */
export interface Drift { resource: string; path: string; description: string; diff: string }

/** The drifts of a drift event's detail ({"drifts":[{resource,path,description,diff}],...}), or null when it has none. */
export function driftsOf(detail: unknown): Drift[] | null {
  const drifts = (detail as { drifts?: unknown } | null)?.drifts;
  if (!Array.isArray(drifts)) {
    return null;
  }
  const text = (v: unknown) => (typeof v === 'string' ? v : '');
  return drifts.map((d: Record<string, unknown>) => ({
    resource: text(d?.resource), path: text(d?.path), description: text(d?.description), diff: text(d?.diff),
  }));
}

/** How a line of a unified diff reads: added, removed, a hunk header, a file header or context. */
export function lineKind(line: string): 'add' | 'del' | 'hunk' | 'file' | 'context' {
  if (line.startsWith('+++') || line.startsWith('---')) return 'file';
  if (line.startsWith('@@')) return 'hunk';
  if (line.startsWith('+')) return 'add';
  if (line.startsWith('-')) return 'del';
  return 'context';
}

/** A unified diff as text in a <pre>: each line keeps its +/- and gets the colour of its kind. */
export function UnifiedDiff({ text }: { text: string }) {
  const lines = text.replace(/\n$/, '').split('\n');
  return (
    <pre className="mono diff" data-testid="drift-diff">
      {lines.map((line, i) => (
        <span key={i} className={`diff-${lineKind(line)}`}>{line}{'\n'}</span>
      ))}
    </pre>
  );
}

/** A drift event's detail: each drifted path, what changed, and its diff (from what was applied to what is there now). */
export function DriftDetail({ drifts }: { drifts: Drift[] }) {
  if (drifts.length === 0) {
    return <p className="muted">Resolved: the managed paths match the applied config again.</p>;
  }
  return (
    <div className="drifts">
      {drifts.map((d, i) => (
        <div key={i}>
          <p><span className="mono">{d.path}</span> ({d.resource}): {d.description}</p>
          {d.diff ? <UnifiedDiff text={d.diff} /> : <p className="muted">No text diff (not a file with managed content, or not text).</p>}
        </div>
      ))}
    </div>
  );
}
