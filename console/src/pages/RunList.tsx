import { useEffect, useRef, useState } from 'react';
import { useQueries, useQueryClient } from '@tanstack/react-query';
import { useVirtualizer } from '@tanstack/react-virtual';
import { get, query, type Run, type RunPage } from '../api/client';
import { CutOutput } from '../components/CutOutput';
import { ProblemView } from '../components/ProblemView';

/** Runs a page asks the API for: a window of output boxes fills a screen with a few of them. */
export const RUN_PAGE = 100;
/** How often the pages on screen are re-read while the task runs (their output and states move). */
export const RUN_POLL_MS = 2_000;
const ESTIMATE = 90;

const pageKey = (taskId: string, state: string, cursor: string | null) => ['runs', taskId, state, cursor];

/**
 * Every run of a task, paged by the API's cursor and drawn in a virtual list, so each host's
 * output is reachable at any fleet size. Each page is its own query: only the pages on screen
 * are re-read while the task is open ({@code open}), so a long scroll does not turn every poll
 * into a read of everything loaded (an infinite query refetches all its pages).
 */
export function RunList({ taskId, state, open }: { taskId: string; state: string; open: boolean }) {
  const client = useQueryClient();
  // How many pages the reader has scrolled into; the cursors come from the pages before.
  const [wanted, setWanted] = useState(1);
  useEffect(() => setWanted(1), [taskId, state]);
  const cursors: (string | null)[] = [null];
  while (cursors.length < wanted) {
    const previous = client.getQueryData<RunPage>(pageKey(taskId, state, cursors[cursors.length - 1]));
    if (!previous?.next) break;
    cursors.push(previous.next);
  }
  const scroller = useRef<HTMLDivElement>(null);
  const [visible, setVisible] = useState<[number, number]>([0, 0]);
  // Another state's runs start at the top.
  useEffect(() => {
    if (scroller.current) scroller.current.scrollTop = 0;
  }, [taskId, state]);
  const pages = useQueries({
    queries: cursors.map((cursor, i) => ({
      queryKey: pageKey(taskId, state, cursor),
      queryFn: ({ signal }: { signal: AbortSignal }) => get<RunPage>(`/api/v1/tasks/${taskId}/runs`
        + query({ state, limit: RUN_PAGE, cursor }), signal),
      refetchInterval: open && i >= visible[0] && i <= visible[1] ? RUN_POLL_MS : false,
      refetchOnWindowFocus: false,
    })),
  });
  const loaded: Run[] = [];
  for (const page of pages) {
    if (!page.data) break;
    loaded.push(...page.data.items);
  }
  const last = pages[pages.length - 1];
  const more = Boolean(last.data?.next) || pages.some((p) => p.isPending);
  const virtualizer = useVirtualizer({
    count: loaded.length + (more ? 1 : 0),
    getScrollElement: () => scroller.current,
    estimateSize: () => ESTIMATE,
    overscan: 5,
  });
  const items = virtualizer.getVirtualItems();
  const first = items.length ? items[0].index : 0;
  const end = items.length ? items[items.length - 1].index : 0;
  const shown: [number, number] = [Math.floor(first / RUN_PAGE), Math.floor(end / RUN_PAGE)];
  useEffect(() => {
    if (shown[0] !== visible[0] || shown[1] !== visible[1]) setVisible(shown);
  });
  useEffect(() => {
    // Near the end of what is loaded: ask for the next page by the last page's cursor.
    if (end >= loaded.length - 20 && last.data?.next && cursors.length === wanted) {
      setWanted(wanted + 1);
    }
  }, [end, loaded.length, last.data?.next, cursors.length, wanted]);
  // The task just finished: the pages on screen are read once more for their final output.
  const wasOpen = useRef(open);
  useEffect(() => {
    if (wasOpen.current && !open) {
      pages.slice(visible[0], visible[1] + 1).forEach((p) => void p.refetch());
    }
    wasOpen.current = open;
  });
  const error = pages.find((p) => p.error)?.error;
  return (
    <>
      <ProblemView error={error} />
      <p className="muted small" data-testid="runs-loaded">
        {loaded.length.toLocaleString()} runs loaded{last.data?.next ? ', more as you scroll' : ''}.
      </p>
      <div ref={scroller} className="scroller" data-testid="runs-scroller">
        <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
          {items.map((item) => {
            const r = loaded[item.index];
            return (
              <div key={r ? r.runId : 'more'} ref={virtualizer.measureElement} data-index={item.index}
                   className="run-slot" style={{ transform: `translateY(${item.start}px)` }}>
                {r ? (
                  <article className="run" data-testid="run">
                    <header>
                      <span className="mono">{r.hostId}</span> <span className={`run-state ${r.state}`}>{r.state}</span>
                      {r.exitCode !== null && <span className="muted"> exit {r.exitCode}</span>}
                      {r.reason && <span className="muted"> · {r.reason}</span>}
                    </header>
                    {(r.stdout || r.stderr) && (
                      <pre className="mono output">{r.stdout}{r.stderr ? '\n' + r.stderr : ''}{r.truncated ? '\n[truncated]' : ''}</pre>
                    )}
                    <CutOutput run={r} />
                  </article>
                ) : <p className="muted">Loading more runs…</p>}
              </div>
            );
          })}
        </div>
        {pages[0].isSuccess && loaded.length === 0 && <p className="muted">No run{state ? ` is ${state}` : ''}.</p>}
      </div>
    </>
  );
}
