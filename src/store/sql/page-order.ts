import type { Keyset, PageSpec } from '../../core/domain/filters.js';
import { raw, type Sql, sql } from './sql-fragment.js';

/** Where a page starts, in page order, over `events e` (after its keyset). */
export function keysetWhere(page: PageSpec): Sql | undefined {
  if (!page.after) return undefined;
  const op = raw(page.order === 'desc' ? '<' : '>');
  if (page.orderBy === 'seq') return sql`e.seq ${op} ${page.after.seq}`;
  // A row value, which both engines use as an index range: the equivalent OR made every SQLite page walk
  // the index from the first entry (O(depth): 54 ms at 900,000 entries deep instead of 0.05 ms; a CSV
  // export of 1M events spent most of its 40 s there).
  return sql`(e.occurred_ms, e.seq) ${op} (${page.after.occurredMs}, ${page.after.seq})`;
}

/** Not beyond `until` (inclusive) in page order. */
export function untilWhere(page: PageSpec, until: Keyset | undefined): Sql | undefined {
  if (!until) return undefined;
  const op = raw(page.order === 'desc' ? '>=' : '<=');
  if (page.orderBy === 'seq') return sql`e.seq ${op} ${until.seq}`;
  return sql`(e.occurred_ms, e.seq) ${op} (${until.occurredMs}, ${until.seq})`;
}

/**
 * The page order over `events e`, or (with no alias) over the columns of ROW_COLUMNS. `sorted`: as
 * expressions no index provides (`+ 0`), so that neither engine walks a page-order index instead of the
 * driving one; the few rows it yields are sorted.
 */
export function orderClause(page: PageSpec, alias = 'e.', sorted = false): Sql {
  const dir = page.order === 'desc' ? 'DESC' : 'ASC';
  const plus = sorted ? ' + 0' : '';
  const time = alias ? `e.occurred_ms${plus}` : '"occurredMs"';
  return raw(
    page.orderBy === 'seq' ? `${alias}seq${plus} ${dir}` : `${time} ${dir}, ${alias}seq${plus} ${dir}`,
  );
}
