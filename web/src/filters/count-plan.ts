import type { Params } from '../api/client.ts';

/** The dimensions the server keeps per-day counts of (its rollups), as stats `groupBy` and filter names. */
const ROLLUP_DIMENSIONS = ['action', 'category', 'eventType', 'user'] as const;
export type RollupDimension = (typeof ROLLUP_DIMENSIONS)[number];
/** The dimensions the server also keeps per-day counts of together, any of them filtered at once. */
const COMBO_DIMENSIONS = ['action', 'category', 'eventType'] as const;

const present = (v: Params[string]) =>
  v !== undefined && v !== null && v !== '' && !(Array.isArray(v) && v.length === 0);

/**
 * The `groupBy` under which the server counts a query's matches from its per-day rollups rather than by
 * reading the events — a date range (or none) with at most one of action, category, event type or user,
 * counted by that dimension, or with any of action, category and event type together (docs/postgres.md,
 * Statistics rollups; the rules are `rollupPlan` and `comboPlan` in the store) — or
 * null when counting would read every matching event. Partial days at a range's edges are read, at most two
 * days'. (A tenant whose personal data is encrypted has its users counted from the events: the UI cannot tell.)
 */
export function rollupCountGroup(params: Params): RollupDimension | null {
  const filters = Object.keys(params).filter((k) => k !== 'from' && k !== 'to' && present(params[k]));
  if (filters.length === 0) return 'action';
  const [only] = filters;
  if (filters.length === 1 && (ROLLUP_DIMENSIONS as readonly string[]).includes(only!))
    return only as RollupDimension;
  // Several of action, category and event type: the rollups of the three together (`comboPlan`).
  return filters.every((k) => (COMBO_DIMENSIONS as readonly string[]).includes(k)) ? 'action' : null;
}
