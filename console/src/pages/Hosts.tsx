import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { keepPreviousData, useInfiniteQuery } from '@tanstack/react-query';
import {
  flexRender, getCoreRowModel, useReactTable, type ColumnDef, type SortingState, type Updater,
} from '@tanstack/react-table';
import { useVirtualizer } from '@tanstack/react-virtual';
import { ProblemError, query, request, type Host, type HostPage } from '../api/client';
import { SelectorBox, useDebounced } from '../components/SelectorBox';
import { ProblemView } from '../components/ProblemView';
import { ago, factText } from '../format';

// The first page only has to fill the window (~30 rows): a small one is parsed and laid out
// quickly; the pages after it, fetched while scrolling, are larger.
const FIRST_PAGE = 100;
const PAGE = 500;
const ROW_HEIGHT = 30;
const DEFAULT_FACTS = 'os.family,kernel.release,cpu.cores,mem.total_bytes,dc,role';

/**
 * The phases of the first page, for the e2e run's report: the request sent, the API's answer
 * (headers), the body parsed, the rows committed to the DOM, and the frame that painted them
 * (performance.now()).
 */
export interface HostsTiming { requestedAt: number; answeredAt: number; parsedAt?: number; committedAt?: number; renderedAt?: number; rows?: number }
declare global {
  interface Window { musterHostsTiming?: HostsTiming }
}

/** The API's sort parameter ("-lastSeen") from the table's state and back; one column at a time. */
export function sortParam(sorting: SortingState): string {
  return sorting.length === 0 ? '' : (sorting[0].desc ? '-' : '') + sorting[0].id;
}
export function sortingOf(param: string): SortingState {
  if (!param) return [];
  return [{ id: param.replace(/^-/, ''), desc: param.startsWith('-') }];
}

/**
 * Hosts: a selector with its live count, server-side pages (cursor) fetched as the table is
 * scrolled, sorted by the API on the clicked column, virtualized rows, chosen facts as columns.
 */
export default function Hosts() {
  const [params, setParams] = useSearchParams();
  const [text, setText] = useState(params.get('selector') ?? '');
  const [factsText, setFactsText] = useState(params.get('facts') ?? DEFAULT_FACTS);
  const [sort, setSort] = useState(params.get('sort') ?? '');
  const selector = useDebounced(text, 300);
  const factKeys = useMemo(() => factsText.split(',').map((f) => f.trim()).filter(Boolean), [factsText]);
  useEffect(() => {
    const next = new URLSearchParams();
    if (selector) next.set('selector', selector);
    if (factsText !== DEFAULT_FACTS) next.set('facts', factsText);
    if (sort) next.set('sort', sort);
    setParams(next, { replace: true });
  }, [selector, factsText, sort, setParams]);

  const pages = useInfiniteQuery({
    queryKey: ['hosts', selector, sort],
    initialPageParam: null as string | null,
    queryFn: async ({ pageParam, signal }) => {
      const first = pageParam === null;
      const requestedAt = performance.now();
      const response = await request('/api/v1/hosts' + query({
        selector, sort, limit: first ? FIRST_PAGE : PAGE, cursor: pageParam,
      }), { signal });
      const timing: HostsTiming | undefined = first ? { requestedAt, answeredAt: performance.now() } : undefined;
      const page = (await response.json()) as HostPage;
      if (timing) {
        timing.parsedAt = performance.now();
        window.musterHostsTiming = timing;
      }
      return page;
    },
    getNextPageParam: (last) => last.next,
    // While another sort or selector loads, the table keeps what it shows instead of going blank.
    placeholderData: keepPreviousData,
  });
  const rows = useMemo(() => pages.data?.pages.flatMap((p) => p.items) ?? [], [pages.data]);

  const sorting = useMemo(() => sortingOf(sort), [sort]);
  const onSortingChange = (updater: Updater<SortingState>) =>
    setSort(sortParam(typeof updater === 'function' ? updater(sorting) : updater));
  // Column ids are the API's sort keys.
  const columns = useMemo<ColumnDef<Host>[]>(() => [
    {
      id: 'hostname', header: 'Host', accessorFn: (h) => h.hostname ?? h.id,
      cell: (c) => <Link to={`/hosts/${encodeURIComponent(c.row.original.id)}`}>{c.getValue<string>()}</Link>,
    },
    { id: 'state', header: 'State', accessorKey: 'state', cell: (c) => <span className={`state ${c.getValue<string>()}`}>{c.getValue<string>()}</span> },
    { id: 'lifecycle', header: 'Lifecycle', accessorKey: 'lifecycle' },
    { id: 'lastSeen', header: 'Last seen', accessorFn: (h) => h.lastSeen ?? '', cell: (c) => ago(c.getValue<string>() || null) },
    // Where an agent is connected is live cluster state, not a stored column: not sortable.
    { id: 'connectedTo', header: 'Member', accessorFn: (h) => h.connectedTo ?? '', enableSorting: false },
    ...factKeys.map((key): ColumnDef<Host> => ({
      id: 'fact:' + key, header: key,
      accessorFn: (h) => h.labels[key] ?? h.facts[key] ?? (h.vitals as Record<string, unknown> | null)?.[key] ?? null,
      cell: (c) => factText(key, c.getValue()),
    })),
  ], [factKeys]);
  const table = useReactTable({
    data: rows, columns, state: { sorting }, onSortingChange,
    manualSorting: true, enableMultiSort: false, sortDescFirst: false,
    getCoreRowModel: getCoreRowModel(),
  });
  const tableRows = table.getRowModel().rows;

  const scroller = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: tableRows.length + (pages.hasNextPage ? 1 : 0),
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 10,
  });
  const items = virtualizer.getVirtualItems();
  const lastIndex = items.length ? items[items.length - 1].index : 0;
  useEffect(() => {
    if (lastIndex >= tableRows.length - 50 && pages.hasNextPage && !pages.isFetchingNextPage && !pages.isPlaceholderData) {
      void pages.fetchNextPage();
    }
  }, [lastIndex, tableRows.length, pages]);
  // A new sort starts at the top.
  useEffect(() => {
    scroller.current?.scrollTo({ top: 0 });
  }, [sort, selector]);
  useLayoutEffect(() => {
    const timing = window.musterHostsTiming;
    const inDom = document.querySelectorAll('[data-testid="host-row"]').length;
    if (timing && timing.committedAt === undefined && inDom > 0 && !pages.isPlaceholderData) {
      timing.committedAt = performance.now();
      timing.rows = inDom;
      requestAnimationFrame(() => {
        timing.renderedAt = performance.now();
      });
    }
  });

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
        {sort && ` Sorted by ${sort.replace(/^-/, '').replace(/^fact:/, '')}, ${sort.startsWith('-') ? 'descending' : 'ascending'}, by the API.`}
      </p>
      <div ref={scroller} className="scroller" data-testid="hosts-scroller">
        <table className="grid" aria-rowcount={rows.length}>
          <thead>
            {table.getHeaderGroups().map((group) => (
              <tr key={group.id}>
                {group.headers.map((header) => {
                  const sorted = header.column.getIsSorted();
                  const title = flexRender(header.column.columnDef.header, header.getContext());
                  return (
                    <th key={header.id} aria-sort={sorted === 'asc' ? 'ascending' : sorted === 'desc' ? 'descending' : 'none'}>
                      {header.column.getCanSort() ? (
                        <button type="button" className="sort" onClick={header.column.getToggleSortingHandler()}>
                          {title}{sorted === 'asc' ? ' ▲' : sorted === 'desc' ? ' ▼' : ''}
                        </button>
                      ) : title}
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
