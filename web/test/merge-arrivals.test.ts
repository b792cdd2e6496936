import { describe, expect, it } from 'vitest';
import type { AuditEvent } from '../src/api/types.ts';
import { mergeArrivals } from '../src/live/merge-arrivals.ts';

const ev = (id: string, seq: number, minute: number) =>
  ({ id, seq, occurredAt: `2026-03-01T10:${String(minute).padStart(2, '0')}:00.000Z` }) as AuditEvent;

// Loaded rows, newest first: 10:50, 10:40, 10:30.
const loaded = [ev('a', 3, 50), ev('b', 2, 40), ev('c', 1, 30)];

describe('mergeArrivals (live mode)', () => {
  it('puts a new event on top and a late one at its place by time', () => {
    const r = mergeArrivals(loaded, [ev('late', 4, 35), ev('new', 5, 55)], false);
    expect(r.items.map((e) => e.id)).toEqual(['new', 'a', 'b', 'late', 'c']);
    expect(r.inserted).toEqual(['new', 'late']);
    expect(r).toMatchObject({ late: 1, deferred: 0 });
  });

  it('skips rows already shown', () => {
    const r = mergeArrivals(loaded, [ev('a', 3, 50)], false);
    expect(r.items).toBe(loaded);
    expect(r.inserted).toEqual([]);
  });

  it('leaves events older than the loaded rows to paging while more pages remain', () => {
    const old = ev('old', 6, 10);
    expect(mergeArrivals(loaded, [old], true)).toMatchObject({ inserted: [], deferred: 1 });
    expect(mergeArrivals(loaded, [old], false).items.at(-1)?.id).toBe('old');
  });

  it('orders equal times by seq, as the API does', () => {
    const r = mergeArrivals(loaded, [ev('same-time', 7, 40)], false);
    expect(r.items.map((e) => e.id)).toEqual(['a', 'same-time', 'b', 'c']);
  });

  it('fills an empty table', () => {
    expect(mergeArrivals([], [ev('x', 1, 1)], false)).toMatchObject({ inserted: ['x'], late: 0 });
  });
});
