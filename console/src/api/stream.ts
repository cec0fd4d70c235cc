import { useEffect, useRef, useState } from 'react';
import { ProblemError, request } from './client';
import { follow, type ServerEvent } from './sse';

/** Where a followed stream stands: live, reconnecting after a break, or refused with a problem. */
export interface StreamStatus {
  live: boolean;
  /** Set while the stream is down for a break; it is being retried. */
  retrying: boolean;
  /** A problem the API answered (e.g. 403, 404): not retried, shown as it says. */
  problem: ProblemError | null;
}

/**
 * Follows a server-sent-events route while the component is mounted: the newest handler gets
 * each event; a break (network, server restart, the stream ending before {@code isDone} says so)
 * is retried with backoff, resuming after the last event id the stream gave. A problem answer
 * ends it. A null path follows nothing.
 */
export function useStream(path: string | null, onEvent: (event: ServerEvent) => void,
                          isDone: (event: ServerEvent) => boolean = () => false): StreamStatus {
  const handler = useRef(onEvent);
  handler.current = onEvent;
  const done = useRef(isDone);
  done.current = isDone;
  const [status, setStatus] = useState<StreamStatus>({ live: false, retrying: false, problem: null });
  useEffect(() => {
    if (path === null) {
      return undefined;
    }
    const abort = new AbortController();
    let lastId = '';
    let attempt = 0;
    const run = async () => {
      while (!abort.signal.aborted) {
        let finished = false;
        try {
          await follow(path, (event) => {
            attempt = 0;
            lastId = event.id || lastId;
            handler.current(event);
            finished ||= done.current(event);
          }, abort.signal, request, lastId, () => setStatus({ live: true, retrying: false, problem: null }));
        } catch (e) {
          if (e instanceof ProblemError) {
            setStatus({ live: false, retrying: false, problem: e });
            return;
          }
        }
        if (finished || abort.signal.aborted) {
          setStatus({ live: false, retrying: false, problem: null });
          return;
        }
        attempt++;
        setStatus({ live: false, retrying: true, problem: null });
        await new Promise((r) => setTimeout(r, Math.min(500 * 2 ** attempt, 10_000)));
      }
    };
    void run();
    return () => abort.abort();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [path]);
  return status;
}
