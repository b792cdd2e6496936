import type { EventFilter, Keyset, PageSpec, StatsKey } from '../../core/domain/filters.js';
import type { ActorSummary, EntryRow, EventSearchPage, StatsGroup } from '../../core/domain/rows.js';
import { fold } from '../../core/domain/text-fold.js';
import { candidateBudget, chunkPhrases, ftsPhrase } from '../sql/search-chunks.js';
import { prepared, type SqliteDb } from './sqlite-connection.js';

/**
 * Query planning for administrative events. Filters with few distinct values (time, actor, action,
 * category, event type, session) use B-tree indexes. Keyword terms, target and IP first ask the chunked
 * trigram index (search-chunks.ts) which entries can match; when that is a small set, only those entries
 * are checked; when it is large, the filter is not selective and a scan in keyset order finds a page fast.
 * Either way every condition is checked exactly in SQL, so the index can only narrow, never decide.
 */
const chunkCounts = new WeakMap<SqliteDb, Map<string, { count: number; at: number }>>();

function chunkCount(db: SqliteDb, tenant: string): number {
  let perDb = chunkCounts.get(db);
  if (!perDb) {
    perDb = new Map();
    chunkCounts.set(db, perDb);
  }
  const cached = perDb.get(tenant);
  if (cached && Date.now() - cached.at < 30_000) return cached.count;
  const count = prepared(db, 'SELECT count(*) FROM event_search_chunks WHERE tenant = ?')
    .pluck()
    .get(tenant) as number;
  perDb.set(tenant, { count, at: Date.now() });
  return count;
}

const ROW_COLUMNS = `e.tenant, e.seq, e.occurred_ms AS occurredMs, e.received_ms AS receivedMs, e.body,
  e.prev_hash AS prevHash, e.hash`;

interface Where {
  sql: string;
  params: unknown[];
}

/**
 * `user` matches an actor id or a username. Usernames resolve to actor ids through the actors table, so
 * the actor index serves both; the exact condition is still checked on each row.
 */
function resolveActorIds(db: SqliteDb, tenant: string, f: EventFilter): string[] | undefined {
  if (!f.users?.length) return undefined;
  const folded = f.usersFolded ?? [];
  const rows = prepared(
    db,
    `SELECT DISTINCT actor_id FROM actors WHERE tenant = ?
       AND (actor_id IN (${f.users.map(() => '?').join(', ')}) OR username_f IN (${folded.map(() => '?').join(', ') || 'NULL'}))`,
  )
    .pluck()
    .all(tenant, ...f.users, ...folded) as string[];
  return rows;
}

export function filterWhere(tenant: string, f: EventFilter, actorIds?: string[]): Where {
  const clauses = ['e.tenant = ?'];
  const params: unknown[] = [tenant];
  const inList = (column: string, values: readonly unknown[]) => {
    clauses.push(`${column} IN (${values.map(() => '?').join(', ')})`);
    params.push(...values);
  };
  if (f.fromMs !== undefined) {
    clauses.push('e.occurred_ms >= ?');
    params.push(f.fromMs);
  }
  if (f.toMs !== undefined) {
    clauses.push('e.occurred_ms < ?');
    params.push(f.toMs);
  }
  if (actorIds) inList('e.actor_id', actorIds);
  if (f.users?.length) {
    const ids = f.users.map(() => '?').join(', ');
    const names = (f.usersFolded ?? []).map(() => '?').join(', ');
    clauses.push(`(e.actor_id IN (${ids}) OR e.actor_username_f IN (${names}))`);
    params.push(...f.users, ...(f.usersFolded ?? []));
  }
  if (f.actions?.length) inList('e.action', f.actions);
  if (f.categories?.length) inList('e.category', f.categories);
  if (f.eventTypes?.length) inList('e.event_type', f.eventTypes);
  if (f.targetType !== undefined) {
    clauses.push('e.target_type = ?');
    params.push(f.targetType);
  }
  if (f.targetId !== undefined) {
    clauses.push('e.target_id = ?');
    params.push(f.targetId);
  }
  if (f.target !== undefined) {
    clauses.push('(e.target_id_f = ? OR e.target_name_f = ?)');
    params.push(f.target, f.target);
  }
  if (f.ip !== undefined) {
    clauses.push('e.ip_key BETWEEN ? AND ?');
    params.push(f.ip.lo, f.ip.hi);
  }
  if (f.sessionId !== undefined) {
    clauses.push('e.session_id = ?');
    params.push(f.sessionId);
  }
  for (const term of f.terms ?? []) {
    clauses.push('instr(e.search, ?) > 0');
    params.push(term);
  }
  if (f.maxSeq !== undefined) {
    clauses.push('e.seq <= ?');
    params.push(f.maxSeq);
  }
  return { sql: clauses.join(' AND '), params };
}

function keysetWhere(page: PageSpec): Where {
  if (!page.after) return { sql: '1', params: [] };
  const op = page.order === 'desc' ? '<' : '>';
  if (page.orderBy === 'seq') return { sql: `e.seq ${op} ?`, params: [page.after.seq] };
  // A row value, which SQLite uses as an index range: the equivalent OR made every page walk the index
  // from the first entry (O(depth): 54 ms at 900,000 entries deep instead of 0.05 ms; a CSV export of 1M
  // events spent most of its 40 s there).
  return { sql: `(e.occurred_ms, e.seq) ${op} (?, ?)`, params: [page.after.occurredMs, page.after.seq] };
}

const ALL = { from: 'events e', params: [] as unknown[] };

/**
 * The rows to scan: all of the tenant's events, or only the entries of the candidate chunks when the
 * trigram index narrows the filter to few enough chunks (candidateBudget).
 */
function source(
  db: SqliteDb,
  tenant: string,
  f: EventFilter,
  limit: number | undefined,
): { from: string; params: unknown[] } {
  const phrases = chunkPhrases({
    terms: f.terms,
    targetTypeFolded: f.targetType === undefined ? undefined : fold(f.targetType),
    targetIdFolded: f.targetId === undefined ? undefined : fold(f.targetId),
    target: f.target,
    ipPrefix: f.ip?.prefix,
  });
  if (phrases.length === 0) return ALL;
  const budget = candidateBudget(chunkCount(db, tenant), limit);
  const chunks = prepared(
    db,
    `SELECT c.lo, c.hi FROM event_search s JOIN event_search_chunks c ON c.lo = s.rowid
       WHERE event_search MATCH ? AND c.tenant = ? LIMIT ?`,
  )
    .raw()
    .all(phrases.map(ftsPhrase).join(' AND '), tenant, budget + 1) as [number, number][];
  if (chunks.length > budget) return ALL;
  // The candidate chunks, plus the tenant's open chunk: the newest entries, not yet in the index.
  const indexedSeq = (prepared(db, 'SELECT indexed_seq FROM search_progress WHERE tenant = ?')
    .pluck()
    .get(tenant) ?? 0) as number;
  return {
    // NOT INDEXED: only rowid ranges. With the tenant condition pushed down, the planner otherwise walked
    // every row of the tenant through an index (2.8 s for a rare keyword at 1M events). INDEXED BY: when
    // it merges the two arms in page order, it otherwise read the open chunk by walking the whole time
    // index for `seq > ?` (50 ms at 1M events instead of 1 ms).
    from: `(SELECT e.* FROM json_each(?) r CROSS JOIN events e NOT INDEXED ON e.rid BETWEEN r.value ->> 0 AND r.value ->> 1
            UNION ALL SELECT * FROM events INDEXED BY events_seq WHERE tenant = ? AND seq > ?) e`,
    params: [JSON.stringify(chunks), tenant, indexedSeq],
  };
}

export function listEvents(db: SqliteDb, tenant: string, f: EventFilter, page: PageSpec): EntryRow[] {
  const actorIds = resolveActorIds(db, tenant, f);
  if (actorIds?.length === 0) return [];
  return selectEvents(db, tenant, f, page, actorIds, source(db, tenant, f, page.limit));
}

/** listEvents with a bounded scan for keywords the index cannot narrow (Store.searchEvents). */
export function searchEvents(
  db: SqliteDb,
  tenant: string,
  f: EventFilter,
  page: PageSpec,
  scanLimit: number,
): EventSearchPage {
  const actorIds = resolveActorIds(db, tenant, f);
  if (actorIds?.length === 0) return { rows: [], scannedTo: null };
  const src = source(db, tenant, f, page.limit);
  if (src.from !== ALL.from || !f.terms?.length) {
    return { rows: selectEvents(db, tenant, f, page, actorIds, src), scannedTo: null };
  }
  // The scanLimit-th entry the scan would examine (every filter but the keywords): the scan stops there.
  const where = filterWhere(tenant, { ...f, terms: undefined }, actorIds);
  const keyset = keysetWhere(page);
  const edge = prepared(
    db,
    `SELECT e.occurred_ms AS occurredMs, e.seq FROM events e WHERE ${where.sql} AND ${keyset.sql}
       ORDER BY ${orderClause(page)} LIMIT 1 OFFSET ?`,
  ).get(...where.params, ...keyset.params, scanLimit - 1) as Keyset | undefined;
  const rows = selectEvents(db, tenant, f, page, actorIds, src, edge);
  return { rows, scannedTo: edge && rows.length < page.limit ? edge : null };
}

function orderClause(page: PageSpec): string {
  const dir = page.order === 'desc' ? 'DESC' : 'ASC';
  return page.orderBy === 'seq' ? `e.seq ${dir}` : `e.occurred_ms ${dir}, e.seq ${dir}`;
}

/** Not beyond `until` (inclusive) in page order. */
function untilWhere(page: PageSpec, until: Keyset | undefined): Where {
  if (!until) return { sql: '1', params: [] };
  const op = page.order === 'desc' ? '>' : '<';
  if (page.orderBy === 'seq') return { sql: `e.seq ${op}= ?`, params: [until.seq] };
  return { sql: `(e.occurred_ms, e.seq) ${op}= (?, ?)`, params: [until.occurredMs, until.seq] };
}

function selectEvents(
  db: SqliteDb,
  tenant: string,
  f: EventFilter,
  page: PageSpec,
  actorIds: string[] | undefined,
  src: { from: string; params: unknown[] },
  until?: Keyset,
): EntryRow[] {
  const where = filterWhere(tenant, f, actorIds);
  const keyset = keysetWhere(page);
  const bound = untilWhere(page, until);
  return prepared(
    db,
    `SELECT ${ROW_COLUMNS} FROM ${src.from} WHERE ${where.sql} AND ${keyset.sql} AND ${bound.sql}
       ORDER BY ${orderClause(page)} LIMIT ?`,
  ).all(...src.params, ...where.params, ...keyset.params, ...bound.params, page.limit) as EntryRow[];
}

export function getEvent(db: SqliteDb, tenant: string, id: string): EntryRow | undefined {
  return prepared(db, `SELECT ${ROW_COLUMNS} FROM events e WHERE e.tenant = ? AND e.id = ?`).get(
    tenant,
    id,
  ) as EntryRow | undefined;
}

const GROUP_EXPRESSIONS: Record<StatsKey, { key: string; label?: string; order: string }> = {
  action: { key: 'e.action', order: 'count DESC, key' },
  category: { key: 'e.category', order: 'count DESC, key' },
  eventType: { key: 'e.event_type', order: 'count DESC, key' },
  user: { key: 'e.actor_id', label: 'max(e.actor_username)', order: 'count DESC, key' },
  // Real division: integer division truncates toward zero, putting times just before 1970 on the next day.
  day: { key: "strftime('%Y-%m-%d', e.occurred_ms / 1000.0, 'unixepoch')", order: 'key' },
};

export function eventStats(db: SqliteDb, tenant: string, f: EventFilter, groupBy: StatsKey): StatsGroup[] {
  const actorIds = resolveActorIds(db, tenant, f);
  if (actorIds?.length === 0) return [];
  const src = source(db, tenant, f, undefined);
  const where = filterWhere(tenant, f, actorIds);
  const g = GROUP_EXPRESSIONS[groupBy];
  const rows = prepared(
    db,
    `SELECT ${g.key} AS key, ${g.label ?? 'NULL'} AS label, count(*) AS count FROM ${src.from}
       WHERE ${where.sql} GROUP BY 1 ORDER BY ${g.order} LIMIT 1000`,
  ).all(...src.params, ...where.params) as { key: string; label: string | null; count: number }[];
  return rows.map((r) =>
    r.label === null ? { key: r.key, count: r.count } : { key: r.key, label: r.label, count: r.count },
  );
}

export function listActors(db: SqliteDb, tenant: string, prefix: string, limit: number): ActorSummary[] {
  const like = `${prefix.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  return prepared(
    db,
    `SELECT actor_id AS id, max(nullif(username, '')) AS username, max(display_name) AS displayName
     FROM actors WHERE tenant = ?
       AND (lower(actor_id) LIKE ? ESCAPE '\\' OR username_f LIKE ? ESCAPE '\\' OR lower(display_name) LIKE ? ESCAPE '\\')
     GROUP BY actor_id ORDER BY actor_id LIMIT ?`,
  ).all(tenant, like, like, like, limit) as ActorSummary[];
}
