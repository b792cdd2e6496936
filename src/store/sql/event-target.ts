import type { EventFilter } from '../../core/domain/filters.js';
import { fold } from '../../core/domain/text-fold.js';
import type { Plan } from './query-plan.js';
import type { SqlDialect } from './sql-dialect.js';
import { join, raw, type Sql, sql } from './sql-fragment.js';

/** One ordered walk of an index (SQLite: INDEXED BY), limited to a page; a page merges them. */
export interface Branch {
  index: string;
  condition: Sql;
}

/**
 * A target read through its own B-trees in time order, on both engines: events_target_id_f and
 * events_target_name_f. `target` (an id or a name, folded) is one ordered walk per column of the OR, each
 * limited to a page, merged — as one OR (or one UNION ALL under the ORDER BY) PostgreSQL read every match
 * of a common target and sorted them (0.45 s at 10M events); through the search chunks alone, SQLite read
 * 1,024 candidate chunks (131,072 rows) for a hot target with `create` (issue 18). The second branch leaves
 * out what the first has, so no entry comes twice. Where type + id have no B-tree of their own (SQLite), a
 * target id walks events_target_id_f by its folded form, which the exact id implies; the type and the exact
 * id are checked on the rows. Undefined: no target filter to walk.
 */
export function targetWalk(
  d: SqlDialect,
  f: EventFilter,
): { branches: Branch[]; filter: EventFilter } | undefined {
  if (f.target !== undefined) {
    const t = d.text(f.target);
    return {
      filter: { ...f, target: undefined },
      branches: [
        { index: 'events_target_id_f', condition: sql`e.target_id_f = ${t}` },
        { index: 'events_target_name_f', condition: sql`e.target_name_f = ${t} AND e.target_id_f <> ${t}` },
      ],
    };
  }
  if (f.targetId !== undefined && !d.flags.tagIndexes) {
    const id = d.text(fold(f.targetId));
    return { filter: f, branches: [{ index: 'events_target_id_f', condition: sql`e.target_id_f = ${id}` }] };
  }
  return undefined;
}

/** The branches' entries, counted index-only up to `cap` each: whether they or a driving index read less. */
export function* branchEntries(d: SqlDialect, tenant: string, branches: Branch[], cap: number): Plan<number> {
  const counts = branches.map(
    (b) => sql`(SELECT count(*) FROM (SELECT 1 FROM events e ${raw(d.indexedBy(b.index))}
      WHERE e.tenant = ${tenant} AND ${b.condition} LIMIT ${cap}) c)`,
  );
  const [row] = yield sql`SELECT ${join(counts, ' + ')} AS n`;
  return Number(row!.n);
}
