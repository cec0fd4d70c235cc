import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, render, screen } from '@testing-library/react';
import { DriftDetail, driftsOf, lineKind } from './DriftDetail';

// A drift event's detail as the agent's DriftReport writes it.
const detail = {
  drifts: [{
    resource: 'file', path: '/etc/motd', description: 'content differs',
    diff: '--- /etc/motd (applied)\n+++ /etc/motd (now)\n@@ -1,2 +1,2 @@\n managed by muster\n-hello\n+changed by hand\n',
  }],
  count: 1, digest: 'abc', resolved: false, eventId: 'drift-1',
};

describe('a drift event', () => {
  afterEach(cleanup);

  it('shows its unified diff in a <pre>, each line with its +/- and the class of its kind', () => {
    const drifts = driftsOf(detail);
    expect(drifts).toHaveLength(1);
    render(<DriftDetail drifts={drifts!} />);
    expect(screen.getByText('/etc/motd').parentElement!.textContent).toBe('/etc/motd (file): content differs');
    const pre = screen.getByTestId('drift-diff');
    expect(pre.tagName).toBe('PRE');
    expect(pre.textContent).toBe(detail.drifts[0].diff);
    const kinds = [...pre.querySelectorAll('span')].map((s) => `${s.className} ${s.textContent!.trimEnd()}`);
    expect(kinds).toEqual([
      'diff-file --- /etc/motd (applied)', 'diff-file +++ /etc/motd (now)', 'diff-hunk @@ -1,2 +1,2 @@',
      'diff-context  managed by muster', 'diff-del -hello', 'diff-add +changed by hand',
    ]);
  });

  it('says when the drift is resolved, and is not a drift for any other detail', () => {
    render(<DriftDetail drifts={driftsOf({ drifts: [], resolved: true })!} />);
    expect(screen.getByText(/Resolved/)).toBeTruthy();
    expect(driftsOf({ from: 'ready', to: 'cordoned' })).toBeNull();
    expect(driftsOf(null)).toBeNull();
    expect(lineKind('+x')).toBe('add');
    expect(lineKind('-x')).toBe('del');
  });
});
