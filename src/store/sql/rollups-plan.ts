import type { EventFilter, StatsKey } from '../../core/domain/filters.js';
import {
  ceilQuarter,
  ceilWeek,
  DAY_MS,
  MONTHLY_DIMS,
  monthStart,
  QUARTERLY_DIMS,
  quarterStart,
  ROLLUP_DIMS,
  WEEKLY_DIMS,
  weekStart,
} from './rollups-sql.js';
import type { Sql } from './sql-fragment.js';

/** Rollup rows of one `dim` whose `day_ms` is in [from, to) (an end left out is open), taken off if `minus`. */
export interface RollupSpan {
  dim: string;
  from?: number;
  to?: number;
  minus?: true;
}

/** What a stats query reads: spans of rollup rows covering its whole days, and edge ranges of the events. */
export interface RollupPlan {
  /**
   * Whole quarters from quarterly rows where the dimension has them, the whole months around them from
   * monthly rows, the whole weeks around those from weekly rows, the days around those from per-day rows.
   */
  spans: RollupSpan[];
  /** Only these keys of the dimension (the filter's own values of the grouped dimension). */
  keys?: string[];
  /** Stats by user for some users: only the rollup rows of these actor ids or folded usernames (rollup-stats.ts). */
  users?: { ids: string[]; folded: string[] };
  /** [fromMs, toMs) ranges of partial days, counted from the events. */
  edges: [number, number][];
  /** Combination rows (COMBO_DIM): only these labels, and each row's group (combo-stats.ts). */
  labels?: string[];
  group?: Sql;
}

const floorDay = (ms: number) => ms - (((ms % DAY_MS) + DAY_MS) % DAY_MS);
const ceilDay = (ms: number) => (floorDay(ms) === ms ? ms : floorDay(ms) + DAY_MS);
/** The first month start at or after a UTC midnight (31 days after a month's start is in the next one). */
const ceilMonth = (day: number) =>
  monthStart(day) === day ? day : monthStart(monthStart(day) + 31 * DAY_MS);

/** Whole days [from, to) of `dim`: whole weeks from `weekly` rows where it has them, the days around them. */
function weeksAndDays(dim: string, weekly: string | undefined, from: number, to: number): RollupSpan[] {
  const w0 = ceilWeek(from);
  const w1 = weekStart(to);
  if (!weekly || w0 >= w1) return [{ dim, from, to }];
  const out: RollupSpan[] = [{ dim: weekly, from: w0, to: w1 }];
  if (from < w0) out.push({ dim, from, to: w0 });
  if (w1 < to) out.push({ dim, from: w1, to });
  return out;
}

/** Whole months [m0, m1) of `monthly` (an end left out is open): whole quarters from `quarterly`, months around. */
function quartersAndMonths(monthly: string, quarterly: string, m0?: number, m1?: number): RollupSpan[] {
  const q0 = m0 === undefined ? undefined : ceilQuarter(m0);
  const q1 = m1 === undefined ? undefined : quarterStart(m1);
  if (q0 !== undefined && q1 !== undefined && q0 >= q1) return [{ dim: monthly, from: m0, to: m1 }];
  const out: RollupSpan[] = [{ dim: quarterly, from: q0, to: q1 }];
  if (m0 !== undefined && m0 < q0!) out.push({ dim: monthly, from: m0, to: q0 });
  if (m1 !== undefined && q1! < m1) out.push({ dim: monthly, from: q1, to: m1 });
  return out;
}

interface Periods {
  monthly: string;
  weekly: string;
  quarterly: string;
}

/**
 * Rows a span is expected to read, in actor-days: a week's or a month's row per actor is about 1.3 or 1.4
 * days' (10M skewed events: ~3,850 actors a day, ~5,100 a week, ~5,400 a month); a period that starts after
 * today holds nothing yet.
 */
function cost(span: RollupSpan, p: Periods, tomorrow: number): number {
  const [unit, length] =
    span.dim === p.monthly ? [1.4, 0] : span.dim === p.weekly ? [1.3, 7 * DAY_MS] : [1, DAY_MS];
  const live = Math.min(span.to!, tomorrow) - span.from!;
  if (live <= 0) return 0;
  return length === 0 ? unit : unit * Math.ceil(live / length);
}

/**
 * The ragged days [from, to) inside one month, two ways: its weeks and days, or the month's row less the weeks
 * and days of the month outside them (a range ending today: the month so far, less today); and how many
 * actor-days of rows the second saves (`cost`).
 */
function ragged(dim: string, p: Periods, from: number, to: number, now: number) {
  const inside = weeksAndDays(dim, p.weekly, from, to);
  const month = monthStart(from);
  const [a, b] = month === from ? [to, ceilMonth(to)] : [month, from];
  const less = weeksAndDays(dim, p.weekly, a, b).map((s): RollupSpan => ({ ...s, minus: true }));
  const outside: RollupSpan[] = [{ dim: p.monthly, from: month, to: month + DAY_MS }, ...less];
  const tomorrow = floorDay(now) + DAY_MS;
  const sum = (spans: RollupSpan[]) => spans.reduce((n, s) => n + cost(s, p, tomorrow), 0);
  return { inside, outside, saving: sum(inside) - sum(outside) };
}

/**
 * Taking rows off costs a second grouping (rollup-stats.ts), once per query: ~1.5 ms at 10M events, about a
 * day's rows, so the ragged parts are read as months less their outside days only when they save more.
 */
const SIGNED_MIN_SAVING = 1;

/**
 * The spans of whole days [firstDay, endDay) of `dim`: one, or for a dimension with quarterly, monthly and
 * weekly rows, its whole quarters and the whole months around them, then the ragged parts before and after
 * those (`ragged`).
 */
function spans(
  dim: string,
  periods: Periods | undefined,
  now: number,
  firstDay?: number,
  endDay?: number,
): RollupSpan[] {
  const m0 = firstDay === undefined ? undefined : ceilMonth(firstDay);
  const m1 = endDay === undefined ? undefined : monthStart(endDay);
  const weekly = periods?.weekly;
  if (!periods || (m0 !== undefined && m1 !== undefined && m0 >= m1)) {
    // Without a whole month a range is bounded (an open end would hold every month before or after it).
    return firstDay === undefined || endDay === undefined
      ? [{ dim, from: firstDay, to: endDay }]
      : weeksAndDays(dim, weekly, firstDay, endDay);
  }
  const out = quartersAndMonths(periods.monthly, periods.quarterly, m0, m1);
  const parts = [];
  if (firstDay !== undefined && firstDay < m0!) parts.push(ragged(dim, periods, firstDay, m0!, now));
  if (endDay !== undefined && m1! < endDay) parts.push(ragged(dim, periods, m1!, endDay, now));
  const signed = parts.reduce((n, part) => n + Math.max(part.saving, 0), 0) >= SIGNED_MIN_SAVING;
  for (const part of parts) out.push(...(signed && part.saving > 0 ? part.outside : part.inside));
  return out;
}

/** Keys of a filter that are not conditions of their own: the range, and the folded form of `users`. */
const IMPLIED: (keyof EventFilter)[] = ['fromMs', 'toMs', 'usersFolded'];

/** The filter's array of the grouped dimension; `user` is not one (it also matches usernames). */
const OWN_VALUES: Partial<Record<StatsKey, keyof EventFilter>> = {
  category: 'categories',
  action: 'actions',
  eventType: 'eventTypes',
};

/**
 * Whether the rollups answer this stats query, and how: the filter may hold a time range and the values of
 * the grouped dimension (for `day`, of one of category, action or event type; for `user`, users), nothing
 * else; the range must cover at least one whole UTC day (else the scan of its events is as cheap).
 */
export function rollupPlan(f: EventFilter, groupBy: StatsKey, now = Date.now()): RollupPlan | undefined {
  // usersFolded travels with users; anything else is a condition the rollups do not hold.
  const present = (Object.keys(f) as (keyof EventFilter)[]).filter((k) => {
    const v = f[k];
    return v !== undefined && !(Array.isArray(v) && v.length === 0) && !IMPLIED.includes(k);
  });
  let dim: string = groupBy === 'day' ? ROLLUP_DIMS.category : ROLLUP_DIMS[groupBy];
  let keys: string[] | undefined;
  let users: RollupPlan['users'];
  if (present.length > 1) return undefined;
  if (present.length === 1) {
    const k = present[0]!;
    const own = groupBy === 'day' ? Object.entries(OWN_VALUES).find(([, v]) => v === k)?.[0] : undefined;
    if (groupBy === 'day' && own) dim = ROLLUP_DIMS[own as keyof typeof ROLLUP_DIMS];
    else if (groupBy === 'user' && k === 'users') users = { ids: f.users!, folded: f.usersFolded ?? [] };
    else if (OWN_VALUES[groupBy] !== k) return undefined;
    if (!users) keys = f[k] as string[];
  }
  const firstDay = f.fromMs === undefined ? undefined : ceilDay(f.fromMs);
  const endDay = f.toMs === undefined ? undefined : floorDay(f.toMs);
  if (firstDay !== undefined && endDay !== undefined && firstDay >= endDay) return undefined;
  const edges: [number, number][] = [];
  if (f.fromMs !== undefined && firstDay! > f.fromMs) edges.push([f.fromMs, firstDay!]);
  if (f.toMs !== undefined && endDay! < f.toMs) edges.push([endDay!, f.toMs]);
  const periods =
    groupBy === 'user'
      ? { monthly: MONTHLY_DIMS.user, weekly: WEEKLY_DIMS.user, quarterly: QUARTERLY_DIMS.user }
      : undefined;
  const spanned = spans(dim, periods, now, firstDay, endDay);
  return { spans: spanned, ...(keys ? { keys } : {}), ...(users ? { users } : {}), edges };
}
