import type { EventFilter, PageSpec } from '../../core/domain/filters.js';
import { INTERSECT_CAP, intersect, PROBE_CAP } from './event-intersect.js';
import { branchEntries, targetWalk } from './event-target.js';
import type { Plan } from './query-plan.js';
import type { SqlDialect } from './sql-dialect.js';
import { join, raw, type Sql, sql } from './sql-fragment.js';

/**
 * The cost-based part of the event planner: which B-tree should drive a page. Each equality filter with an
 * index of its own (actor, category, event type) is counted in the date range, up to PROBE_CAP entries —
 * an index-only count, so a probe costs at most a few thousand index entries however large the log. The
 * smallest count wins when it is under the cap: reading that index and checking the other conditions on at
 * most that many rows beats walking a page order that the conjunction may fill only after most of the log
 * (one hot user + one category + `from` over the log: 214 ms at 1M events, issue 18). When every count
 * reaches the cap, each filter alone is common: their intersection may still be small (event-intersect.ts);
 * else the engine's own choice stands.
 */
export { PROBE_CAP };

export interface Driver {
  /** The index to read by (SQLite names it with INDEXED BY; PostgreSQL's planner sees the same counts). */
  index: string;
  /** Entries of that index in the date range: exact, and below PROBE_CAP. */
  count: number;
  /** An intersection of indexes (event-intersect.ts): only the entries whose seq it yields. */
  within?: Sql;
  /** The intersection is empty: nothing to read. */
  empty?: boolean;
  /** Walked in page order (one value of the index), not sorted after; `count` is then its entries. */
  ordered?: boolean;
}

export interface Candidate {
  index: string;
  /** The filtered column (a covering index may hold it: SqlDialect.covers). */
  column: string;
  condition: Sql;
  /** One value: the index's entries for it are in page order (time, seq). */
  single: boolean;
}

/** The candidate with the fewest entries in the date range, each counted index-only up to `cap`. */
function* smallest(
  d: SqlDialect,
  tenant: string,
  f: EventFilter,
  found: Candidate[],
  cap: number,
): Plan<Driver> {
  const range = [
    f.fromMs === undefined ? undefined : sql` AND occurred_ms >= ${f.fromMs}`,
    f.toMs === undefined ? undefined : sql` AND occurred_ms < ${f.toMs}`,
  ].filter((p) => p !== undefined);
  const probes = found.map(
    ({ index, condition }, i) =>
      sql`(SELECT count(*) FROM (SELECT 1 FROM events ${raw(d.indexedBy(index))}
        WHERE tenant = ${tenant} AND ${condition}${join(range, '')} LIMIT ${cap}) p${raw(String(i))}) AS ${raw(`c${i}`)}`,
  );
  const [row] = yield sql`SELECT ${join(probes, ', ')}`;
  let best: Driver = { index: found[0]!.index, count: Number(row!.c0) };
  found.forEach(({ index }, i) => {
    const count = Number(row![`c${i}`]);
    if (count < best.count) best = { index, count };
  });
  return best;
}

function candidates(d: SqlDialect, f: EventFilter, actorIds: string[] | undefined): Candidate[] {
  const out: Candidate[] = [];
  const add = (index: string, column: string, values: string[]) =>
    out.push({ index, column, condition: d.inList(column, values), single: values.length === 1 });
  if (actorIds) add('events_actor', 'actor_id', actorIds);
  if (f.categories?.length) add('events_category', 'category', f.categories);
  if (f.eventTypes?.length) add('events_type', 'event_type', f.eventTypes.map(d.text));
  return out;
}

/**
 * The driving index for `f`, or undefined when no probed index is smaller than PROBE_CAP (or none applies).
 * One statement: a capped count per candidate.
 */
export function* chooseDriver(
  d: SqlDialect,
  tenant: string,
  f: EventFilter,
  actorIds: string[] | undefined,
  /** The page in time order (none for statistics or by seq): how soon, and from where, a walk may stop. */
  page?: PageSpec,
  /** How many entries the intersection may walk (event-intersect.ts). */
  intersectCap = INTERSECT_CAP,
): Plan<Driver | undefined> {
  const found = candidates(d, f, actorIds);
  if (found.length === 0) return undefined;
  const best = yield* smallest(d, tenant, f, found, PROBE_CAP);
  if (best.count < PROBE_CAP) return best;
  // A target under PROBE_CAP entries (counted index-only) is walked in page order (event-query-plan.ts,
  // source): an intersection of dense indexes first cost more (`eventType:telephony + user:hot +
  // targetType+Id:cold + from:most` at 1M skewed events: 27 ms of statements before the walk, 0 rows).
  const walk = page && targetWalk(d, f);
  if (walk && (yield* branchEntries(d, tenant, walk.branches, PROBE_CAP)) < PROBE_CAP) return undefined;
  return yield* intersect(d, tenant, f, found, page, intersectCap);
}

/**
 * For statistics, which count every match, when chooseDriver found none: the smallest candidate index,
 * however large. Left to itself SQLite reads the index whose order is the GROUP BY's and checks every row
 * (by category for one hot user, 300k events: 3–5 s, against 23–52 ms through the actor index). Counted in
 * rounds of 8× the cap, each reading every candidate up to the round's cap: a loser costs up to 8× the
 * winner's entries. Not with keywords or tags (target, IP, session): the chunks or their own B-trees narrow
 * those first (source), where a candidate index would be read whole (a rare keyword in a dense category,
 * 60k events: 1–6 ms, against 33–48 ms through the category's index). PostgreSQL's planner weighs the
 * indexes by its own statistics (no INDEXED BY): nothing to probe.
 */
export function* statsDriver(
  d: SqlDialect,
  tenant: string,
  f: EventFilter,
  actorIds: string[] | undefined,
): Plan<Driver | undefined> {
  const tagged = [f.target, f.targetType, f.targetId, f.ip, f.sessionId].some((v) => v !== undefined);
  if (f.terms?.length || tagged) return undefined;
  const found = candidates(d, f, actorIds);
  if (found.length === 0 || d.indexedBy(found[0]!.index) === '') return undefined;
  if (found.length === 1) return { index: found[0]!.index, count: PROBE_CAP };
  for (let cap = PROBE_CAP * 8; ; cap *= 8) {
    const best = yield* smallest(d, tenant, f, found, cap);
    if (best.count < cap) return best;
  }
}
