import type { EventFilter, Keyset, PageSpec, StatsKey } from '../../core/domain/filters.js';
import type { ActorSummary, EntryRow, EventSearchPage, StatsGroup } from '../../core/domain/rows.js';
import { fold } from '../../core/domain/text-fold.js';
import { candidateBudget, chunkPhrases } from '../sql/search-chunks.js';
import { containsPattern, Params, type PgPool, pgText } from './postgres-connection.js';

/**
 * Administrative-event queries, planned as in sqlite-event-queries.ts: B-trees for time, actor, event type
 * and session; the chunked trigram index (a GIN over one document per 128 events) narrows keyword, target
 * and IP filters to candidate seq ranges when they are selective; every condition is still checked exactly.
 */
const ROW_COLUMNS = `e.tenant, e.seq, e.occurred_ms AS "occurredMs", e.received_ms AS "receivedMs", e.body,
  e.prev_hash AS "prevHash", e.hash`;

const chunkCounts = new WeakMap<PgPool, Map<string, { count: number; at: number }>>();

async function chunkCount(pool: PgPool, tenant: string): Promise<number> {
  let perPool = chunkCounts.get(pool);
  if (!perPool) {
    perPool = new Map();
    chunkCounts.set(pool, perPool);
  }
  const cached = perPool.get(tenant);
  if (cached && Date.now() - cached.at < 30_000) return cached.count;
  const { rows } = await pool.query<{ count: number }>(
    'SELECT count(*) AS count FROM event_search_chunks WHERE tenant = $1',
    [tenant],
  );
  perPool.set(tenant, { count: rows[0]!.count, at: Date.now() });
  return rows[0]!.count;
}

/** `user` matches actor ids or usernames; usernames resolve to actor ids through `actors`. */
async function resolveActorIds(pool: PgPool, tenant: string, f: EventFilter): Promise<string[] | undefined> {
  if (!f.users?.length) return undefined;
  const { rows } = await pool.query<{ actor_id: string }>(
    `SELECT DISTINCT actor_id FROM actors WHERE tenant = $1 AND (actor_id = ANY($2::text[]) OR username_f = ANY($3::text[]))`,
    [tenant, f.users.map(pgText), (f.usersFolded ?? []).map(pgText)],
  );
  return rows.map((r) => r.actor_id);
}

function filterWhere(p: Params, tenant: string, f: EventFilter, actorIds?: string[]): string {
  const clauses = [`e.tenant = ${p.add(tenant)}`];
  if (f.fromMs !== undefined) clauses.push(`e.occurred_ms >= ${p.add(f.fromMs)}`);
  if (f.toMs !== undefined) clauses.push(`e.occurred_ms < ${p.add(f.toMs)}`);
  if (actorIds) clauses.push(`e.actor_id = ANY(${p.add(actorIds)}::text[])`);
  if (f.users?.length) {
    clauses.push(
      `(e.actor_id = ANY(${p.add(f.users.map(pgText))}::text[]) OR e.actor_username_f = ANY(${p.add((f.usersFolded ?? []).map(pgText))}::text[]))`,
    );
  }
  if (f.actions?.length) clauses.push(`e.action = ANY(${p.add(f.actions)}::text[])`);
  if (f.categories?.length) clauses.push(`e.category = ANY(${p.add(f.categories)}::text[])`);
  if (f.eventTypes?.length) clauses.push(`e.event_type = ANY(${p.add(f.eventTypes.map(pgText))}::text[])`);
  if (f.targetType !== undefined) clauses.push(`e.target_type = ${p.add(pgText(f.targetType))}`);
  if (f.targetId !== undefined) clauses.push(`e.target_id = ${p.add(pgText(f.targetId))}`);
  if (f.target !== undefined) {
    const t = p.add(pgText(f.target));
    clauses.push(`(e.target_id_f = ${t} OR e.target_name_f = ${t})`);
  }
  if (f.ip !== undefined) clauses.push(`e.ip_key BETWEEN ${p.add(f.ip.lo)} AND ${p.add(f.ip.hi)}`);
  if (f.sessionId !== undefined) clauses.push(`e.session_id = ${p.add(pgText(f.sessionId))}`);
  for (const term of f.terms ?? []) clauses.push(`strpos(e.search, ${p.add(pgText(term))}) > 0`);
  if (f.maxSeq !== undefined) clauses.push(`e.seq <= ${p.add(f.maxSeq)}`);
  return clauses.join(' AND ');
}

function keysetWhere(p: Params, page: PageSpec): string {
  if (!page.after) return 'TRUE';
  const op = page.order === 'desc' ? '<' : '>';
  if (page.orderBy === 'seq') return `e.seq ${op} ${p.add(page.after.seq)}`;
  return `(e.occurred_ms, e.seq) ${op} (${p.add(page.after.occurredMs)}, ${p.add(page.after.seq)})`;
}

const ALL = 'events e';

/**
 * Where the rows come from, and the conditions still to check on them. With `branches`, a page is the
 * merge of one query per branch condition (each ordered and limited on its own).
 */
interface Source {
  from: string;
  filter: EventFilter;
  branches?: string[];
}

/**
 * The rows to scan: all of the tenant's events, or only the candidate chunks' seq ranges plus the tenant's
 * open (not yet indexed) entries, when the trigram index narrows the filter enough.
 */
async function source(
  pool: PgPool,
  p: Params,
  tenant: string,
  f: EventFilter,
  limit: number | undefined,
  order: 'time' | 'seq' | 'none',
): Promise<Source> {
  // Target type + id, target id or name, and IP have B-trees here (see the migrations); the chunks serve
  // keywords, a target id without its type, and a target in seq order (the target B-trees are in time order).
  if (f.target !== undefined && order === 'time') {
    // One ordered index scan per column of the OR, each limited to a page, merged: as one OR (or one UNION
    // ALL under the ORDER BY) the planner read every match of a common target and sorted them (0.45 s at
    // 10M events). The second branch leaves out what the first has, so no entry comes twice.
    const t = p.add(pgText(f.target));
    return {
      from: ALL,
      filter: { ...f, target: undefined },
      branches: [`e.target_id_f = ${t}`, `e.target_name_f = ${t} AND e.target_id_f <> ${t}`],
    };
  }
  const phrases = chunkPhrases({
    terms: f.terms,
    targetIdFolded: f.targetType === undefined && f.targetId !== undefined ? fold(f.targetId) : undefined,
    target: f.target,
  });
  if (phrases.length === 0) return { from: ALL, filter: f };
  const budget = candidateBudget(await chunkCount(pool, tenant), limit);
  const q = new Params();
  const likes = phrases.map((ph) => `doc LIKE ${q.add(containsPattern(ph))}`).join(' AND ');
  const { rows: chunks } = await pool.query<{ lo: number; hi: number }>(
    `SELECT lo, hi FROM event_search_chunks WHERE tenant = ${q.add(tenant)} AND ${likes} LIMIT ${q.add(budget + 1)}`,
    q.values,
  );
  if (chunks.length > budget) return { from: ALL, filter: f };
  const { rows: heads } = await pool.query<{ indexed_seq: number }>(
    'SELECT indexed_seq FROM chain_heads WHERE tenant = $1',
    [tenant],
  );
  const indexedSeq = heads[0]?.indexed_seq ?? 0;
  const t = p.add(tenant);
  // LATERAL … OFFSET 0 keeps one index range scan per chunk: as a plain join the planner, expecting 100
  // rows from unnest, chose a parallel scan of every partition (15 s at 10M events).
  return {
    filter: f,
    from: `(SELECT x.* FROM unnest(${p.add(chunks.map((c) => c.lo))}::int8[], ${p.add(chunks.map((c) => c.hi))}::int8[]) r(lo, hi)
             CROSS JOIN LATERAL (SELECT * FROM events WHERE tenant = ${t} AND seq BETWEEN r.lo AND r.hi OFFSET 0) x
           UNION ALL SELECT * FROM events WHERE tenant = ${t} AND seq > ${p.add(indexedSeq)}) e`,
  };
}

export async function listEvents(
  pool: PgPool,
  tenant: string,
  f: EventFilter,
  page: PageSpec,
): Promise<EntryRow[]> {
  const actorIds = await resolveActorIds(pool, tenant, f);
  if (actorIds?.length === 0) return [];
  const p = new Params();
  const src = await source(pool, p, tenant, f, page.limit, page.orderBy ?? 'time');
  return selectEvents(pool, p, tenant, page, actorIds, src);
}

/** listEvents with a bounded scan for keywords the index cannot narrow (Store.searchEvents). */
export async function searchEvents(
  pool: PgPool,
  tenant: string,
  f: EventFilter,
  page: PageSpec,
  scanLimit: number,
): Promise<EventSearchPage> {
  const actorIds = await resolveActorIds(pool, tenant, f);
  if (actorIds?.length === 0) return { rows: [], scannedTo: null };
  const p = new Params();
  const src = await source(pool, p, tenant, f, page.limit, page.orderBy ?? 'time');
  // Narrowed by the chunks or by the target's B-trees: no whole-log scan to bound.
  if (src.from !== ALL || src.branches || !f.terms?.length) {
    return { rows: await selectEvents(pool, p, tenant, page, actorIds, src), scannedTo: null };
  }
  // The scanLimit-th entry the scan would examine (every filter but the keywords): the scan stops there.
  const q = new Params();
  const where = filterWhere(q, tenant, { ...f, terms: undefined }, actorIds);
  const keyset = keysetWhere(q, page);
  const { rows: edges } = await pool.query<Keyset>(
    `SELECT e.occurred_ms AS "occurredMs", e.seq FROM events e WHERE ${where} AND ${keyset}
       ORDER BY ${orderClause(page)} LIMIT 1 OFFSET ${q.add(scanLimit - 1)}`,
    q.values,
  );
  const edge = edges[0];
  const rows = await selectEvents(pool, p, tenant, page, actorIds, src, edge);
  return { rows, scannedTo: edge && rows.length < page.limit ? edge : null };
}

/** The page order over `events e`, or (with no alias) over the columns of ROW_COLUMNS. */
function orderClause(page: PageSpec, alias = 'e.'): string {
  const dir = page.order === 'desc' ? 'DESC' : 'ASC';
  const time = alias ? 'e.occurred_ms' : '"occurredMs"';
  return page.orderBy === 'seq' ? `${alias}seq ${dir}` : `${time} ${dir}, ${alias}seq ${dir}`;
}

/** Not beyond `until` (inclusive) in page order. */
function untilWhere(p: Params, page: PageSpec, until: Keyset | undefined): string {
  if (!until) return 'TRUE';
  const op = page.order === 'desc' ? '>=' : '<=';
  if (page.orderBy === 'seq') return `e.seq ${op} ${p.add(until.seq)}`;
  return `(e.occurred_ms, e.seq) ${op} (${p.add(until.occurredMs)}, ${p.add(until.seq)})`;
}

async function selectEvents(
  pool: PgPool,
  p: Params,
  tenant: string,
  page: PageSpec,
  actorIds: string[] | undefined,
  src: Source,
  until?: Keyset,
): Promise<EntryRow[]> {
  const where = filterWhere(p, tenant, src.filter, actorIds);
  const keyset = keysetWhere(p, page);
  const bound = untilWhere(p, page, until);
  const limit = p.add(page.limit);
  const select = (extra: string) =>
    `SELECT ${ROW_COLUMNS} FROM ${src.from} WHERE ${extra} AND ${where} AND ${keyset} AND ${bound}
       ORDER BY ${orderClause(page)} LIMIT ${limit}`;
  const sql = src.branches
    ? `SELECT * FROM (${src.branches.map((b) => `(${select(b)})`).join(' UNION ALL ')}) e
         ORDER BY ${orderClause(page, '')} LIMIT ${limit}`
    : select('TRUE');
  const { rows } = await pool.query<EntryRow>(sql, p.values);
  return rows;
}

export async function getEvent(pool: PgPool, tenant: string, id: string): Promise<EntryRow | undefined> {
  const { rows } = await pool.query<EntryRow>(
    `SELECT ${ROW_COLUMNS} FROM events e WHERE e.tenant = $1 AND e.id = $2`,
    [tenant, pgText(id)],
  );
  return rows[0];
}

const GROUP_EXPRESSIONS: Record<StatsKey, { key: string; label?: string; order: string }> = {
  action: { key: 'e.action', order: 'count DESC, key' },
  category: { key: 'e.category', order: 'count DESC, key' },
  eventType: { key: 'e.event_type', order: 'count DESC, key' },
  user: { key: 'e.actor_id', label: 'max(e.actor_username)', order: 'count DESC, key' },
  day: {
    key: `to_char(to_timestamp(e.occurred_ms / 1000.0) AT TIME ZONE 'UTC', 'YYYY-MM-DD')`,
    order: 'key',
  },
};

export async function eventStats(
  pool: PgPool,
  tenant: string,
  f: EventFilter,
  groupBy: StatsKey,
): Promise<StatsGroup[]> {
  const actorIds = await resolveActorIds(pool, tenant, f);
  if (actorIds?.length === 0) return [];
  const p = new Params();
  // A count reads every match anyway: the target is the one OR condition of filterWhere (a BitmapOr of its
  // two B-trees), not ordered branches.
  const src =
    f.target !== undefined ? { from: ALL, filter: f } : await source(pool, p, tenant, f, undefined, 'none');
  const where = filterWhere(p, tenant, src.filter, actorIds);
  const g = GROUP_EXPRESSIONS[groupBy];
  const { rows } = await pool.query<{ key: string; label: string | null; count: number }>(
    `SELECT ${g.key} AS key, ${g.label ?? 'NULL'} AS label, count(*) AS count FROM ${src.from}
       WHERE ${where} GROUP BY 1 ORDER BY ${g.order} LIMIT 1000`,
    p.values,
  );
  return rows.map((r) =>
    r.label === null ? { key: r.key, count: r.count } : { key: r.key, label: r.label, count: r.count },
  );
}

export async function listActors(
  pool: PgPool,
  tenant: string,
  prefix: string,
  limit: number,
): Promise<ActorSummary[]> {
  const like = `${pgText(prefix.toLowerCase()).replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  const { rows } = await pool.query<ActorSummary>(
    `SELECT actor_id AS id, max(nullif(username, '')) AS username, max(display_name) AS "displayName"
       FROM actors WHERE tenant = $1
         AND (lower(actor_id) LIKE $2 OR username_f LIKE $2 OR lower(display_name) LIKE $2)
       GROUP BY actor_id ORDER BY actor_id LIMIT $3`,
    [tenant, like, limit],
  );
  return rows;
}
