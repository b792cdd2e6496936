import { cpus, loadavg } from 'node:os';
import { relative, resolve } from 'node:path';
import postgres from 'postgres';
import { createPool, type PgPool } from '../src/store/postgres/postgres-connection.js';
import { migratePostgres } from '../src/store/postgres/postgres-migrations.js';
import { ensurePartitions } from '../src/store/postgres/postgres-partitions.js';
import { insertEventRows } from '../src/store/postgres/postgres-writer-rows.js';
import { demoEvents } from './lib/demo-entries.js';
import { latencyLine, percentile, postBatches, timeQueries } from './lib/http-load.js';
import {
  BENCH_SIGNING_KEY,
  copyLine,
  databaseSizeGb,
  dropDatabase,
  EVENT_COLUMN_NAMES,
  freshDatabase,
  pgSettings,
  storeEventRows,
} from './lib/postgres.js';
import { fmt, ms, type Report } from './lib/report.js';
import { BENCH_TOKEN, run, settled, startServer } from './lib/server-process.js';
import { postSinglesExternal, postsLatency } from './lib/wrk-load.js';
import { loadBenchDatabase } from './postgres-loader.js';
import { capturePlans, type PlanKind } from './postgres-plans.js';

const serverEnv = { AUDITLOG_SIGNING_KEY: BENCH_SIGNING_KEY };
const headers = { authorization: `Bearer ${BENCH_TOKEN}`, 'content-type': 'application/json' };

/**
 * The raw ceilings: the very rows the store writes for these events (postgres-writer-rows.ts eventRow), into a
 * fresh database migrated as the store migrates it (so the partitioned events table with its six B-trees),
 * 500 rows per statement, each statement its own durable transaction, one connection — no validation,
 * hashing, chain-head lock, actors or keyword chunks, no HTTP. Two ways, in alternating blocks of 5,000 rows
 * into the same table (so a busy machine slows both alike): the store's own INSERT … SELECT over a jsonb
 * array (insertEventRows, pg), and COPY FROM STDIN in text format (postgres.js).
 */
async function rawCeilings(rows: unknown[][]): Promise<{ insert: number; copy: number }> {
  const name = 'auditlog_bench_raw';
  const url = await freshDatabase(name);
  const pool: PgPool = createPool(url, 1, 'auditlog-bench');
  await migratePostgres(pool);
  await ensurePartitions(pool);
  const client = await pool.connect();
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  const lines = rows.map(copyLine);
  const time = { insert: 0, copy: 0 };
  const count = { insert: 0, copy: 0 };
  const block = Math.min(5000, Math.ceil(rows.length / 4 / 500) * 500);
  try {
    for (let b = 0; b * block < rows.length; b++) {
      const from = b * block;
      const to = Math.min(rows.length, from + block);
      const started = performance.now();
      if (b % 2 === 0) {
        for (let i = from; i < to; i += 500)
          await insertEventRows(client, rows.slice(i, Math.min(to, i + 500)));
        time.insert += performance.now() - started;
        count.insert += to - from;
      } else {
        for (let i = from; i < to; i += 500) {
          const stream = await sql
            .unsafe(`COPY events (${EVENT_COLUMN_NAMES.join(', ')}) FROM STDIN`)
            .writable();
          await new Promise<void>((resolve, reject) => {
            stream.on('error', reject);
            stream.on('finish', resolve);
            stream.end(lines.slice(i, Math.min(to, i + 500)).join(''));
          });
        }
        time.copy += performance.now() - started;
        count.copy += to - from;
      }
    }
  } finally {
    client.release();
    await pool.end();
    await sql.end();
    await dropDatabase(name);
  }
  return { insert: count.insert / (time.insert / 1000), copy: count.copy / (time.copy / 1000) };
}

async function ingestPart(report: Report, n: number): Promise<void> {
  const section = report.section(
    `PostgreSQL ingest (${fmt(n)} demo events; ${await pgSettings()}; load average at the start ${loadavg()[0]!.toFixed(1)} on ${cpus().length} cores)`,
  );
  const events = demoEvents(n);
  const { insert, copy } = await rawCeilings(storeEventRows(events));
  report.add(
    section,
    'raw multi-row INSERT (ceiling)',
    `${fmt(insert)} rows/s`,
    "store's jsonb_array_elements INSERT, events table + its B-trees, 500/tx",
  );
  report.add(
    section,
    'raw COPY (second ceiling)',
    `${fmt(copy)} rows/s`,
    `same rows and table, COPY FROM STDIN, 500/tx, blocks alternating with the INSERT; ${(copy / insert).toFixed(2)}× the INSERT`,
  );

  const ingestDb = 'auditlog_bench_ingest';
  const server = await startServer(['--database-url', await freshDatabase(ingestDb)], serverEnv);
  const cpuBefore = server.cpuSeconds();
  const batch = await postBatches(server.url, events, headers);
  const serverCpu = (server.cpuSeconds() - cpuBefore) / batch.seconds;
  const httpRate = events.length / batch.seconds;
  report.add(
    section,
    'HTTP batches of 500, 4 connections',
    `${fmt(httpRate)} events/s`,
    `${(httpRate / insert).toFixed(2)}× the INSERT ceiling (goal ≥ 0.50×), ${(httpRate / copy).toFixed(2)}× COPY; errors ${batch.errors}`,
  );
  report.add(
    section,
    'batch request latency p50 / p99',
    latencyLine(batch),
    `the server process used ${(serverCpu * 100).toFixed(0)}% of one core meanwhile (${fmt((serverCpu * 1e6) / httpRate)} µs per event)`,
  );

  const singles = events.slice(0, Math.min(30_000, n)).map((e) => JSON.stringify(e));
  await settled(server);
  const one = await postSinglesExternal(server.url, singles, headers);
  const oneRate = one.requests / one.seconds;
  report.add(
    section,
    'single-event posts, 16 connections, one server',
    `${fmt(oneRate)} events/s`,
    `errors ${one.errors}; sent by ${one.generator}`,
  );
  report.add(section, 'single-event latency p50 / p99, one server', postsLatency(one));
  await server.stop();
  await dropDatabase(ingestDb);

  // Two processes on one database: 8 connections to each, one linear chain between them.
  const multiDb = 'auditlog_bench_multi';
  const url = await freshDatabase(multiDb);
  const a = await startServer(['--database-url', url], serverEnv);
  const b = await startServer(['--database-url', url], serverEnv);
  const half = Math.ceil(singles.length / 2);
  const [ra, rb] = await Promise.all(
    [a, b].map((s, k) => postSinglesExternal(s.url, singles.slice(k * half, (k + 1) * half), headers, 8)),
  );
  await a.stop();
  await b.stop();
  const verify = await run(['verify', '--database-url', url]);
  const twoRate = ra!.requests / ra!.seconds + rb!.requests / rb!.seconds;
  report.add(
    section,
    'single-event posts, 16 connections, two servers',
    `${fmt(twoRate)} events/s`,
    `${(twoRate / oneRate).toFixed(2)}× one server; errors ${ra!.errors + rb!.errors}; auditlog verify: ${verify.code === 0 ? 'one valid chain' : `FAILED (${verify.stdout.trim().split('\n').at(-1)})`}`,
  );
  report.add(
    section,
    'single-event latency p50 / p99, two servers',
    `${postsLatency(ra!)}; ${postsLatency(rb!)}`,
    'goal p99 ≤ 25 ms (SQLite’s)',
  );
  await dropDatabase(multiDb);
}

/** Values that exist in the loaded data, so that each query kind has real matches. */
async function pickValues(url: string, events: number) {
  const pool = createPool(url, 1, 'auditlog-bench');
  const one = async (sql: string) => (await pool.query(sql)).rows[0]?.v as string;
  const values = {
    ip: await one("SELECT body::jsonb ->> 'ip' AS v FROM events WHERE tenant = 'default' AND seq = 1000"),
    session: await one("SELECT session_id AS v FROM events WHERE tenant = 'default' AND seq = 5000"),
    rareTicket: await one(
      `SELECT substring(body FROM '"reason":"(Ticket OPS-[0-9]+)"') AS v FROM events
         WHERE tenant = 'default' AND seq > ${Math.min(100_000, Math.floor(events / 2))}
           AND body LIKE '%"reason":"Ticket OPS-%' LIMIT 1`,
    ),
    newest: Number(await one("SELECT max(occurred_ms) AS v FROM events WHERE tenant = 'default'")),
  };
  await pool.end();
  return values;
}

function queryKinds(v: Awaited<ReturnType<typeof pickValues>>, endMs: number): PlanKind[] {
  const day = new Date(v.newest - 86_400_000).toISOString();
  const week = new Date(v.newest - 7 * 86_400_000).toISOString();
  const enc = encodeURIComponent;
  const F = 50; // goal p95 for filters, ms
  const K = 100; // for keyword search
  return [
    { name: 'newest page (no filter)', paths: ['/v1/events'], goal: F },
    { name: 'date range (last 7 days)', paths: [`/v1/events?from=${week}`], goal: F },
    { name: 'user (username)', paths: ['/v1/events?user=jose.alvarez', '/v1/events?user=li.wei'], goal: F },
    { name: 'action', paths: ['/v1/events?action=delete'], goal: F },
    { name: 'category (rarest)', paths: ['/v1/events?category=ai'], goal: F },
    { name: 'eventType', paths: ['/v1/events?eventType=campaign.pacing_adjusted'], goal: F },
    {
      name: 'target type + id (entity)',
      paths: ['/v1/events?targetType=Carrier&targetId=trunk-provider-3'],
      goal: F,
    },
    { name: 'target (id or name)', paths: ['/v1/events?target=main-menu'], goal: F },
    { name: 'entity history (oldest first)', paths: ['/v1/entities/IVR/billing-menu/history'], goal: F },
    { name: 'ip address', paths: [`/v1/events?ip=${enc(v.ip)}`], goal: F },
    { name: 'ip CIDR /16', paths: ['/v1/events?ip=203.0.0.0%2F16'], goal: F },
    { name: 'sessionId', paths: [`/v1/events?sessionId=${enc(v.session)}`], goal: F },
    { name: 'keyword: rare', paths: [`/v1/events?q=${enc(`"${v.rareTicket}"`)}`], goal: K },
    { name: 'keyword: common', paths: ['/v1/events?q=campaign'], goal: K },
    { name: 'keyword: phrase', paths: [`/v1/events?q=${enc('"Spring Renewal"')}`], goal: K },
    { name: 'keyword: Unicode', paths: ['/v1/events?q=%C3%91AND%C3%9A'], goal: K },
    { name: 'keyword: two words', paths: ['/v1/events?q=trunk-provider-2%20maxChannels'], goal: K },
    { name: 'keyword: short (2 chars)', paths: ['/v1/events?q=zq'], goal: K },
    {
      name: 'combined (user+category+q+from)',
      paths: [`/v1/events?user=jane.admin&category=telephony&q=trunk&from=${day}`],
      goal: K,
    },
    { name: 'stats by category (whole log)', paths: ['/v1/stats?groupBy=category'], goal: 0 },
    { name: 'sessions, newest page', paths: ['/v1/sessions'], goal: F },
    { name: 'sessions, open only', paths: ['/v1/sessions?active=true'], goal: F },
    { name: 'sessions of one user', paths: ['/v1/sessions?user=maria.garcia'], goal: F },
    { name: 'auth events, failures only', paths: ['/v1/auth-events?type=login_failure'], goal: F },
    {
      name: 'failures by user, 15 min window',
      paths: ['/v1/auth/failures?window=15m&groupBy=user'],
      goal: F,
    },
    { name: 'failures by IP, 24 h window', paths: ['/v1/auth/failures?window=24h&groupBy=ip'], goal: F },
    { name: 'alerts, last 24 h', paths: ['/v1/alerts'], goal: F },
    {
      name: 'alerts, last 30 days',
      paths: [`/v1/alerts?from=${new Date(endMs - 30 * 86_400_000).toISOString()}`],
      goal: F,
    },
  ];
}

async function queryPart(
  report: Report,
  events: number,
  rounds: number,
  fresh: boolean,
  plansFile: string | undefined,
): Promise<void> {
  const loaded = await loadBenchDatabase(events, { fresh });
  const { info } = loaded;
  const section = report.section(
    `PostgreSQL queries over ${fmt(events)} events + ${fmt(info.authEvents)} auth events (HTTP included, one client, up to ${rounds} rounds each; bench/postgres-loader.ts data, synthetic hash chain)`,
  );
  report.add(
    section,
    `load (bench/postgres-loader.ts, ${loaded.name})`,
    loaded.loadedNow ? `${fmt(info.loadSeconds)} s` : 'cached',
    `${fmt(events / info.loadSeconds)} events/s when loaded ${info.loadedAt.slice(0, 16)}Z; ${(await databaseSizeGb(loaded.name)).toFixed(1)} GB; ${info.replicas} replicas of a ${fmt(info.pool)}-event demo pool`,
  );
  const values = await pickValues(loaded.url, events);
  const kinds = queryKinds(values, info.endMs);
  const server = await startServer(['--database-url', loaded.url], serverEnv);
  const timings = new Map<string, { p50: number; p95: number }>();
  try {
    for (const kind of kinds) {
      try {
        const latencies = await timeQueries(server.url, BENCH_TOKEN, kind.paths, rounds, 20_000);
        const p50 = percentile(latencies, 50);
        const p95 = percentile(latencies, 95);
        timings.set(kind.name, { p50, p95 });
        const n = latencies.length / kind.paths.length;
        const verdict = kind.goal ? `goal p95 ≤ ${kind.goal} ms${p95 > kind.goal ? ' — MISSED' : ''}` : '';
        report.add(
          section,
          kind.name,
          `${ms(p50)} / ${ms(p95)}`,
          `p50 / p95; ${verdict}${n < rounds ? `${verdict ? '; ' : ''}${n} rounds (20 s budget)` : ''}`,
        );
      } catch (error) {
        report.add(section, kind.name, 'failed', (error as Error).message);
      }
    }
  } finally {
    await server.stop();
  }
  if (plansFile) {
    await capturePlans(loaded.url, kinds, timings, plansFile, {
      events,
      authEvents: info.authEvents,
      database: loaded.name,
    });
    report.add(
      section,
      'EXPLAIN (ANALYZE, BUFFERS) of every query shape',
      relative(process.cwd(), resolve(plansFile)),
    );
  }
}

export interface PostgresBenchOptions {
  ingest?: number;
  sizes?: number[];
  rounds: number;
  fresh: boolean;
  plansFile?: string;
}

export async function postgresBench(report: Report, options: PostgresBenchOptions): Promise<void> {
  if (options.ingest) await ingestPart(report, options.ingest);
  const sizes = options.sizes ?? [];
  const largest = Math.max(...sizes);
  for (const size of sizes)
    await queryPart(
      report,
      size,
      options.rounds,
      options.fresh,
      size === largest ? options.plansFile : undefined,
    );
}
