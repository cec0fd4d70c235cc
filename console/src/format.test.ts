import { describe, expect, it } from 'vitest';
import { ago, bytes, factText, parseLabels } from './format';
import { allows, mayAdminister } from './auth';
import { taskRequest } from './pages/RunPage';
import { problemOf } from './api/client';

describe('format', () => {
  it('bytes in binary units, proto3 int64 strings included', () => {
    expect(bytes(0)).toBe('0 B');
    expect(bytes(1536)).toBe('1.5 KiB');
    expect(bytes('824633720832')).toBe('768 GiB');
    expect(factText('mem.total_bytes', 1073741824)).toBe('1.0 GiB');
    expect(factText('cpu.cores', 96)).toBe('96');
  });

  it('relative times', () => {
    const now = Date.parse('2026-12-02T12:00:00Z');
    expect(ago(null, now)).toBe('never');
    expect(ago('2026-12-02T11:59:30Z', now)).toBe('30 s ago');
    expect(ago('2026-12-02T09:00:00Z', now)).toBe('3 h ago');
  });

  it('labels editor lines, with the bad line named', () => {
    expect(parseLabels('role=web\n\n team = payments ')).toEqual({ labels: { role: 'web', team: 'payments' } });
    expect(parseLabels('role=web\nnonsense')).toEqual({ error: "line 2: expected key=value, got 'nonsense'" });
  });
});

describe('roles', () => {
  it('nest viewer < operator < admin; admin pages need an unscoped admin', () => {
    expect(allows('viewer', 'operator')).toBe(false);
    expect(allows('operator', 'operator')).toBe(true);
    expect(allows('admin', 'viewer')).toBe(true);
    const admin = { tokenId: 't', name: 'n', role: 'admin' as const, scope: null, expiresAt: null };
    expect(mayAdminister(admin)).toBe(true);
    expect(mayAdminister({ ...admin, scope: 'team=a' })).toBe(false);
    expect(mayAdminister({ ...admin, role: 'operator' })).toBe(false);
  });
});

describe('task request', () => {
  it('exec takes the command line as a shell; JSON kinds are checked before any call', () => {
    expect(taskRequest('role=web', 'exec', 'uname -a', '', 30, false)).toEqual({
      request: { target: { selector: 'role=web' }, kind: 'exec', spec: { shell: 'uname -a' }, timeoutSeconds: 30, dryRun: false },
    });
    expect(taskRequest('', 'exec', '  ', '', 30, false)).toEqual({ error: 'the command line is empty' });
    expect(taskRequest('', 'config', '', '{"resources":', 30, true)).toHaveProperty('error');
    expect(taskRequest('', 'config', '', '[1]', 30, true)).toEqual({ error: 'the spec must be a JSON object' });
  });
});

describe('problems', () => {
  it('a problem body is kept as it is; anything else becomes one that says what came back', async () => {
    const body = { type: 'urn:muster:problem:invalid-selector', title: 'Bad request', status: 400, detail: 'x', instance: '/a', column: 5 };
    expect(await problemOf(new Response(JSON.stringify(body), { status: 400 }), '/a')).toEqual(body);
    const other = await problemOf(new Response('<html>gateway</html>', { status: 502, statusText: 'Bad Gateway' }), '/b');
    expect(other).toMatchObject({ status: 502, title: 'Bad Gateway', detail: '<html>gateway</html>', instance: '/b' });
  });
});
