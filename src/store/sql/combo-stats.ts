import type { EventFilter, StatsKey } from '../../core/domain/filters.js';
import type { StatsGroup } from '../../core/domain/rows.js';
import type { Plan } from './query-plan.js';
import { rollupStats } from './rollup-stats.js';
import { type RollupPlan, rollupPlan } from './rollups-plan.js';
import { COMBO_DIM } from './rollups-sql.js';
import type { SqlDialect } from './sql-dialect.js';
import { and, join, type Sql, sql } from './sql-fragment.js';

/**
 * Statistics that filter by event type, action or category and group by another of them (or by day): by
 * event type for `action=delete`, by day for `category=telephony&action=update`. The rollups of one dimension
 * cannot answer them; the per-day rows of the three together (COMBO_DIM) can, exactly, from a few rows a day
 * however many events. (Without them such a count read every matching event: 1–3 s at 300k on SQLite.)
 *
 * The plan: the filter holds nothing else but a range with at least one whole UTC day (as rollupPlan asks).
 */
export function comboPlan(f: EventFilter, groupBy: StatsKey, now = Date.now()): RollupPlan | undefined {
  if (groupBy === 'user') return undefined;
  const { categories: _c, actions: _a, eventTypes: _t, ...rest } = f;
  const range = rollupPlan(rest, 'eventType', now);
  return range && { ...range, spans: range.spans.map((span) => ({ ...span, dim: COMBO_DIM })) };
}

/**
 * The answer: the combinations the filter matches, read from `event_facets` (every combination the tenant's
 * events have had, in the query's snapshot), select the rows by their event types and labels — the filter is
 * a product of its three value sets, so every stored pair of a matched type and a matched label is a match —
 * and a CASE names each label's category or action. Partial days at the edges are counted from the events.
 */
export function* comboStats(
  d: SqlDialect,
  tenant: string,
  f: EventFilter,
  groupBy: StatsKey,
  p: RollupPlan,
  eventsWhere: (fromMs: number, toMs: number) => Sql,
): Plan<StatsGroup[]> {
  const c = [sql`tenant = ${tenant}`];
  if (f.eventTypes?.length) c.push(d.inList('event_type', f.eventTypes.map(d.text)));
  if (f.categories?.length) c.push(d.inList('category', f.categories));
  if (f.actions?.length) c.push(d.inList('action', f.actions));
  const combos = yield sql`SELECT event_type, category, action FROM event_facets WHERE ${and(c)}`;
  if (combos.length === 0) return [];
  const part = new Map<string, string>();
  for (const r of combos) {
    const label = `${r.action as string}/${r.category as string}`;
    part.set(label, (groupBy === 'action' ? r.action : r.category) as string);
  }
  const types = [...new Set(combos.map((r) => r.event_type as string))];
  const group =
    groupBy === 'category' || groupBy === 'action'
      ? sql`CASE r.label ${join(
          [...part].map(([label, value]) => sql`WHEN ${label} THEN ${value}`),
          ' ',
        )} END`
      : undefined;
  return yield* rollupStats(
    d,
    tenant,
    groupBy,
    { ...p, keys: types, labels: [...part.keys()], ...(group ? { group } : {}) },
    eventsWhere,
  );
}
