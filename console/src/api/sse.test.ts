import { describe, expect, it } from 'vitest';
import { SseParser } from './sse';

describe('SseParser', () => {
  it('splits events across chunks, skips comments, joins data lines', () => {
    const parser = new SseParser();
    expect(parser.push('event: progress\ndata: {"a":')).toEqual([]);
    expect(parser.push('1}\n\n: keep-alive\n\n')).toEqual([{ event: 'progress', data: '{"a":1}', id: '' }]);
    expect(parser.push('data: one\r\ndata: two\r\n\r\nevent: done\ndata: {}\n\n')).toEqual([
      { event: 'message', data: 'one\ntwo', id: '' },
      { event: 'done', data: '{}', id: '' },
    ]);
  });

  it('does not emit an event before its blank line', () => {
    const parser = new SseParser();
    expect(parser.push('event: done\ndata: {}\n')).toEqual([]);
    expect(parser.push('\n')).toEqual([{ event: 'done', data: '{}', id: '' }]);
  });

  it('carries the last id seen, which a reconnect resumes after', () => {
    const parser = new SseParser();
    expect(parser.push(': position 7.1\n\nid: 7.2\nevent: host.offline\ndata: {}\n\n')).toEqual([
      { event: 'host.offline', data: '{}', id: '7.2' },
    ]);
    expect(parser.push('event: host.online\ndata: {}\n\n')).toEqual([{ event: 'host.online', data: '{}', id: '7.2' }]);
  });
});
