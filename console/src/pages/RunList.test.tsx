import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import type { Run, RunPage } from '../api/client';
import { RUN_PAGE, RunList } from './RunList';

const HOSTS = 250;
const run = (i: number): Run => ({
  runId: `run-${i}`, hostId: `host-${String(i).padStart(4, '0')}`, state: 'succeeded', exitCode: 0,
  stdout: `output of host ${i}\n`, stderr: '', stdoutBytes: 20, stderrBytes: 0, outputCut: false, output: null,
  truncated: false, startedAt: null, finishedAt: null, reason: null, result: null,
});

// The API's paging as RunRepository does it: ordered by host id, the cursor is the last host id.
function answer(url: string): RunPage {
  const params = new URL(url, 'http://console').searchParams;
  const limit = Number(params.get('limit'));
  const after = params.get('cursor');
  const all = Array.from({ length: HOSTS }, (_, i) => run(i));
  const from = after === null ? 0 : all.findIndex((r) => r.hostId === after) + 1;
  const items = all.slice(from, from + limit);
  return { items, next: from + limit < HOSTS ? items[items.length - 1].hostId : null };
}

// jsdom lays nothing out: the scroller gets a height and each run a size so the virtualizer has a window.
const sizes = { clientHeight: 450, clientWidth: 800, offsetHeight: 90, offsetWidth: 800 };
const saved = Object.fromEntries(Object.keys(sizes).map((k) => [k, Object.getOwnPropertyDescriptor(HTMLElement.prototype, k)]));
beforeAll(() => {
  for (const [k, v] of Object.entries(sizes)) Object.defineProperty(HTMLElement.prototype, k, { configurable: true, get: () => v });
});
afterAll(() => {
  for (const [k, d] of Object.entries(saved)) if (d) Object.defineProperty(HTMLElement.prototype, k, d);
});

describe('the runs of a task', () => {
  afterEach(() => { cleanup(); vi.unstubAllGlobals(); });

  it('pages by the API\'s cursor as the list scrolls, so every host\'s output is reachable', async () => {
    const asked: string[] = [];
    vi.stubGlobal('fetch', vi.fn(async (url: string) => {
      asked.push(url);
      return new Response(JSON.stringify(answer(url)), { status: 200, headers: { 'Content-Type': 'application/json' } });
    }));
    const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
    render(<QueryClientProvider client={client}><RunList taskId="t1" state="" open={false} /></QueryClientProvider>);

    await screen.findByText(/output of host 0\b/);
    expect(screen.getByTestId('runs-loaded').textContent).toBe(`${RUN_PAGE} runs loaded, more as you scroll.`);
    expect(asked).toEqual([`/api/v1/tasks/t1/runs?limit=${RUN_PAGE}`]);
    // A window of runs is in the DOM, not the page.
    expect(screen.getAllByTestId('run').length).toBeLessThan(20);

    const scroller = screen.getByTestId('runs-scroller');
    const scrollTo = async (index: number, loaded: number) => {
      scroller.scrollTop = index * 90;
      fireEvent.scroll(scroller);
      await waitFor(() => expect(screen.getByTestId('runs-loaded').textContent).toMatch(new RegExp(`^${loaded} runs loaded`)));
    };
    await scrollTo(90, 200);
    expect(asked[1]).toBe(`/api/v1/tasks/t1/runs?limit=${RUN_PAGE}&cursor=host-0099`);
    await scrollTo(190, 250);
    expect(asked[2]).toBe(`/api/v1/tasks/t1/runs?limit=${RUN_PAGE}&cursor=host-0199`);
    expect(screen.getByTestId('runs-loaded').textContent).toBe('250 runs loaded.');

    scroller.scrollTop = 245 * 90;
    fireEvent.scroll(scroller);
    await screen.findByText(/output of host 249\b/);
    expect(asked).toHaveLength(3);
  });

  it('asks for a state when one is chosen and says when no run is in it', async () => {
    const asked: string[] = [];
    vi.stubGlobal('fetch', vi.fn(async (url: string) => {
      asked.push(url);
      return new Response(JSON.stringify({ items: [], next: null }), { status: 200, headers: { 'Content-Type': 'application/json' } });
    }));
    render(<QueryClientProvider client={new QueryClient()}><RunList taskId="t2" state="failed" open={false} /></QueryClientProvider>);
    await screen.findByText('No run is failed.');
    expect(asked).toEqual([`/api/v1/tasks/t2/runs?state=failed&limit=${RUN_PAGE}`]);
  });
});
