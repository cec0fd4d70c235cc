import { useEffect, useId, useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { get, ProblemError, query, type FleetSummary } from '../api/client';
import { ProblemView } from './ProblemView';

/** Waits until {@code value} has been still for {@code ms}. */
export function useDebounced<T>(value: T, ms: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return settled;
}

/** How many hosts a selector matches (the API's census), or the selector's error. */
export function useMatchCount(selector: string) {
  return useQuery({
    queryKey: ['summary', selector],
    queryFn: ({ signal }) => get<FleetSummary>('/api/v1/fleet/summary' + query({ selector }), signal),
    placeholderData: (previous) => previous,
  });
}

/**
 * A selector input with the live count of matching hosts; a selector error from the API is
 * shown under the column it names.
 */
export function SelectorBox({ value, onChange, label = 'Selector' }: {
  value: string; onChange: (text: string) => void; label?: string;
}) {
  const id = useId();
  const settled = useDebounced(value, 300);
  const count = useMatchCount(settled);
  const problem = count.error instanceof ProblemError ? count.error.problem : null;
  const column = problem && typeof problem.column === 'number' ? problem.column : null;
  return (
    <div className="selector">
      <label htmlFor={id}>{label}</label>
      <div className="selector-row">
        <input id={id} className="mono" value={value} spellCheck={false} aria-invalid={problem !== null}
               aria-describedby={id + '-count'} placeholder="role=web,dc in (ldn1,nyc2),cpu.cores>=32"
               onChange={(e) => onChange(e.target.value)} />
        <span id={id + '-count'} className="count" data-testid="match-count" aria-live="polite">
          {count.isFetching && settled !== value ? '…' : count.data && !problem
            ? `${count.data.total.toLocaleString()} ${count.data.total === 1 ? 'host' : 'hosts'}` : ''}
        </span>
      </div>
      {column !== null && (
        <pre className="caret mono" aria-hidden="true">{' '.repeat(Math.max(0, column - 1)) + '^'}</pre>
      )}
      {count.error && <ProblemView error={count.error} />}
    </div>
  );
}
