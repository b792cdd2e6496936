import type { StatsKey } from '../../core/domain/filters.js';
import type { StatsGroup } from '../../core/domain/rows.js';
import type { Plan, Row } from './query-plan.js';
import type { RollupPlan } from './rollups-plan.js';
import type { SqlDialect } from './sql-dialect.js';
import { and, join, raw, type Sql, serial, sql } from './sql-fragment.js';

/** The key, label and order of statistics grouped by `key`, over events aliased `e`. */
export function groupExpression(
  d: SqlDialect,
  key: StatsKey,
): { key: string; label?: string; order: string } {
  switch (key) {
    case 'action':
      return { key: 'e.action', order: 'count DESC, key' };
    case 'category':
      return { key: 'e.category', order: 'count DESC, key' };
    case 'eventType':
      return { key: 'e.event_type', order: 'count DESC, key' };
    case 'user':
      return { key: 'e.actor_id', label: 'max(e.actor_username)', order: 'count DESC, key' };
    case 'day':
      return { key: d.utcDay('e.occurred_ms'), order: 'key' };
  }
}

export const statsGroups = (rows: Row[]): StatsGroup[] =>
  rows.map((r) =>
    r.label === null
      ? { key: r.key as string, count: r.count as number }
      : { key: r.key as string, label: r.label as string, count: r.count as number },
  );

/**
 * Statistics from the per-day rollups (rollups-sql.ts) when the filter is a time range, perhaps with values
 * of the grouped dimension itself: the whole UTC days of the range are summed from the rollups (for actors,
 * the spans of rollups-plan.ts: quarters, months, weeks and days, perhaps a month less its days outside the
 * range), the partial days at its edges counted from the events (`eventsWhere`), all in one statement whose
 * GROUP BY, ORDER BY and LIMIT are those of the scan — so the answer is the scan's, exactly.
 */
export function* rollupStats(
  d: SqlDialect,
  tenant: string,
  groupBy: StatsKey,
  p: RollupPlan,
  eventsWhere: (fromMs: number, toMs: number) => Sql,
  users?: Sql,
): Plan<StatsGroup[]> {
  const g = groupExpression(d, groupBy);
  const key = p.group ?? raw(groupBy === 'day' ? d.utcDay('r.day_ms') : 'r.key');
  const label = groupBy === 'user' ? "nullif(r.label, '')" : 'NULL';
  // With spans taken off (a month less its days outside the range), each (key, label) is summed first and
  // only those left above zero count: a label seen only outside the range must not become the key's label.
  const signed = p.spans.some((span) => span.minus);
  const arms = p.spans.map((span) => {
    const r = [sql`r.tenant = ${tenant}`, sql`r.dim = ${span.dim}`];
    if (span.from !== undefined) r.push(sql`r.day_ms >= ${span.from}`);
    if (span.to !== undefined) r.push(sql`r.day_ms < ${span.to}`);
    if (p.keys) r.push(d.inList('r.key', p.keys.map(d.text)));
    if (p.labels) r.push(d.inList('r.label', p.labels));
    if (users) r.push(users);
    return sql`SELECT ${key} AS key, ${raw(label)} AS label, ${raw(span.minus ? '-r.n' : 'r.n')} AS n
      FROM event_rollups r WHERE ${and(r)}`;
  });
  for (const [fromMs, toMs] of p.edges) {
    const edgeLabel = signed ? 'e.actor_username' : (g.label ?? 'NULL');
    arms.push(sql`SELECT ${raw(g.key)} AS key, ${raw(edgeLabel)} AS label, count(*) AS n
      FROM events e WHERE ${eventsWhere(fromMs, toMs)} GROUP BY ${raw(signed ? '1, 2' : '1')}`);
  }
  const union = join(arms, ' UNION ALL ');
  const from = signed
    ? sql`(SELECT key, label, sum(n) AS n FROM (${union}) u GROUP BY key, label HAVING sum(n) > 0)`
    : sql`(${union})`;
  const rows = yield serial(sql`SELECT key, max(label) AS label, sum(n) AS count
    FROM ${from} s GROUP BY key ORDER BY ${raw(g.order)} LIMIT 1000`);
  return statsGroups(rows);
}

/**
 * The rollup rows of a user filter, as a condition on rollup rows `r`, exactly those of the events it
 * matches: a value matches an event's actor id (the rows' key) or, folded, its username. Rollup labels hold
 * usernames as sent, so the folded names resolve through the actors table to the (actor, username) pairs
 * they match — in the same statement as the rollups, so that both are read in one snapshot (the writer adds
 * a pair in the transaction of its first event). Undefined where the rollups cannot tell: a name that is a
 * blind index (encrypted entries roll up with an empty label) or empty (a label is empty for no username).
 */
export function rollupUserMatch(
  d: SqlDialect,
  tenant: string,
  users: NonNullable<RollupPlan['users']>,
): Sql | undefined {
  if (users.folded.some((name) => name === '' || name.startsWith('bi:'))) return undefined;
  const ids = d.inList('r.key', users.ids.map(d.text));
  if (!users.folded.length) return ids;
  return sql`(${ids} OR (r.key, r.label) IN (SELECT actor_id, username FROM actors
    WHERE tenant = ${tenant} AND ${d.inList('username_f', users.folded.map(d.text))}))`;
}
