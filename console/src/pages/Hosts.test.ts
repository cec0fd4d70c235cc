import { describe, expect, it } from 'vitest';
import { sortingOf, sortParam } from './Hosts';

describe('the hosts table sort and the API parameter', () => {
  it('round-trips one column in either direction', () => {
    expect(sortParam([{ id: 'lastSeen', desc: true }])).toBe('-lastSeen');
    expect(sortParam([{ id: 'fact:cpu.cores', desc: false }])).toBe('fact:cpu.cores');
    expect(sortParam([])).toBe('');
    expect(sortingOf('-fact:kernel.release')).toEqual([{ id: 'fact:kernel.release', desc: true }]);
    expect(sortingOf('')).toEqual([]);
    expect(sortParam(sortingOf('-state'))).toBe('-state');
  });
});
