import type { EventFilter, Keyset } from '../../core/domain/filters.js';
import type { Plan } from './query-plan.js';
import type { SqlDialect } from './sql-dialect.js';
import { join, raw, type Sql, sql } from './sql-fragment.js';

/**
 * Where a bounded keyword scan stops (Store.searchEvents, in time order). The scan examines at most
 * `scanLimit` entries of one index in page order from the cursor: the entries of a filter of one value
 * with a B-tree of its own (a user, a category, an event type) when there is one — of those, the index
 * whose `scanLimit` entries reach farthest —, else the entries of the date range. Bounding the entries
 * *read* rather than those matching every other filter keeps a page's cost at `scanLimit` rows whatever
 * the filters: common ones that are rare together, or that contradict, made the old bound walk most of
 * the log, twice (10.5 s at 1M skewed events, issue 18).
 */
export interface ScanWindow {
  /** The index walked (SQLite: INDEXED BY); undefined: the engine's choice over the date range. */
  index?: string;
  /** The last entry examined; undefined when the index ends within the window (the scan is complete). */
  edge?: Keyset;
}

function candidates(d: SqlDialect, f: EventFilter, actorIds: string[] | undefined): [string, Sql][] {
  const out: [string, Sql][] = [];
  if (actorIds?.length === 1) out.push(['events_actor', sql`e.actor_id = ${actorIds[0]}`]);
  if (f.categories?.length === 1) out.push(['events_category', sql`e.category = ${f.categories[0]}`]);
  if (f.eventTypes?.length === 1) out.push(['events_type', sql`e.event_type = ${d.text(f.eventTypes[0]!)}`]);
  return out;
}

/**
 * One statement: per candidate index, its `scanLimit`-th entry in page order within `bounds` (tenant, date
 * range, keyset — conditions every index below answers alone), an index-only walk of at most `scanLimit`
 * entries. A candidate without a row ends within the window: reading it whole is the bounded scan.
 */
export function* scanWindow(
  d: SqlDialect,
  f: EventFilter,
  actorIds: string[] | undefined,
  bounds: Sql,
  order: 'asc' | 'desc',
  scanLimit: number,
): Plan<ScanWindow> {
  const found = candidates(d, f, actorIds);
  const arm = (i: number, index?: string, condition?: Sql) =>
    edgeOf(d, i, bounds, order, scanLimit, index, condition);
  if (found.length === 0) {
    const [row] = yield arm(0, undefined, undefined);
    return row ? { edge: keyset(row) } : {};
  }
  const rows = yield join(
    found.map(([index, condition], i) => arm(i, index, condition)),
    ' UNION ALL ',
  );
  const edges = new Map(rows.map((r) => [Number(r.i), keyset(r)]));
  let best: ScanWindow | undefined;
  for (const [i, [index]] of found.entries()) {
    const edge = edges.get(i);
    if (!edge) return { index };
    if (!best || beyond(edge, best.edge!, order)) best = { index, edge };
  }
  return best!;
}

/**
 * A target walked with keywords (event-query-plan.ts, when its keywords are in too many chunks): where the
 * walk of its branches stops, the `scanLimit`-th entry in page order of each branch within `bounds` — the
 * nearest of them, so that no branch walks more — or undefined when every branch ends within the window.
 */
export function* branchWindow(
  d: SqlDialect,
  branches: readonly { index: string; condition: Sql }[],
  bounds: Sql,
  order: 'asc' | 'desc',
  scanLimit: number,
): Plan<Keyset | undefined> {
  const arms = branches.map(({ index, condition }, i) =>
    edgeOf(d, i, bounds, order, scanLimit, index, condition),
  );
  const rows = yield join(arms, ' UNION ALL ');
  let nearest: Keyset | undefined;
  for (const edge of rows.map(keyset)) if (!nearest || beyond(nearest, edge, order)) nearest = edge;
  return nearest;
}

/**
 * Arm `i` of a window statement: the `scanLimit`-th entry in page order within `bounds` (and `condition`),
 * through `index` or the engine's choice — an index-only walk of at most `scanLimit` entries.
 */
function edgeOf(
  d: SqlDialect,
  i: number,
  bounds: Sql,
  order: 'asc' | 'desc',
  scanLimit: number,
  index?: string,
  condition?: Sql,
): Sql {
  const dir = raw(order === 'desc' ? 'DESC' : 'ASC');
  const where = condition ? sql`${bounds} AND ${condition}` : bounds;
  const from = index ? raw(`events e ${d.indexedBy(index)}`) : raw('events e');
  return sql`SELECT ${raw(String(i))} AS i, w${raw(String(i))}.* FROM (SELECT e.occurred_ms AS "occurredMs", e.seq
    FROM ${from} WHERE ${where} ORDER BY e.occurred_ms ${dir}, e.seq ${dir}
    LIMIT 1 OFFSET ${scanLimit - 1}) w${raw(String(i))}`;
}

const keyset = (r: Record<string, unknown>): Keyset => ({
  occurredMs: Number(r.occurredMs),
  seq: Number(r.seq),
});

/** `a` comes after `b` in page order. */
function beyond(a: Keyset, b: Keyset, order: 'asc' | 'desc'): boolean {
  const cmp = a.occurredMs - b.occurredMs || a.seq - b.seq;
  return order === 'desc' ? cmp < 0 : cmp > 0;
}
