import { describe, expect, it } from 'vitest';
import type { AuditEvent } from '../src/api/types.ts';
import { addArrivals, nextArrival } from '../src/live/live-arrivals.ts';
import { mergeArrivals } from '../src/live/merge-arrivals.ts';

const ev = (id: string, seq: number, minute: number) =>
  ({ id, seq, occurredAt: `2026-03-01T10:${String(minute).padStart(2, '0')}:00.000Z` }) as AuditEvent;

const loaded = [ev('a', 3, 50), ev('b', 2, 40), ev('c', 1, 30)];

describe('live arrivals: counted and shown since Live was switched on', () => {
  it('adds each poll to the ones before, in table order, late ones counted', () => {
    const first = mergeArrivals(loaded, [ev('n1', 4, 51)], false);
    let arrivals = addArrivals(null, first);
    expect(arrivals).toEqual({ ids: ['n1'], late: 0 });
    const second = mergeArrivals(first.items, [ev('late', 5, 35), ev('n2', 6, 52)], false);
    arrivals = addArrivals(arrivals, second);
    expect(arrivals).toEqual({ ids: ['n2', 'n1', 'late'], late: 1 });
  });

  it('"Show" goes on from the one shown last, and wraps to the newest', () => {
    const arrivals = { ids: ['n3', 'n2', 'n1'], late: 0 };
    expect(nextArrival(arrivals, null)).toBe(0);
    expect(nextArrival(arrivals, 'n2')).toBe(2);
    expect(nextArrival(arrivals, 'n1')).toBe(0);
    expect(nextArrival(arrivals, 'gone')).toBe(0);
  });
});
