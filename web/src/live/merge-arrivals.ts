import type { AuditEvent } from '../api/types.ts';

/** Newest first: by occurredAt, then seq — the API's own order. */
export function compareNewestFirst(a: AuditEvent, b: AuditEvent): number {
  if (a.occurredAt !== b.occurredAt) return a.occurredAt < b.occurredAt ? 1 : -1;
  return b.seq - a.seq;
}

export interface MergedArrivals {
  items: AuditEvent[];
  /** The ids inserted, in table order. */
  inserted: string[];
  /** How many of them sort below the row that was on top: recorded late, with an earlier occurredAt. */
  late: number;
  /** Arrivals older than every loaded row while more pages remain: scrolling on loads them in their place. */
  deferred: number;
}

/**
 * Puts newly recorded events (GET /v1/events?afterSeq=…) into the loaded, newest-first rows at their place
 * by time — a late event with an old occurredAt lands further down, not on top. Rows already shown are
 * skipped. An event that sorts after the last loaded row is left out while more pages remain: the keyset
 * page that follows the last row will contain it, so adding it now would show it twice.
 */
export function mergeArrivals(items: AuditEvent[], arrivals: AuditEvent[], hasMore: boolean): MergedArrivals {
  const known = new Set(items.map((e) => e.id));
  const last = items.at(-1);
  const top = items[0];
  const insert: AuditEvent[] = [];
  let deferred = 0;
  for (const e of arrivals) {
    if (known.has(e.id)) continue;
    known.add(e.id);
    if (hasMore && last && compareNewestFirst(e, last) > 0) deferred++;
    else insert.push(e);
  }
  if (insert.length === 0) return { items, inserted: [], late: 0, deferred };
  const ids = new Set(insert.map((e) => e.id));
  const merged = [...items, ...insert].sort(compareNewestFirst);
  return {
    items: merged,
    inserted: merged.filter((e) => ids.has(e.id)).map((e) => e.id),
    late: top ? insert.filter((e) => compareNewestFirst(e, top) > 0).length : 0,
    deferred,
  };
}
