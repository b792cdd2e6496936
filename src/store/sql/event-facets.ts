import type { EventFilter } from '../../core/domain/filters.js';
import type { Plan } from './query-plan.js';
import type { SqlDialect } from './sql-dialect.js';
import { sql } from './sql-fragment.js';

/**
 * What an event type says about category and action. In most logs a type implies both (`user.created` is a
 * `users` create), so a filter naming a type with a category or an action either contradicts it (no event
 * can match) or repeats it. Neither is visible to the B-trees: a contradiction walked every entry of the
 * type probing the category's index for each (20–25 ms at 1M skewed events, issue 18), a repetition made
 * two dense indexes look like a selective intersection. `event_facets` holds every (type, category, action)
 * combination a tenant's events have had (the writer adds new ones in the same transaction; nothing
 * removes one), so it is read in the query's snapshot and errs only towards "possible".
 *
 * Undefined: no event matches. Else the filter without the category or action condition when the types
 * imply it (every combination of the types that passes the other condition has it); the rows are the same.
 */
export function* facetFilter(d: SqlDialect, tenant: string, f: EventFilter): Plan<EventFilter | undefined> {
  if (!f.eventTypes?.length || !(f.categories?.length || f.actions?.length)) return f;
  const rows = yield sql`SELECT category, action FROM event_facets
    WHERE tenant = ${tenant} AND ${d.inList('event_type', f.eventTypes.map(d.text))}`;
  const combos = rows.map((r) => ({ category: r.category as string, action: r.action as string }));
  let categories = f.categories?.length ? new Set(f.categories) : undefined;
  const actions = f.actions?.length ? new Set(f.actions) : undefined;
  const passes = (c: { category: string; action: string }) =>
    (!categories || categories.has(c.category)) && (!actions || actions.has(c.action));
  if (!combos.some(passes)) return undefined;
  let out = f;
  // One condition at a time: each is dropped only where the other, as it stands, keeps the rest out.
  if (categories && combos.every((c) => categories!.has(c.category) || (actions && !actions.has(c.action)))) {
    out = { ...out, categories: undefined };
    categories = undefined;
  }
  if (actions && combos.every((c) => actions.has(c.action) || (categories && !categories.has(c.category))))
    out = { ...out, actions: undefined };
  return out;
}
