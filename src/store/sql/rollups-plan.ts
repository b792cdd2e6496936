import type { EventFilter, StatsKey } from '../../core/domain/filters.js';
import { DAY_MS, ROLLUP_DIMS } from './rollups-sql.js';

/** What a stats query reads from the rollups: a dimension, whole days [firstDay, endDay), edge ranges. */
export interface RollupPlan {
  dim: string;
  /** Only these keys of the dimension (the filter's own values of the grouped dimension). */
  keys?: string[];
  firstDay?: number;
  endDay?: number;
  /** [fromMs, toMs) ranges of partial days, counted from the events. */
  edges: [number, number][];
}

const floorDay = (ms: number) => ms - (((ms % DAY_MS) + DAY_MS) % DAY_MS);
const ceilDay = (ms: number) => (floorDay(ms) === ms ? ms : floorDay(ms) + DAY_MS);

/** The filter's array of the grouped dimension; `user` is not one (it also matches usernames). */
const OWN_VALUES: Partial<Record<StatsKey, keyof EventFilter>> = {
  category: 'categories',
  action: 'actions',
  eventType: 'eventTypes',
};

/**
 * Whether the rollups answer this stats query, and how: the filter may hold a time range and the values of
 * the grouped dimension (for `day`, of one of category, action or event type), nothing else; the range must
 * cover at least one whole UTC day (else the scan of its events is as cheap).
 */
export function rollupPlan(f: EventFilter, groupBy: StatsKey): RollupPlan | undefined {
  const present = (Object.keys(f) as (keyof EventFilter)[]).filter((k) => {
    const v = f[k];
    return v !== undefined && !(Array.isArray(v) && v.length === 0) && k !== 'fromMs' && k !== 'toMs';
  });
  // usersFolded travels with users; anything else is a condition the rollups do not hold.
  let dim: string = groupBy === 'day' ? ROLLUP_DIMS.category : ROLLUP_DIMS[groupBy];
  let keys: string[] | undefined;
  if (present.length > 1) return undefined;
  if (present.length === 1) {
    const k = present[0]!;
    const own = groupBy === 'day' ? Object.entries(OWN_VALUES).find(([, v]) => v === k)?.[0] : undefined;
    if (groupBy === 'day' && own) dim = ROLLUP_DIMS[own as keyof typeof ROLLUP_DIMS];
    else if (OWN_VALUES[groupBy] !== k) return undefined;
    keys = f[k] as string[];
  }
  const firstDay = f.fromMs === undefined ? undefined : ceilDay(f.fromMs);
  const endDay = f.toMs === undefined ? undefined : floorDay(f.toMs);
  if (firstDay !== undefined && endDay !== undefined && firstDay >= endDay) return undefined;
  const edges: [number, number][] = [];
  if (f.fromMs !== undefined && firstDay! > f.fromMs) edges.push([f.fromMs, firstDay!]);
  if (f.toMs !== undefined && endDay! < f.toMs) edges.push([endDay!, f.toMs]);
  return { dim, ...(keys ? { keys } : {}), firstDay, endDay, edges };
}
