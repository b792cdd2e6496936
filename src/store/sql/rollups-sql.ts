/**
 * Per-day statistics rollups (`event_rollups`), shared by both engines' migrations and the stats planner.
 * One row per tenant, dimension, UTC day, key (and, for actors, username) holds how many administrative
 * events it covers; the engines keep it in step with `events` by triggers, so an append, a rolled-back batch
 * and a purge all move it in the same transaction as the rows themselves.
 */
export const DAY_MS = 86_400_000;

/** The dimensions, as stored in `dim`: category, action, event type, actor (key actor id, label username). */
export const ROLLUP_DIMS = { category: 'c', action: 'a', eventType: 't', user: 'u' } as const;

/** The UTC midnight (epoch ms) of an epoch-ms SQL expression, flooring negative times too. */
export const dayStart = (ms: string) => `(${ms} - ((${ms} % ${DAY_MS}) + ${DAY_MS}) % ${DAY_MS})`;

/**
 * The rollup rows of a set of events `src` (a FROM item whose rows have the events' columns), counted:
 * `tenant, dim, day_ms, key, label, n`. `label` is '' where there is none (usernames are never empty).
 */
export function rollupRowsOf(src: string): string {
  const day = dayStart('occurred_ms');
  const arm = (dim: string, key: string, label: string) =>
    `SELECT tenant, '${dim}' AS dim, ${day} AS day_ms, ${key} AS key, ${label} AS label, count(*) AS n
      FROM ${src} GROUP BY 1, 2, 3, 4, 5`;
  return [
    arm(ROLLUP_DIMS.category, 'category', "''"),
    arm(ROLLUP_DIMS.action, 'action', "''"),
    arm(ROLLUP_DIMS.eventType, 'event_type', "''"),
    arm(ROLLUP_DIMS.user, 'actor_id', "coalesce(actor_username, '')"),
  ].join(' UNION ALL ');
}
