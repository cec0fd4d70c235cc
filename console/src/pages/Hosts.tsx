import { useEffect, useMemo, useRef, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { useInfiniteQuery } from '@tanstack/react-query';
import {
  flexRender, getCoreRowModel, getSortedRowModel, useReactTable, type ColumnDef, type SortingState,
} from '@tanstack/react-table';
import { useVirtualizer } from '@tanstack/react-virtual';
import { get, ProblemError, query, type Host, type HostPage } from '../api/client';
import { SelectorBox, useDebounced } from '../components/SelectorBox';
import { ProblemView } from '../components/ProblemView';
import { ago, factText } from '../format';

const PAGE = 500;
const ROW_HEIGHT = 30;
const DEFAULT_FACTS = 'os.family,kernel.release,cpu.cores,mem.total_bytes,dc,role';

/** When the first page arrived and when its rows were on screen: the e2e run reports the gap. */
declare global {
  interface Window { musterHostsTiming?: { answeredAt: number; renderedAt?: number; rows?: number } }
}

/**
 * Hosts: a selector with its live count, server-side pages (cursor) fetched as the table is
 * scrolled, virtualized rows, chosen facts as columns.
 */
export default function Hosts() {
  const [params, setParams] = useSearchParams();
  const [text, setText] = useState(params.get('selector') ?? '');
  const [factsText, setFactsText] = useState(params.get('facts') ?? DEFAULT_FACTS);
  const selector = useDebounced(text, 300);
  const factKeys = useMemo(() => factsText.split(',').map((f) => f.trim()).filter(Boolean), [factsText]);
  useEffect(() => {
    const next = new URLSearchParams();
    if (selector) next.set('selector', selector);
    if (factsText !== DEFAULT_FACTS) next.set('facts', factsText);
    setParams(next, { replace: true });
  }, [selector, factsText, setParams]);

  const pages = useInfiniteQuery({
    queryKey: ['hosts', selector],
    initialPageParam: null as string | null,
    queryFn: async ({ pageParam, signal }) => {
      const page = await get<HostPage>('/api/v1/hosts' + query({ selector, limit: PAGE, cursor: pageParam }), signal);
      if (pageParam === null) {
        window.musterHostsTiming = { answeredAt: performance.now() };
      }
      return page;
    },
    getNextPageParam: (last) => last.next,
  });
  const rows = useMemo(() => pages.data?.pages.flatMap((p) => p.items) ?? [], [pages.data]);

  const [sorting, setSorting] = useState<SortingState>([]);
  const columns = useMemo<ColumnDef<Host>[]>(() => [
    {
      id: 'hostname', header: 'Host', accessorFn: (h) => h.hostname ?? h.id,
      cell: (c) => <Link to={`/hosts/${encodeURIComponent(c.row.original.id)}`}>{c.getValue<string>()}</Link>,
    },
    { id: 'state', header: 'State', accessorKey: 'state', cell: (c) => <span className={`state ${c.getValue<string>()}`}>{c.getValue<string>()}</span> },
    { id: 'lifecycle', header: 'Lifecycle', accessorKey: 'lifecycle' },
    { id: 'lastSeen', header: 'Last seen', accessorFn: (h) => h.lastSeen ?? '', cell: (c) => ago(c.getValue<string>() || null) },
    { id: 'connectedTo', header: 'Member', accessorFn: (h) => h.connectedTo ?? '' },
    ...factKeys.map((key): ColumnDef<Host> => ({
      id: 'fact:' + key, header: key,
      accessorFn: (h) => h.labels[key] ?? h.facts[key] ?? null,
      cell: (c) => factText(key, c.getValue()),
      sortUndefined: 'last',
    })),
  ], [factKeys]);
  const table = useReactTable({
    data: rows, columns, state: { sorting }, onSortingChange: setSorting,
    getCoreRowModel: getCoreRowModel(), getSortedRowModel: getSortedRowModel(),
  });
  const tableRows = table.getRowModel().rows;

  const scroller = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: tableRows.length + (pages.hasNextPage ? 1 : 0),
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 20,
  });
  const items = virtualizer.getVirtualItems();
  const lastIndex = items.length ? items[items.length - 1].index : 0;
  useEffect(() => {
    if (lastIndex >= tableRows.length - 50 && pages.hasNextPage && !pages.isFetchingNextPage) {
      void pages.fetchNextPage();
    }
  }, [lastIndex, tableRows.length, pages]);
  useEffect(() => {
    const timing = window.musterHostsTiming;
    if (timing && timing.renderedAt === undefined && rows.length > 0) {
      requestAnimationFrame(() => {
        timing.renderedAt = performance.now();
        timing.rows = document.querySelectorAll('[data-testid="host-row"]').length;
      });
    }
  }, [rows.length]);

  const padTop = items.length ? items[0].start : 0;
  const padBottom = items.length ? virtualizer.getTotalSize() - items[items.length - 1].end : 0;
  const width = table.getVisibleLeafColumns().length;
  return (
    <section>
      <h1>Hosts</h1>
      <div className="toolbar">
        <SelectorBox value={text} onChange={setText} />
        <div className="facts-picker">
          <label htmlFor="facts">Fact columns</label>
          <input id="facts" className="mono" value={factsText} onChange={(e) => setFactsText(e.target.value)} />
        </div>
      </div>
      {/* A selector error is shown once, under the selector box, at its column. */}
      {pages.error && !(pages.error instanceof ProblemError && pages.error.problem.type.endsWith(':invalid-selector'))
        && <ProblemView error={pages.error} />}
      <p className="muted small">
        {rows.length.toLocaleString()} loaded{pages.hasNextPage ? ', more as you scroll' : ''}.
        {sorting.length > 0 && ' Sorting orders the loaded hosts; the API pages hosts in id order.'}
      </p>
      <div ref={scroller} className="scroller" data-testid="hosts-scroller">
        <table className="grid" aria-rowcount={rows.length}>
          <thead>
            {table.getHeaderGroups().map((group) => (
              <tr key={group.id}>
                {group.headers.map((header) => {
                  const sorted = header.column.getIsSorted();
                  return (
                    <th key={header.id} aria-sort={sorted === 'asc' ? 'ascending' : sorted === 'desc' ? 'descending' : 'none'}>
                      <button type="button" className="sort" onClick={header.column.getToggleSortingHandler()}>
                        {flexRender(header.column.columnDef.header, header.getContext())}
                        {sorted === 'asc' ? ' ▲' : sorted === 'desc' ? ' ▼' : ''}
                      </button>
                    </th>
                  );
                })}
              </tr>
            ))}
          </thead>
          <tbody>
            {padTop > 0 && <tr style={{ height: padTop }} aria-hidden="true"><td colSpan={width} /></tr>}
            {items.map((item) => {
              const row = tableRows[item.index];
              if (!row) {
                return (
                  <tr key="more" style={{ height: ROW_HEIGHT }}><td colSpan={width} className="muted">Loading more…</td></tr>
                );
              }
              return (
                <tr key={row.id} data-testid="host-row" style={{ height: ROW_HEIGHT }}>
                  {row.getVisibleCells().map((cell) => (
                    <td key={cell.id}>{flexRender(cell.column.columnDef.cell, cell.getContext())}</td>
                  ))}
                </tr>
              );
            })}
            {padBottom > 0 && <tr style={{ height: padBottom }} aria-hidden="true"><td colSpan={width} /></tr>}
          </tbody>
        </table>
        {pages.isSuccess && rows.length === 0 && <p className="muted">No host matches.</p>}
      </div>
    </section>
  );
}
