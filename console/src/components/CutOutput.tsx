import { useState } from 'react';
import { request, type Run } from '../api/client';

type Stream = 'stdout' | 'stderr';

/** Fetches one stream of a run whole (GET {output}?stream=..., with the session's token). */
export async function fetchOutput(path: string, stream: Stream): Promise<string> {
  const response = await request(`${path}?stream=${stream}`);
  return response.text();
}

function size(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / (1024 * 1024)).toFixed(1)} MiB` : bytes >= 1024 ? `${(bytes / 1024).toFixed(1)} KiB` : `${bytes} B`;
}

/**
 * A run whose output the page cut (a page carries at most 8 MiB of output over its runs): says so
 * with the stored sizes, and loads a stream whole only when asked, so a page of many large runs
 * never pulls them all.
 */
export function CutOutput({ run, load = fetchOutput }: { run: Run; load?: (path: string, stream: Stream) => Promise<string> }) {
  const [whole, setWhole] = useState<{ stream: Stream; text: string } | null>(null);
  const [error, setError] = useState<string | null>(null);
  if (!run.outputCut || !run.output) {
    return null;
  }
  const path = run.output;
  const show = (stream: Stream) => {
    setError(null);
    load(path, stream).then((text) => setWhole({ stream, text }), (e: unknown) => setError(e instanceof Error ? e.message : String(e)));
  };
  return (
    <div className="cut-output" data-testid="cut-output">
      <span className="muted">Output cut on this page: stdout {size(run.stdoutBytes)}, stderr {size(run.stderrBytes)} stored. </span>
      <button type="button" onClick={() => show('stdout')}>Whole stdout</button>{' '}
      <button type="button" onClick={() => show('stderr')}>Whole stderr</button>
      {error && <div role="alert" className="problem">Could not load the output: {error}</div>}
      {whole && <pre className="mono output" aria-label={`whole ${whole.stream}`}>{whole.text}</pre>}
    </div>
  );
}
