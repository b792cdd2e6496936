import { mkdirSync, rmSync } from 'node:fs';
import Database from 'better-sqlite3';
import type { EventInput } from '../src/core/domain/schemas/event-schema.js';
import { openAuditLog } from '../src/core/services/audit-log.js';
import { SQLITE_MIGRATIONS } from '../src/store/sqlite/sqlite-schema.js';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { eventRowValues, INSERT_EVENT_SQL } from '../src/store/sqlite/sqlite-writer-rows.js';
import { DATA_DIR } from './lib/datasets.js';
import { demoEvents, sealDemoEvents } from './lib/demo-entries.js';
import { type LoadResult, latencyLine, postBatches } from './lib/http-load.js';
import { fmt, type Report } from './lib/report.js';
import { BENCH_TOKEN, BIN, settled, startServer } from './lib/server-process.js';
import { type PostsResult, postSinglesExternal, postsLatency } from './lib/wrk-load.js';
import { redactBench } from './redact-bench.js';

function fresh(name: string): string {
  mkdirSync(DATA_DIR, { recursive: true });
  const file = `${DATA_DIR}${name}`;
  for (const s of ['', '-wal', '-shm', '.signing-key.pem']) rmSync(file + s, { force: true });
  return file;
}

/**
 * The raw ceiling: the very rows the store writes for these events (same columns, same filter B-tree
 * indexes, WAL with synchronous=FULL, transactions of 500), inserted by better-sqlite3 with no validation,
 * no redaction, no hashing, no keyword index, no HTTP.
 */
function rawCeiling(events: EventInput[]): number {
  const rows = sealDemoEvents(events);
  const file = fresh('raw-ceiling.db');
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  // The events table and its B-tree indexes exactly as migration 1 creates them; nothing else.
  const ddl = SQLITE_MIGRATIONS[0]!.sql;
  const table = /CREATE TABLE events \([\s\S]*?\) STRICT;/.exec(ddl)![0];
  const indexes = ddl.match(/CREATE (UNIQUE )?INDEX events_[\s\S]*?;/g)!;
  db.exec(table);
  for (const i of indexes) db.exec(i);
  const insert = db.prepare(INSERT_EVENT_SQL);
  const tx = db.transaction((part: typeof rows) => {
    for (const { entry, link } of part)
      insert.run(...eventRowValues('default', entry, link.seq, link.prevHash, link.hash));
  });
  const started = performance.now();
  for (let i = 0; i < rows.length; i += 500) tx(rows.slice(i, i + 500));
  const rate = rows.length / ((performance.now() - started) / 1000);
  db.close();
  return rate;
}

/** Distinct single events posted (BENCH_SINGLES, default 30,000, at most the ingest size; wrk cycles them). */
const SINGLES = Number(process.env.BENCH_SINGLES ?? 30_000);
// wrk needs a body to cycle: with none its script failed with a Lua PANIC instead of saying why.
if (!(SINGLES >= 1)) throw new Error(`BENCH_SINGLES must be a number ≥ 1, not ${process.env.BENCH_SINGLES}`);
const BASELINE_BIN = process.env.BENCH_BASELINE_BIN;

/** Batches, then single events, posted to a fresh server of the build at `bin`. */
async function httpIngest(
  bin: string,
  db: string,
  events: EventInput[],
  singles: string[],
  headers: Record<string, string>,
): Promise<{ batch: LoadResult; single: PostsResult; cpuPerEvent: number; singleCpu: number }> {
  const server = await startServer(['--db', fresh(db)], {}, bin);
  try {
    const cpu = server.cpuSeconds();
    const batch = await postBatches(server.url, events, headers);
    // Every thread of the server (event loop, writer, readers, V8's helpers): steadier than the rate.
    const cpuPerEvent = ((server.cpuSeconds() - cpu) * 1e6) / events.length;
    // The batches leave work behind (the Merkle log's catch-up): measured in the singles' time, it cost them
    // ~25% of their rate.
    await settled(server);
    const before = server.cpuSeconds();
    const single = await postSinglesExternal(server.url, singles, headers);
    const singleCpu = ((server.cpuSeconds() - before) * 1e6) / single.requests;
    return { batch, single, cpuPerEvent, singleCpu };
  } finally {
    await server.stop();
  }
}

export async function ingestBench(report: Report, n: number): Promise<void> {
  const section = report.section(`SQLite ingest (${fmt(n)} demo events)`);
  const events = demoEvents(n);
  const avg = events.reduce((s, e) => s + JSON.stringify(e).length, 0) / events.length;
  process.stdout.write(`  average event: ${fmt(avg)} bytes of JSON\n`);
  redactBench(report, events.slice(0, 20_000));
  const raw = rawCeiling(events);
  report.add(
    section,
    'raw better-sqlite3 insert (ceiling)',
    `${fmt(raw)} rows/s`,
    'same rows, filter indexes, WAL FULL, tx of 500',
  );

  const headers = { authorization: `Bearer ${BENCH_TOKEN}`, 'content-type': 'application/json' };
  const singles = events.slice(0, Math.min(SINGLES, n)).map((e) => JSON.stringify(e));
  // With BENCH_BASELINE_BIN (another build's bin/auditlog.js, e.g. a worktree of an older commit), the same
  // loads run against it right after, so before and after are measured in the same conditions.
  const current = await httpIngest(BIN, 'ingest-http.db', events, singles, headers);
  const before = BASELINE_BIN
    ? await httpIngest(BASELINE_BIN, 'ingest-baseline.db', events, singles, headers)
    : undefined;
  const { batch, single } = current;
  const batchRate = events.length / batch.seconds;
  const singleRate = single.requests / single.seconds;
  report.add(
    section,
    'HTTP batches of 500, 4 connections',
    `${fmt(batchRate)} events/s`,
    `${(batchRate / raw).toFixed(2)}× the ceiling (goal ≥ 0.50×); server CPU ${current.cpuPerEvent.toFixed(0)} µs/event; errors ${batch.errors}`,
  );
  report.add(section, 'batch request latency p50 / p99', latencyLine(batch));
  report.add(
    section,
    `single-event posts (${fmt(single.requests)}), 16 connections`,
    `${fmt(singleRate)} events/s`,
    `${(singleRate / raw).toFixed(2)}× the ceiling; goal ≥ 3,000/s; server CPU ${current.singleCpu.toFixed(0)} µs/event; errors ${single.errors}; sent by ${single.generator}`,
  );
  report.add(section, 'single-event latency p50 / p99', postsLatency(single), 'goal p99 ≤ 25 ms');
  if (before) {
    const beforeBatch = events.length / before.batch.seconds;
    const beforeSingle = before.single.requests / before.single.seconds;
    report.add(
      section,
      'baseline build: HTTP batches',
      `${fmt(beforeBatch)} events/s`,
      `${(beforeBatch / raw).toFixed(2)}× the ceiling; server CPU ${before.cpuPerEvent.toFixed(0)} µs/event; this build ${(batchRate / beforeBatch).toFixed(2)}× it`,
    );
    report.add(
      section,
      'baseline build: single-event posts',
      `${fmt(beforeSingle)} events/s`,
      `p50 / p99 ${postsLatency(before.single)}; this build ${(singleRate / beforeSingle).toFixed(2)}× it`,
    );
  }

  // The cost of the token check, measured alone: the lookup and constant-time comparison per request.
  const store = await SqliteStore.open({ file: fresh('auth-check.db') });
  const log = await openAuditLog({ store });
  await log.access.ensureBootstrapToken(BENCH_TOKEN, { actor: { id: 'cli:bench', type: 'system' } });
  for (let i = 0; i < 2000; i++) await log.access.authenticate(BENCH_TOKEN);
  const checks = 50_000;
  const started = performance.now();
  for (let i = 0; i < checks; i++) await log.access.authenticate(BENCH_TOKEN);
  const perCheckUs = ((performance.now() - started) * 1000) / checks;
  await log.close();
  const singleShare = (perCheckUs / 1e6) * singleRate;
  const batchShare = (perCheckUs / 1e6) * (batch.requests / batch.seconds);
  report.add(
    section,
    'token check per request',
    `${perCheckUs.toFixed(1)} µs`,
    `= ${(singleShare * 100).toFixed(1)}% of one core at the single-event rate, ${(batchShare * 100).toFixed(2)}% at the batch rate (goal ≤ 5%)`,
  );
}
