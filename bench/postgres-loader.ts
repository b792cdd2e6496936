import { createHash, randomBytes } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import {
  adminSessionAuthEvents,
  agentShiftAuthEvents,
  attackAuthEvents,
} from '../src/cli/demo/demo-auth-events.js';
import { demoSessions, demoSpanMs } from '../src/cli/demo/demo-events.js';
import { Random } from '../src/cli/demo/random.js';
import { splitBatch } from '../src/core/domain/batch-body.js';
import { DEFAULT_CATALOG } from '../src/core/domain/catalog.js';
import type { PreparedAuthEvent, PreparedEvent } from '../src/core/domain/entry.js';
import { prepareAuthEvents } from '../src/core/domain/prepare-auth-event.js';
import { prepareEvents } from '../src/core/domain/prepare-event.js';
import { Redactor } from '../src/core/domain/redact.js';
import type { AuthEventInput } from '../src/core/domain/schemas/auth-event-schema.js';
import type { EventInput } from '../src/core/domain/schemas/event-schema.js';
import { formatTimestamp } from '../src/core/domain/time.js';
import { createPool, type PgPool, pgText } from '../src/store/postgres/postgres-connection.js';
import { migratePostgres } from '../src/store/postgres/postgres-migrations.js';
import { ensurePartitions } from '../src/store/postgres/postgres-partitions.js';
import { POSTGRES_MIGRATIONS } from '../src/store/postgres/postgres-schema.js';
import {
  AUTH_COLUMNS,
  authRow,
  EVENT_COLUMNS,
  eventRow,
  jsonArrayInsert,
  jsonbPayload,
} from '../src/store/postgres/postgres-writer-rows.js';
import { buildChunks, chunkStrings, POSTGRES_CHUNK_ENTRIES } from '../src/store/sql/search-chunks.js';
import { databaseExists, databaseUrl, freshDatabase } from './lib/postgres.js';
import { fmt } from './lib/report.js';
import { skewedEvents } from './lib/skewed-events.js';

/**
 * The fast loader for the PostgreSQL query benchmarks: fills `auditlog_bench_<size>` with `events`
 * administrative events (plus their sign-in history) in minutes, where the append path would take hours.
 *
 * How: the demo generator and the real preparation code (prepareEvents / prepareAuthEvents: bodies, search
 * strings, filter columns) make a pool of POOL events once, in Node. SQL then writes the database as
 * time-shifted replicas of that pool (INSERT … SELECT, no row crosses the wire twice): replica r takes the
 * r-th slice of the time span, every event gets its own seq, UUIDv7-shaped id, occurredAt and session id
 * (rewritten in the body too), bodies and search strings stay the demo's. The search chunks are the pool's
 * chunks (buildChunks over chunkStrings, exactly what the store writes) shifted by r × POOL seqs — POOL is a
 * multiple of the chunk size, so each replica's chunks cover the same events as the pool's. Sessions are derived from
 * the loaded authentication events as mergeSession would, actors from the pool, chain_heads says where the
 * chunks end. Indexes are dropped during the load and rebuilt from their own definitions, then VACUUM
 * ANALYZE.
 *
 * Not real: the hash chain (each hash is SHA-256 of its seq, linked to the previous one's — every query
 * reads it, none checks it; `auditlog verify` would fail) and the seq order of the two streams (events take
 * seqs 1..N, authentication events N+1..).
 *
 * Kept between runs: a database whose meta row `bench.loader` matches LOADER_VERSION, the migrations' SQL
 * and the size is reused unless `fresh` (BENCH_PG_FRESH=1 or --fresh).
 */
export const LOADER_VERSION = 4;

/** The schema the data was loaded under: a cached database whose migrations changed since is rebuilt. */
const SCHEMA = createHash('sha256')
  .update(POSTGRES_MIGRATIONS.map((m) => `${m.version}\n${m.sql}`).join('\n'))
  .digest('hex')
  .slice(0, 16);
/** A multiple of the chunk size, so that each replica's chunks cover the same events as the pool's. */
const POOL_MAX = 131_072; // ~15 s of preparation
const SEED = 7;
const DAY = 86_400_000;

export interface LoadInfo {
  version: number;
  schema: string;
  events: number;
  authEvents: number;
  pool: number;
  replicas: number;
  chunks: number;
  indexedSeq: number;
  endMs: number;
  loadedAt: string;
  loadSeconds: number;
  phases: Record<string, number>;
}

export interface LoadedDatabase {
  name: string;
  url: string;
  loadedNow: boolean;
  info: LoadInfo;
}

export function benchDatabaseName(events: number, source: EventSource = 'demo'): string {
  const label =
    events % 1_000_000 === 0
      ? `${events / 1_000_000}m`
      : events % 1000 === 0
        ? `${events / 1000}k`
        : String(events);
  return `auditlog_bench_${source === 'demo' ? '' : `${source}_`}${label}`;
}

/** `skewed`: the planner workload's history (bench/lib/skewed-events.ts, seed 18) instead of the demo's. */
export type EventSource = 'demo' | 'skewed';

export async function loadBenchDatabase(
  events: number,
  options: { fresh?: boolean; source?: EventSource } = {},
): Promise<LoadedDatabase> {
  const source = options.source ?? 'demo';
  const name = benchDatabaseName(events, source);
  if (!options.fresh && (await databaseExists(name))) {
    const pool = createPool(databaseUrl(name), 1, 'auditlog-bench-loader');
    try {
      const { rows } = await pool.query<{ value: string }>(
        "SELECT value FROM meta WHERE key = 'bench.loader'",
      );
      const info = rows[0] ? (JSON.parse(rows[0].value) as LoadInfo) : undefined;
      if (info?.version === LOADER_VERSION && info.schema === SCHEMA && info.events === events)
        return { name, url: databaseUrl(name), loadedNow: false, info };
    } catch {
      // No schema: a load that did not finish. Rebuild.
    } finally {
      await pool.end();
    }
  }
  const url = await freshDatabase(name);
  const pool = createPool(url, 2, 'auditlog-bench-loader');
  try {
    const info = await load(pool, events, source);
    return { name, url, loadedNow: true, info };
  } finally {
    await pool.end();
  }
}

function say(text: string): void {
  process.stderr.write(`bench: ${text}\n`);
}

async function load(pool: PgPool, events: number, source: EventSource): Promise<LoadInfo> {
  const started = performance.now();
  const phases: Record<string, number> = {};
  let mark = performance.now();
  const phase = (name: string) => {
    const now = performance.now();
    phases[name] = Math.round((now - mark) / 100) / 10;
    say(`  ${name}: ${phases[name]} s`);
    mark = now;
  };
  say(`loading ${fmt(events)} events into PostgreSQL (bench/postgres-loader.ts)…`);
  await pool.query("SET maintenance_work_mem = '512MB'");
  await migratePostgres(pool);

  const endMs = Date.now() - 60_000;
  const span = demoSpanMs(events);
  const startMs = endMs - span;
  const poolSize = Math.min(POOL_MAX, Math.ceil(events / POSTGRES_CHUNK_ENTRIES) * POSTGRES_CHUNK_ENTRIES);
  const replicas = Math.ceil(events / poolSize);
  if (replicas > 256) throw new Error('the loader makes at most 256 replicas of its pool (33M events)');
  const slot = Math.floor(span / replicas);
  const poolSpan = demoSpanMs(poolSize);
  const poolStart = endMs - poolSpan;

  // Monthly partitions over the whole span, as a node running for that long would have made them (the
  // store's own ensurePartitions, its TRUNCATE guards included).
  const first = new Date(startMs - 2 * DAY);
  const last = new Date(endMs);
  const months =
    (last.getUTCFullYear() - first.getUTCFullYear()) * 12 + last.getUTCMonth() - first.getUTCMonth();
  const partitions = await ensurePartitions(
    pool,
    Date.UTC(first.getUTCFullYear(), first.getUTCMonth() + 1, 1),
    months + 2,
  );
  if (partitions.failed.length > 0) throw new Error(`partitions: ${partitions.failed.join('; ')}`);
  // Secondary indexes go during the load and come back from their own definitions afterwards.
  const { rows: indexes } = await pool.query<{ name: string; def: string }>(
    `SELECT i.indexname AS name, i.indexdef AS def FROM pg_indexes i
       WHERE i.schemaname = current_schema()
         AND i.tablename IN ('events', 'auth_events', 'event_search_chunks', 'sessions', 'actors')
         AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)`,
  );
  for (const i of indexes) await pool.query(`DROP INDEX ${i.name}`);
  await pool.query(HELPERS);
  phase('schema, partitions');

  // The pool, prepared by the real code.
  const hmacKey = randomBytes(32);
  await pool.query(
    "INSERT INTO meta (key, value) VALUES ('redaction_hmac_key', $1) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    [hmacKey.toString('base64')],
  );
  const redactor = new Redactor(hmacKey);
  const categories = new Set(DEFAULT_CATALOG.map((c) => c.key));
  await pool.query(`CREATE UNLOGGED TABLE bench_tpl_events (k int8, rel_ms int8, tpl_occ text, LIKE events);
    CREATE UNLOGGED TABLE bench_tpl_auth (k int8, rel_ms int8, tpl_occ text, LIKE auth_events);
    CREATE UNLOGGED TABLE bench_tpl_chunks (lo int8, hi int8, doc text)`);
  const eventRows: unknown[][] = [];
  const authRows: unknown[][] = [];
  const chunkSources: { rid: number; strings: string[] }[] = [];
  const pendingEvents: EventInput[] = [];
  const pendingAuth: AuthEventInput[] = [];
  let k = 0;
  let authK = 0;
  const flushEvents = async (force: boolean) => {
    while (pendingEvents.length >= 1000 || (force && pendingEvents.length > 0)) {
      const { items, paths } = splitBatch({ events: pendingEvents.splice(0, 1000) });
      for (const e of prepareEvents(items, paths, { tenant: 'default', now: endMs, categories, redactor })) {
        k++;
        eventRows.push([k, e.occurredMs - poolStart, formatTimestamp(e.occurredMs), ...templateEventRow(e)]);
        chunkSources.push({ rid: k, strings: chunkStrings(e) });
      }
    }
    if (eventRows.length >= 4000 || force)
      await insertJson(pool, 'bench_tpl_events', TPL_EVENT_COLUMNS, eventRows.splice(0));
  };
  const flushAuth = async (force: boolean) => {
    while (pendingAuth.length >= 1000 || (force && pendingAuth.length > 0)) {
      const { items, paths } = splitBatch({ events: pendingAuth.splice(0, 1000) });
      for (const a of prepareAuthEvents(items, paths, endMs, (text) =>
        redactor.redactText('default', text),
      )) {
        authK++;
        authRows.push([
          authK,
          a.occurredMs - poolStart,
          formatTimestamp(a.occurredMs),
          ...templateAuthRow(a, authK),
        ]);
      }
    }
    if (authRows.length >= 4000 || force)
      await insertJson(pool, 'bench_tpl_auth', TPL_AUTH_COLUMNS, authRows.splice(0));
  };
  const rng = new Random(SEED + 1);
  if (source === 'skewed') {
    for (const e of skewedEvents(poolSize, 18, endMs, poolSpan)) {
      pendingEvents.push(e);
      await flushEvents(false);
    }
  }
  for (const session of source === 'skewed' ? [] : demoSessions({ events: poolSize, seed: SEED, endMs })) {
    pendingEvents.push(...session.events);
    pendingAuth.push(...adminSessionAuthEvents(session, rng, endMs));
    await flushEvents(false);
    await flushAuth(false);
  }
  for (const e of agentShiftAuthEvents(Math.max(10, Math.round(poolSize / 20)), poolStart, endMs, SEED)) {
    pendingAuth.push(e);
    await flushAuth(false);
  }
  await flushEvents(true);
  await flushAuth(true);
  const chunks = buildChunks(chunkSources, POSTGRES_CHUNK_ENTRIES);
  for (let i = 0; i < chunks.length; i += 500) {
    await insertJson(
      pool,
      'bench_tpl_chunks',
      [
        ['lo', 'int8'],
        ['hi', 'int8'],
        ['doc', 'text'],
      ],
      chunks.slice(i, i + 500).map((c) => [c.lo, c.hi, pgText(c.doc)]),
    );
  }
  phase(`pool of ${fmt(poolSize)} ${source} events prepared (${fmt(authK)} auth events)`);

  // Events: one INSERT … SELECT per replica, two at a time.
  const cutK = events - (replicas - 1) * poolSize;
  let next = 0;
  let done = 0;
  await Promise.all(
    [0, 1].map(async () => {
      while (next < replicas) {
        const r = next++;
        await pool.query(INSERT_EVENTS, [r, poolSize, events, startMs, slot, poolSpan]);
        done++;
        if (replicas >= 10 && done % Math.ceil(replicas / 10) === 0)
          say(`  events: ${done}/${replicas} replicas`);
      }
    }),
  );
  phase(`events: ${fmt(events)} rows`);

  const { rows: cut } = await pool.query<{ rel: number }>(
    'SELECT rel_ms AS rel FROM bench_tpl_events WHERE k = $1',
    [cutK],
  );
  const { rows: perPool } = await pool.query<{ n: number }>('SELECT count(*) AS n FROM bench_tpl_auth');
  const authPerReplica = perPool[0]!.n;
  next = 0;
  await Promise.all(
    [0, 1].map(async () => {
      while (next < replicas) {
        const r = next++;
        await pool.query(INSERT_AUTH, [
          r,
          events + r * authPerReplica,
          startMs,
          slot,
          poolSpan,
          r === replicas - 1 && cutK < poolSize ? cut[0]!.rel : null,
        ]);
      }
    }),
  );
  const { rows: authCount } = await pool.query<{ n: number; top: number }>(
    'SELECT count(*) AS n, max(seq) AS top FROM auth_events',
  );
  let head = authCount[0]!.top ?? events;
  // The attacks of the demo's last day, once, at their real times.
  const attacks = prepareAuthEvents(
    ...(Object.values(splitBatch({ events: attackAuthEvents(endMs, 'jane.admin') })) as [
      unknown[],
      string[],
    ]),
    endMs,
    (text) => redactor.redactText('default', text),
  );
  // Their links from the SQL bench_hash, the chain the replicas were written with (a Node hash here broke
  // the chain at the first of them).
  const { rows: links } = await pool.query<{ hash: string }>(
    'SELECT bench_hash(s) AS hash FROM generate_series($1::int8, $2::int8) s ORDER BY s',
    [head, head + attacks.length],
  );
  await insertJson(
    pool,
    'auth_events',
    AUTH_COLUMNS,
    attacks.map((a, i) => {
      head++;
      return authRow({
        tenant: 'default',
        entry: a,
        seq: head,
        prevHash: links[i]!.hash,
        hash: links[i + 1]!.hash,
      });
    }),
  );
  const authEvents = authCount[0]!.n + attacks.length;
  phase(`auth events: ${fmt(authEvents)} rows`);

  await pool.query(
    `INSERT INTO event_search_chunks (tenant, lo, hi, doc)
       SELECT 'default', r * $1::int8 + c.lo, r * $1::int8 + c.hi, c.doc
       FROM generate_series(0, $2::int8 - 1) r, bench_tpl_chunks c
       WHERE r * $1::int8 + c.hi <= $3 ORDER BY 2`,
    [poolSize, replicas, events],
  );
  const indexedSeq = Math.floor(events / POSTGRES_CHUNK_ENTRIES) * POSTGRES_CHUNK_ENTRIES;
  await pool.query(
    `INSERT INTO chain_heads (tenant, seq, hash, indexed_seq, unindexed) VALUES ('default', $1, bench_hash($1), $2, $3)`,
    [head, indexedSeq, events - indexedSeq],
  );
  await pool.query(
    `INSERT INTO actors (tenant, actor_id, username, username_f, display_name)
       SELECT DISTINCT ON (actor_id, coalesce(actor_username, '')) 'default', actor_id, coalesce(actor_username, ''),
         coalesce(actor_username_f, ''), actor_display_name
       FROM bench_tpl_events ORDER BY actor_id, coalesce(actor_username, ''), k DESC`,
  );
  await pool.query(INSERT_SESSIONS);
  phase('search chunks, actors, sessions, chain head');

  for (const i of indexes) {
    const t = performance.now();
    await pool.query(i.def.replace(' ON ONLY ', ' ON '));
    if (events >= 1_000_000) say(`    ${i.name}: ${((performance.now() - t) / 1000).toFixed(1)} s`);
  }
  phase(`${indexes.length} indexes rebuilt`);
  await pool.query(`DROP TABLE bench_tpl_events, bench_tpl_auth, bench_tpl_chunks;
    DROP FUNCTION bench_hash(int8), bench_session(text, int8), bench_uuid(int8, int8), bench_hex(int8, int)`);
  await pool.query('VACUUM ANALYZE');
  phase('VACUUM ANALYZE');

  const { rows: chunkCount } = await pool.query<{ n: number }>(
    'SELECT count(*) AS n FROM event_search_chunks',
  );
  const info: LoadInfo = {
    version: LOADER_VERSION,
    schema: SCHEMA,
    events,
    authEvents,
    pool: poolSize,
    replicas,
    chunks: chunkCount[0]!.n,
    indexedSeq,
    endMs,
    loadedAt: new Date().toISOString(),
    loadSeconds: Math.round((performance.now() - started) / 1000),
    phases,
  };
  await pool.query("INSERT INTO meta (key, value) VALUES ('bench.loader', $1)", [JSON.stringify(info)]);
  say(`loaded ${fmt(events)} events + ${fmt(authEvents)} auth events in ${info.loadSeconds} s`);
  return info;
}

/**
 * Synthetic chain; session ids unique per replica (same length and prefix: two hex digits become the replica
 * number, so at most 256 replicas); UUIDv7-shaped ids. Built from hashint8extended, and immutable throughout,
 * so the planner inlines them: md5/sha256, or a call that is not inlined, made the load 3× slower.
 */
const HELPERS = `
  CREATE FUNCTION bench_hex(v int8, n int) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT lpad(to_hex(v), n, '0') $$;
  CREATE FUNCTION bench_hash(seq int8) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN seq <= 0 THEN repeat('0', 64)
      ELSE bench_hex(hashint8extended(seq, 1), 16) || bench_hex(hashint8extended(seq, 2), 16)
        || bench_hex(hashint8extended(seq, 3), 16) || bench_hex(hashint8extended(seq, 4), 16) END $$;
  CREATE FUNCTION bench_session(s text, r int8) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN s IS NULL OR r = 0 THEN s
      ELSE left(s, length(s) - 14) || bench_hex(r, 2) || right(s, 12) END $$;
  CREATE FUNCTION bench_uuid(occ int8, seq int8) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT substr(bench_hex(occ, 12), 1, 8) || '-' || substr(bench_hex(occ, 12), 9, 4)
      || '-7' || bench_hex(hashint8extended(seq, 5) & 4095, 3) || '-8' || bench_hex(hashint8extended(seq, 6) & 4095, 3)
      || '-' || bench_hex(hashint8extended(seq, 7) & 281474976710655, 12) $$;
`;

const ISO = `to_char(timestamp 'epoch' + x.occ * interval '1 millisecond', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/** $1 replica, $2 pool size, $3 events, $4 start, $5 slot, $6 pool span. */
const INSERT_EVENTS = `
  INSERT INTO events (tenant, seq, id, occurred_ms, received_ms, actor_id, actor_username, actor_username_f,
    actor_display_name, action, category, event_type, target_type, target_id, target_id_f, target_name_f, ip_key,
    session_id, body, search, prev_hash, hash)
  SELECT 'default', x.seq, x.id, x.occ, x.occ + (x.seq * 7919) % 1500, t.actor_id, t.actor_username,
    t.actor_username_f, t.actor_display_name, t.action, t.category, t.event_type, t.target_type, t.target_id,
    t.target_id_f, t.target_name_f, t.ip_key, x.sess,
    replace(replace(
      CASE WHEN t.session_id IS NULL THEN t.body
        ELSE replace(t.body, '"sessionId":"' || t.session_id || '"', '"sessionId":"' || x.sess || '"') END,
      '"id":"' || t.id || '"', '"id":"' || x.id || '"'),
      '"occurredAt":"' || t.tpl_occ || '"', '"occurredAt":"' || ${ISO} || '"'),
    t.search, bench_hash(x.seq - 1), bench_hash(x.seq)
  FROM bench_tpl_events t,
    LATERAL (SELECT s.seq, s.occ, bench_uuid(s.occ, s.seq) AS id, bench_session(t.session_id, $1) AS sess
      FROM (SELECT $1::int8 * $2::int8 + t.k AS seq,
                   $4::int8 + $1::int8 * $5::int8 + (t.rel_ms::float8 * $5::int8 / $6::int8)::int8 AS occ) s) x
  WHERE $1::int8 * $2::int8 + t.k <= $3::int8
  ORDER BY t.k`;

/** $1 replica, $2 seq base, $3 start, $4 slot, $5 pool span, $6 last template time included (or null). */
const INSERT_AUTH = `
  INSERT INTO auth_events (tenant, seq, id, occurred_ms, received_ms, type, user_id, username, username_f, method,
    reason, session_id, ip, ip_key, body, search, prev_hash, hash)
  SELECT 'default', x.nseq, x.nid, x.occ, x.occ + (x.nseq * 7919) % 1500, x.type, x.user_id, x.username,
    x.username_f, x.method, x.reason, x.sess, x.ip, x.ip_key,
    replace(replace(
      CASE WHEN x.session_id IS NULL THEN x.body
        ELSE replace(x.body, '"sessionId":"' || x.session_id || '"', '"sessionId":"' || x.sess || '"') END,
      '"id":"' || x.id || '"', '"id":"' || x.nid || '"'),
      '"occurredAt":"' || x.tpl_occ || '"', '"occurredAt":"' || ${ISO} || '"'),
    x.search, bench_hash(x.nseq - 1), bench_hash(x.nseq)
  FROM (SELECT s.*, bench_uuid(s.occ, s.nseq) AS nid, bench_session(s.session_id, $1) AS sess FROM (
      SELECT t.*, $2::int8 + row_number() OVER (ORDER BY t.rel_ms, t.k) AS nseq,
        $3::int8 + $1::int8 * $4::int8 + (t.rel_ms::float8 * $4::int8 / $5::int8)::int8 AS occ
      FROM bench_tpl_auth t WHERE $6::int8 IS NULL OR t.rel_ms <= $6::int8) s) x
  ORDER BY x.nseq`;

/** Sessions as core/session-merge.ts folds them: the earliest login, the earliest end. */
const INSERT_SESSIONS = `
  INSERT INTO sessions (tenant, session_id, user_id, username, username_f, display_name, method, ip, ip_key,
    user_agent, login_ms, ended_ms, end_reason, sort_ms)
  SELECT coalesce(l.tenant, e.tenant), coalesce(l.session_id, e.session_id),
    CASE WHEN l.session_id IS NULL THEN e.user_id ELSE l.user_id END,
    CASE WHEN l.session_id IS NULL THEN e.username ELSE l.username END,
    CASE WHEN l.session_id IS NULL THEN e.username_f ELSE l.username_f END,
    CASE WHEN l.session_id IS NULL THEN e.display_name ELSE l.display_name END,
    l.method,
    CASE WHEN l.session_id IS NULL THEN e.ip ELSE l.ip END,
    CASE WHEN l.session_id IS NULL THEN e.ip_key ELSE l.ip_key END,
    CASE WHEN l.session_id IS NULL THEN e.user_agent ELSE l.user_agent END,
    l.occurred_ms, e.occurred_ms, e.reason, coalesce(l.occurred_ms, e.occurred_ms)
  FROM (SELECT DISTINCT ON (tenant, session_id) tenant, session_id, user_id, username, username_f,
          body::jsonb -> 'user' ->> 'displayName' AS display_name, method, ip, ip_key,
          body::jsonb ->> 'userAgent' AS user_agent, occurred_ms
        FROM auth_events WHERE type = 'login_success' AND session_id IS NOT NULL
        ORDER BY tenant, session_id, occurred_ms) l
  FULL JOIN (SELECT DISTINCT ON (tenant, session_id) tenant, session_id, user_id, username, username_f,
          body::jsonb -> 'user' ->> 'displayName' AS display_name, ip, ip_key,
          body::jsonb ->> 'userAgent' AS user_agent, occurred_ms,
          CASE type WHEN 'logout' THEN 'logout' WHEN 'session_expired' THEN 'expired' ELSE 'revoked' END AS reason
        FROM auth_events WHERE type IN ('logout', 'session_expired', 'session_revoked') AND session_id IS NOT NULL
        ORDER BY tenant, session_id, occurred_ms) e
  ON l.tenant = e.tenant AND l.session_id = e.session_id`;

const TPL_PREFIX: [string, string][] = [
  ['k', 'int8'],
  ['rel_ms', 'int8'],
  ['tpl_occ', 'text'],
];
const TPL_EVENT_COLUMNS = [...TPL_PREFIX, ...EVENT_COLUMNS];

const TPL_AUTH_COLUMNS = [...TPL_PREFIX, ...AUTH_COLUMNS];

/** The store's own events row (postgres-writer-rows.ts eventRow), with a placeholder chain. */
function templateEventRow(e: PreparedEvent): unknown[] {
  return eventRow({ tenant: 'default', entry: e, seq: 0, prevHash: '', hash: '' });
}

/** The store's own auth_events row (postgres-writer-rows.ts authRow), with a placeholder chain. */
function templateAuthRow(a: PreparedAuthEvent, seq: number): unknown[] {
  return authRow({ tenant: 'default', entry: a, seq, prevHash: '', hash: '' });
}

/** The store's insert form: INSERT … SELECT over one jsonb array parameter. */
async function insertJson(pool: PgPool, table: string, columns: [string, string][], values: unknown[][]) {
  if (values.length === 0) return;
  await pool.query(jsonArrayInsert(table, columns), [jsonbPayload(values)]);
}

// Standalone: node --import tsx bench/postgres-loader.ts --events 10000000 [--fresh]
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const arg = (name: string) => {
    const i = process.argv.indexOf(name);
    return i === -1 ? undefined : process.argv[i + 1];
  };
  const n = Number(arg('--events') ?? 1_000_000);
  const loaded = await loadBenchDatabase(n, { fresh: process.argv.includes('--fresh') });
  process.stdout.write(
    `${JSON.stringify({ name: loaded.name, loadedNow: loaded.loadedNow, ...loaded.info }, null, 2)}\n`,
  );
}
