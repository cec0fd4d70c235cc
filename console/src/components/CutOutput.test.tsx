import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { CutOutput } from './CutOutput';
import type { Run } from '../api/client';

const run = (over: Partial<Run>): Run => ({
  runId: '0f8e7c1a-1d2b-4c3d-8e9f-0a1b2c3d4e5f', hostId: 'web-1', state: 'succeeded', exitCode: 0,
  stdout: 'first part', stderr: '', stdoutBytes: 3 * 1024 * 1024, stderrBytes: 12, outputCut: true,
  output: '/api/v1/tasks/t/runs/r/output', truncated: false, startedAt: null, finishedAt: null, reason: null, result: null,
  ...over,
});

describe('a run whose output the page cut', () => {
  afterEach(cleanup);

  it('says what is stored and loads the stream asked for, from the run\'s output link', async () => {
    const asked: string[] = [];
    render(<CutOutput run={run({})} load={async (path, stream) => { asked.push(`${path}?stream=${stream}`); return 'the whole stdout'; }} />);

    expect(screen.getByTestId('cut-output').textContent).toContain('stdout 3.0 MiB, stderr 12 B stored');
    fireEvent.click(screen.getByRole('button', { name: 'Whole stdout' }));

    expect((await screen.findByLabelText('whole stdout')).textContent).toBe('the whole stdout');
    expect(asked).toEqual(['/api/v1/tasks/t/runs/r/output?stream=stdout']);
  });

  it('says why when the output cannot be loaded', async () => {
    render(<CutOutput run={run({})} load={async () => { throw new Error('task t has no run r'); }} />);
    fireEvent.click(screen.getByRole('button', { name: 'Whole stderr' }));

    expect((await screen.findByRole('alert')).textContent).toContain('task t has no run r');
  });

  it('shows nothing for a run whose output is whole on the page', () => {
    const { container } = render(<CutOutput run={run({ outputCut: false, output: null })} />);
    expect(container.innerHTML).toBe('');
  });
});
