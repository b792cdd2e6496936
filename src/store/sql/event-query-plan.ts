import type { EventFilter, Keyset, PageSpec, StatsKey } from '../../core/domain/filters.js';
import type { ActorSummary, BodyRow, EntryRow, EventSearchPage, StatsGroup } from '../../core/domain/rows.js';
import { fold } from '../../core/domain/text-fold.js';
import { comboPlan, comboStats } from './combo-stats.js';
import { chooseDriver, type Driver, PROBE_CAP, statsDriver } from './event-driver.js';
import { facetFilter } from './event-facets.js';
import { INTERSECT_CAP } from './event-intersect.js';
import { type Branch, branchEntries, targetWalk } from './event-target.js';
import { rarestParts } from './keyword-trigrams.js';
import { keysetWhere, orderClause, untilWhere } from './page-order.js';
import type { Plan } from './query-plan.js';
import { groupExpression, rollupStats, rollupUserMatch, statsGroups } from './rollup-stats.js';
import { rollupPlan } from './rollups-plan.js';
import { branchWindow, scanWindow } from './scan-window.js';
import { candidateBudget, chunkPhrases, isIndexable, TAG_BUDGET } from './search-chunks.js';
import type { ChunkBounds, SqlDialect } from './sql-dialect.js';
import { and, raw, type Sql, sql } from './sql-fragment.js';

/**
 * Query planning for administrative events, once for both engines (the dialect says how each spells it).
 * Filters with few distinct values (time, actor, action, category, event type, session) use B-tree indexes.
 * Keyword terms, target and IP first ask the chunked trigram index (search-chunks.ts) which entries can
 * match; when that is a small set, only those entries are checked; when it is large, the filter is not
 * selective and a scan in keyset order finds a page fast. Either way every condition is checked exactly in
 * SQL, so the index can only narrow, never decide.
 */
const ROW_COLUMNS =
  raw(`e.tenant, e.seq, e.occurred_ms AS "occurredMs", e.received_ms AS "receivedMs", e.body,
  e.prev_hash AS "prevHash", e.hash`);
/** What a CSV page reads (BodyRow): three strings a row fewer, ~0.7–1.3 µs of an exported event's 4 µs read. */
const BODY_COLUMNS = raw(`e.seq, e.occurred_ms AS "occurredMs", e.received_ms AS "receivedMs", e.body`);

const ALL = raw('events e');

/**
 * `user` matches an actor id or a username. Usernames resolve to actor ids through the actors table, so
 * the actor index serves both; the exact condition is still checked on each row.
 */
function* resolveActorIds(d: SqlDialect, tenant: string, f: EventFilter): Plan<string[] | undefined> {
  if (!f.users?.length) return undefined;
  const rows = yield sql`SELECT DISTINCT actor_id FROM actors WHERE tenant = ${tenant}
    AND (${d.inList('actor_id', f.users.map(d.text))} OR ${d.inList('username_f', (f.usersFolded ?? []).map(d.text))})`;
  return rows.map((r) => r.actor_id as string);
}

/**
 * `user`: an actor id or a username. With the actor ids it resolved to, those named by id need no more than
 * the actor index (which carries no username): every event of theirs matches, so a count through that index
 * reads no row for them. Only actors found by a username have each event's own username checked.
 */
function userCondition(d: SqlDialect, f: EventFilter, users: string[], actorIds?: string[]): Sql {
  const names = d.inList('e.actor_username_f', (f.usersFolded ?? []).map(d.text));
  if (!actorIds) return sql`(${d.inList('e.actor_id', users)} OR ${names})`;
  const named = new Set(users);
  const byId = actorIds.filter((a) => named.has(a));
  const byName = actorIds.filter((a) => !named.has(a));
  const arms = [
    byId.length ? d.inList('e.actor_id', byId) : undefined,
    byName.length ? sql`(${d.inList('e.actor_id', byName)} AND ${names})` : undefined,
  ].filter((c) => c !== undefined);
  return arms.length === 1 ? arms[0]! : sql`(${arms[0]!} OR ${arms[1]!})`;
}

function filterWhere(d: SqlDialect, tenant: string, f: EventFilter, actorIds?: string[]): Sql {
  const c = [sql`e.tenant = ${tenant}`];
  if (f.fromMs !== undefined) c.push(sql`e.occurred_ms >= ${f.fromMs}`);
  if (f.toMs !== undefined) c.push(sql`e.occurred_ms < ${f.toMs}`);
  if (f.users?.length) c.push(userCondition(d, f, f.users.map(d.text), actorIds));
  if (f.actions?.length) c.push(d.inList('e.action', f.actions));
  if (f.categories?.length) c.push(d.inList('e.category', f.categories));
  if (f.eventTypes?.length) c.push(d.inList('e.event_type', f.eventTypes.map(d.text)));
  if (f.targetType !== undefined) c.push(sql`e.target_type = ${d.text(f.targetType)}`);
  if (f.targetId !== undefined) c.push(sql`e.target_id = ${d.text(f.targetId)}`);
  if (f.target !== undefined) {
    const t = d.text(f.target);
    c.push(sql`(e.target_id_f = ${t} OR e.target_name_f = ${t})`);
  }
  if (f.ip !== undefined) c.push(sql`e.ip_key BETWEEN ${f.ip.lo} AND ${f.ip.hi}`);
  if (f.sessionId !== undefined) c.push(sql`e.session_id = ${d.text(f.sessionId)}`);
  for (const term of f.terms ?? []) c.push(d.contains('e.search', d.text(term)));
  if (f.maxSeq !== undefined) c.push(sql`e.seq <= ${f.maxSeq}`);
  return and(c);
}

/**
 * Where the rows come from, and the conditions still to check on them. `narrowed`: by the chunks or by
 * index branches, so there is no whole-log scan to bound. With `branches`, a page is the merge of one
 * query per branch condition (each ordered and limited on its own).
 */
interface Source {
  from: Sql;
  filter: EventFilter;
  narrowed: boolean;
  /** Each read through its index (SQLite: INDEXED BY), in page order. */
  branches?: Branch[];
  /** Read through this index (event-driver.ts), sorted afterwards. */
  driver?: Driver;
}

/** The filters that are tags (or the snapshot bound every read carries). */
const TAG_KEYS = new Set(['targetType', 'targetId', 'target', 'ip', 'maxSeq']);

/**
 * The rows to scan: a target's B-trees, a driving index, or the candidate chunks (plus the newest entries,
 * in no chunk yet) when the trigram index narrows to few enough (candidateBudget); else all the tenant's.
 */

function* source(
  d: SqlDialect,
  tenant: string,
  f: EventFilter,
  limit: number | undefined,
  order: 'time' | 'seq' | 'none',
  driver: Driver | undefined,
  /** Candidate chunks worth reading for a tag (target, IP): fewer when a bounded scan is the fallback. */
  tagBudget = TAG_BUDGET,
  /** Candidate chunks always worth reading for keywords: those of the bounded scan they replace. */
  keywordBudget = 0,
): Plan<Source> {
  const tagIndexed = d.flags.tagIndexes;
  const keywords = (f.terms ?? []).filter(isIndexable).length;
  // A target in time order walks its own B-trees in page order — unless a driving index under PROBE_CAP
  // entries holds fewer, or, with keywords, the target holds PROBE_CAP entries or more. A cold target's tag
  // with a keyword cost more than the walk (PostgreSQL: 0.5–0.75 s against ≤ 0.1 s at 1M skewed events;
  // SQLite: 16–23 ms in MATCH alone). But a hot target's walk with a rare keyword reads all its entries (820
  // ms at 10M events): from PROBE_CAP entries on, the chunks are asked first, the walk the fallback.
  const walk = order === 'time' ? targetWalk(d, f) : undefined;
  const walked: Source | undefined = walk && { from: ALL, narrowed: true, ...walk };
  if (walk) {
    // Walked when it holds fewer entries than the driving index, or than PROBE_CAP with keywords.
    const cap = driver?.count ?? (keywords > 0 ? PROBE_CAP : undefined);
    if (cap === undefined || (yield* branchEntries(d, tenant, walk.branches, cap)) < cap) return walked!;
  }
  // A count reads every match anyway: the target is the one OR condition of filterWhere (a BitmapOr of its
  // two B-trees), not ordered branches.
  if (tagIndexed && f.target !== undefined && order === 'none')
    return { from: ALL, filter: f, narrowed: false };
  // Fewer rows than PROBE_CAP behind one index: checking them all costs less than asking the chunks
  // (which can at best narrow to whole chunks of 128) or walking the page order.
  if (driver) {
    return { from: sql`events e ${raw(d.indexedBy(driver.index))}`, filter: f, narrowed: true, driver };
  }
  const asked = chunkPhrases({
    terms: f.terms,
    targetTypeFolded: tagIndexed || f.targetType === undefined ? undefined : fold(f.targetType),
    targetIdFolded:
      f.targetId === undefined || (tagIndexed && f.targetType !== undefined) ? undefined : fold(f.targetId),
    // Walked on PostgreSQL (above): its B-trees check it.
    target: walk && tagIndexed ? undefined : f.target,
    ipPrefix: tagIndexed ? undefined : f.ip?.prefix,
  });
  const unnarrowed: Source = walked ?? { from: ALL, filter: f, narrowed: false };
  if (asked.length === 0) return unnarrowed;
  const phrases = yield* rarestParts(d, tenant, asked, keywords);
  // Read before the lookup: the chunks hold the entries up to it, about indexedSeq / E chunks (fewer after
  // purges; counting them cost 50–70 ms at 10M events on PostgreSQL). A chunk completed after this read is
  // named by the lookup too, but its entries come from the newest arm (rows: seq > indexedSeq) only.
  const [head] = yield d.chunks.indexedSeq(tenant);
  const indexedSeq = Number(head?.indexed_seq ?? 0);
  const narrowedTo = (chunks: ChunkBounds[]): Source => ({
    from: d.chunks.rows(tenant, chunks, indexedSeq),
    filter: f,
    narrowed: true,
  });
  // A tag without a B-tree of its own (IP and type + id on SQLite; a target read by seq or counted): past
  // the chunks its scan may walk the whole log (15 s, a hot target with a common keyword, 1M events), so far
  // more chunks are worth reading — unless it is the only filter: its matches are then as dense as its
  // chunks, and walking the page order costs less (an IP at 1M: 17 ms through 1,024 chunks, 6.0 walking).
  const tagged = !walk && phrases.length > keywords;
  const alone = Object.entries(f).every(([key, value]) => value === undefined || TAG_KEYS.has(key));
  const budget = Math.max(
    candidateBudget(Math.ceil(indexedSeq / d.chunks.entries), limit, d.chunks.entries),
    tagged && !alone ? tagBudget : 0,
    keywords > 0 ? keywordBudget : 0,
  );
  // A tag with keywords (an IP, a hot target; a cold one was walked above): a tag is specific, a keyword may
  // be in every chunk, and FTS5 matches a common word's phrase in every chunk before it can intersect (17–23
  // ms of MATCH at 1M). So the tags' own chunks are asked first, and read when under PROBE_CAP entries.
  if (keywords > 0 && phrases.length > keywords) {
    const few = Math.ceil(PROBE_CAP / d.chunks.entries);
    const own = (yield d.chunks.lookup(tenant, phrases.slice(keywords), few + 1)) as unknown as ChunkBounds[];
    if (own.length <= few) return narrowedTo(own);
    // The tag is in many chunks: the keywords' own, when as few, are read without it (a hot tag's phrase
    // with a rare word: 15 ms of MATCH, the word alone 4.5); more are narrowed by the tag (91: 19 ms).
    const mine = yield d.chunks.lookup(tenant, phrases.slice(0, keywords), few + 1);
    if (mine.length <= few) return narrowedTo(mine as unknown as ChunkBounds[]);
  }
  const chunks = (yield d.chunks.lookup(tenant, phrases, budget + 1)) as unknown as ChunkBounds[];
  return chunks.length > budget ? unnarrowed : narrowedTo(chunks);
}

export function listEvents(
  d: SqlDialect,
  tenant: string,
  query: EventFilter,
  page: PageSpec,
): Plan<EntryRow[]> {
  return pageOf(d, tenant, query, page, ROW_COLUMNS) as Plan<EntryRow[]>;
}

/** listEvents with only the columns of a CSV record (BodyRow), for exports. */
export function listBodies(
  d: SqlDialect,
  tenant: string,
  query: EventFilter,
  page: PageSpec,
): Plan<BodyRow[]> {
  return pageOf(d, tenant, query, page, BODY_COLUMNS) as Plan<BodyRow[]>;
}

function* pageOf(
  d: SqlDialect,
  tenant: string,
  query: EventFilter,
  page: PageSpec,
  columns: Sql,
): Plan<BodyRow[]> {
  const f = yield* facetFilter(d, tenant, query);
  if (!f) return [];
  const actorIds = yield* resolveActorIds(d, tenant, f);
  if (actorIds?.length === 0) return [];
  const driver = yield* chooseDriver(d, tenant, f, actorIds, timeOrdered(page));
  if (driver?.empty) return [];
  const src = yield* source(d, tenant, f, page.limit, page.orderBy ?? 'time', driver);
  return yield* selectEvents(d, tenant, page, actorIds, src, undefined, columns);
}

/** The page, when an index walk can be in its order (by seq, none is). */
const timeOrdered = (page: PageSpec) => (page.orderBy === 'seq' ? undefined : page);

/** listEvents with a bounded scan for keywords the index cannot narrow (Store.searchEvents). */
export function* searchEvents(
  d: SqlDialect,
  tenant: string,
  query: EventFilter,
  page: PageSpec,
  scanLimit: number,
): Plan<EventSearchPage> {
  const f = yield* facetFilter(d, tenant, query);
  if (!f) return { rows: [], scannedTo: null };
  const actorIds = yield* resolveActorIds(d, tenant, f);
  if (actorIds?.length === 0) return { rows: [], scannedTo: null };
  // With keywords, an intersection that walks more entries than a bounded scan examines costs more than it.
  const cap = f.terms?.length ? Math.min(scanLimit, INTERSECT_CAP) : INTERSECT_CAP;
  const driver = yield* chooseDriver(d, tenant, f, actorIds, timeOrdered(page), cap);
  if (driver?.empty) return { rows: [], scannedTo: null };
  // Fewer rows behind the driving index than the scan may examine: the scan cannot reach its limit. The
  // chunks of scanLimit entries hold no more rows than the bounded scan reads, and where they are
  // contiguous they answer the page whole for less: with keywords, up to that many candidates are read
  // past the square-root budget (`user:hot + q:rare`, 1M skewed events, SQLite: 21–43 → 7–11 ms). Not on
  // PostgreSQL, where a chunk is a range scan per partition (`action:update + q:mid`: 21.6 → 31 ms).
  const scanChunks = Math.ceil(scanLimit / d.chunks.entries);
  const bounded = f.terms?.length && timeOrdered(page);
  const src = yield* source(
    d,
    tenant,
    f,
    page.limit,
    page.orderBy ?? 'time',
    driver && driver.count < scanLimit ? driver : undefined,
    // Past the chunks of scanLimit entries, the bounded scan reads fewer rows.
    bounded ? scanChunks : TAG_BUDGET,
    bounded && d.chunks.contiguous ? scanChunks : 0,
  );
  if (src.narrowed || !f.terms?.length) {
    // A target walked with keywords examines at most scanLimit entries of each branch, like a keyword scan:
    // a hot target with a word too common for the chunks read 43.8 ms for a page (1M skewed events).
    const walk = bounded ? src.branches : undefined;
    const edge =
      walk && (yield* branchWindow(d, walk, windowBounds(d, tenant, f, page), page.order, scanLimit));
    const rows = yield* selectEvents(d, tenant, page, actorIds, src, edge);
    return { rows, scannedTo: edge && rows.length < page.limit ? edge : null };
  }
  if ((page.orderBy ?? 'time') === 'time')
    return yield* windowSearch(d, tenant, f, page, scanLimit, actorIds);
  // By seq: the scanLimit-th entry the scan would examine (every filter but the keywords) ends the scan.
  const where = and([filterWhere(d, tenant, { ...f, terms: undefined }, actorIds), keysetWhere(page)]);
  const [edge] = (yield sql`SELECT e.occurred_ms AS "occurredMs", e.seq FROM events e WHERE ${where}
    ORDER BY ${orderClause(page)} LIMIT 1 OFFSET ${scanLimit - 1}`) as unknown as Keyset[];
  const rows = yield* selectEvents(d, tenant, page, actorIds, src, edge);
  return { rows, scannedTo: edge && rows.length < page.limit ? edge : null };
}

/** What every index of a scan window answers alone: the tenant, date range, snapshot bound and keyset. */
const windowBounds = (d: SqlDialect, tenant: string, f: EventFilter, page: PageSpec) =>
  and([filterWhere(d, tenant, { fromMs: f.fromMs, toMs: f.toMs, maxSeq: f.maxSeq }), keysetWhere(page)]);

/** A keyword scan in time order over at most scanLimit entries of one index (scan-window.ts). */
function* windowSearch(
  d: SqlDialect,
  tenant: string,
  f: EventFilter,
  page: PageSpec,
  scanLimit: number,
  actorIds: string[] | undefined,
): Plan<EventSearchPage> {
  const bounds = windowBounds(d, tenant, f, page);
  const w = yield* scanWindow(d, f, actorIds, bounds, page.order, scanLimit);
  const from = w.index ? sql`events e ${raw(d.indexedBy(w.index))}` : ALL;
  // In page order on both engines, so the read stops after a page: the window's filter is one value, which
  // PostgreSQL walks in order (an `= ANY` it could not, and walked its time index instead; sorting every row
  // of the window after reading cost up to 20,000 table reads, 0.5–0.8 s at 1M events under load).
  const src: Source = { from, filter: f, narrowed: false };
  const rows = yield* selectEvents(d, tenant, page, actorIds, src, w.edge);
  return { rows, scannedTo: w.edge && rows.length < page.limit ? w.edge : null };
}

const sorted = (src: Source) => src.driver !== undefined && src.driver.ordered !== true;

function* selectEvents(
  d: SqlDialect,
  tenant: string,
  page: PageSpec,
  actorIds: string[] | undefined,
  src: Source,
  until?: Keyset,
  columns = ROW_COLUMNS,
): Plan<EntryRow[]> {
  const where = [
    src.driver?.within,
    filterWhere(d, tenant, src.filter, actorIds),
    keysetWhere(page),
    untilWhere(page, until),
  ];
  const select = (from: Sql, branch?: Sql) =>
    sql`SELECT ${columns} FROM ${from} WHERE ${and([branch, ...where])}
      ORDER BY ${orderClause(page, 'e.', sorted(src))} LIMIT ${page.limit}`;
  const arms = src.branches?.map((b) => select(sql`events e ${raw(d.indexedBy(b.index))}`, b.condition));
  const query = arms
    ? sql`${d.mergeOrdered(arms, false)} ORDER BY ${orderClause(page, '')} LIMIT ${page.limit}`
    : select(src.from);
  return (yield query) as unknown as EntryRow[];
}

export function* getEvent(d: SqlDialect, tenant: string, id: string): Plan<EntryRow | undefined> {
  const [row] =
    yield sql`SELECT ${ROW_COLUMNS} FROM events e WHERE e.tenant = ${tenant} AND e.id = ${d.text(id)}`;
  return row as EntryRow | undefined;
}

export function* eventStats(
  d: SqlDialect,
  tenant: string,
  query: EventFilter,
  groupBy: StatsKey,
): Plan<StatsGroup[]> {
  const f = yield* facetFilter(d, tenant, query);
  if (!f) return [];
  const rollup = rollupPlan(f, groupBy);
  const users = rollup?.users && rollupUserMatch(d, tenant, rollup.users);
  if (rollup && (!rollup.users || users))
    return yield* rollupStats(
      d,
      tenant,
      groupBy,
      rollup,
      (fromMs, toMs) => filterWhere(d, tenant, { ...f, fromMs, toMs }),
      users,
    );
  const combo = comboPlan(f, groupBy);
  if (combo)
    return yield* comboStats(d, tenant, f, groupBy, combo, (fromMs, toMs) =>
      filterWhere(d, tenant, { ...f, fromMs, toMs }),
    );
  const actorIds = yield* resolveActorIds(d, tenant, f);
  if (actorIds?.length === 0) return [];
  const driver =
    (yield* chooseDriver(d, tenant, f, actorIds)) ?? (yield* statsDriver(d, tenant, f, actorIds));
  if (driver?.empty) return [];
  const src = yield* source(d, tenant, f, undefined, 'none', driver);
  const g = groupExpression(d, groupBy);
  const rows = yield sql`SELECT ${raw(g.key)} AS key, ${raw(g.label ?? 'NULL')} AS label, count(*) AS count
    FROM ${src.from} WHERE ${and([src.driver?.within, filterWhere(d, tenant, src.filter, actorIds)])}
    GROUP BY 1 ORDER BY ${raw(g.order)} LIMIT 1000`;
  return statsGroups(rows);
}

export function* listActors(
  d: SqlDialect,
  tenant: string,
  prefix: string,
  limit: number,
): Plan<ActorSummary[]> {
  const like = `${d.text(prefix.toLowerCase()).replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  return (yield sql`SELECT actor_id AS id, max(nullif(username, '')) AS username, max(display_name) AS "displayName"
    FROM actors WHERE tenant = ${tenant}
      AND (lower(actor_id) LIKE ${like} ESCAPE '\\' OR username_f LIKE ${like} ESCAPE '\\'
        OR lower(display_name) LIKE ${like} ESCAPE '\\')
    GROUP BY actor_id ORDER BY actor_id LIMIT ${limit}`) as unknown as ActorSummary[];
}
