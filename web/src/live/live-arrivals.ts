import type { AuditEvent } from '../api/types.ts';
import type { MergedArrivals } from './merge-arrivals.ts';

/** Every event live mode has put into the table since it was switched on (for this query). */
export interface LiveArrivals {
  /** Their ids in table order, newest first. */
  ids: string[];
  /** Of those, how many were placed below the top row (recorded late, with an earlier time). */
  late: number;
}

/**
 * Adds one poll's insertions to those before it. The count and "Show" cover everything arrived since Live
 * was switched on, not the last poll only: with events arriving on every poll, the last batch alone would
 * hide the earlier ones. The ids are put in the order of `merged.items`, the rows as the table now shows them.
 */
export function addArrivals(prev: LiveArrivals | null, merged: MergedArrivals): LiveArrivals {
  const all = new Set([...(prev?.ids ?? []), ...merged.inserted]);
  return {
    ids: inTableOrder(merged.items, all),
    late: (prev?.late ?? 0) + merged.late,
  };
}

function inTableOrder(items: AuditEvent[], ids: ReadonlySet<string>): string[] {
  return items.filter((e) => ids.has(e.id)).map((e) => e.id);
}

/**
 * The arrival "Show" moves to next: the one after the row it showed last, in table order, from the newest
 * again after the last (or when the one shown last is gone).
 */
export function nextArrival(arrivals: LiveArrivals, lastShown: string | null): number {
  const at = lastShown === null ? -1 : arrivals.ids.indexOf(lastShown);
  return (at + 1) % arrivals.ids.length;
}
