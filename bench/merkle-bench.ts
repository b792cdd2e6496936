import { mkdirSync, rmSync } from 'node:fs';
import { openAuditLog } from '../src/core/services/audit-log.js';
import { createPool } from '../src/store/postgres/postgres-connection.js';
import { PostgresStore } from '../src/store/postgres/postgres-store.js';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { DATA_DIR } from './lib/datasets.js';
import { demoEvents } from './lib/demo-entries.js';
import { pgVersion } from './lib/postgres.js';
import { fmt, type Report } from './lib/report.js';
import { loadChainSqlite } from './merkle-loader.js';
import { proofLatency } from './merkle-proof-latency.js';
import { loadBenchDatabase } from './postgres-loader.js';

const BATCH = 500;

function fresh(name: string): string {
  mkdirSync(DATA_DIR, { recursive: true });
  const file = `${DATA_DIR}${name}`;
  for (const s of ['', '-wal', '-shm', '.signing-key.pem']) rmSync(file + s, { force: true });
  return file;
}

/** Appends `events` through the library in batches; with the tree, until the tree covers them too. */
async function ingest(file: string, events: Record<string, unknown>[], maintainMerkleTree: boolean) {
  const log = await openAuditLog({ store: await SqliteStore.open({ file }), maintainMerkleTree });
  const started = performance.now();
  for (let i = 0; i < events.length; i += BATCH)
    await log.appendEvents('default', { events: events.slice(i, i + BATCH) });
  if (maintainMerkleTree) await log.merkle.catchUp('default');
  const seconds = (performance.now() - started) / 1000;
  await log.close();
  return events.length / seconds;
}

async function ingestFigures(report: Report, events: number): Promise<void> {
  const section = report.section(`Verifiable log: ingest with the Merkle tree (${fmt(events)} events)`);
  const input = demoEvents(events).map((e, i) => ({ ...e, id: `mb-${i}` })) as Record<string, unknown>[];
  const without = await ingest(fresh('merkle-without.db'), input, false);
  const withTree = await ingest(fresh('merkle-with.db'), input, true);
  report.add(section, 'ingest without the tree', `${fmt(without)} events/s`, 'baseline');
  report.add(
    section,
    'ingest with the tree maintained',
    `${fmt(withTree)} events/s`,
    `${(withTree / without).toFixed(2)}× the baseline; goal ≥ 0.8×`,
  );
}

export interface MerkleBenchSizes {
  /** Events appended through the library, with the tree and without (BENCH_MERKLE_INGEST; 0: none). */
  ingest: number;
  /** SQLite trees of bench/merkle-loader.ts (BENCH_MERKLE_SIZES). */
  sqlite: number[];
  /** PostgreSQL databases of bench/postgres-loader.ts, tree built by MerkleLog.catchUp (BENCH_MERKLE_PG). */
  postgres: number[];
  rounds: number;
}

/**
 * BENCH_ONLY=merkle. (1) Ingest events/s with the Merkle tree maintained versus without: the same events,
 * the same run, library appends of 500 on SQLite, the clock stopped once the tree covers them. (2) Proof
 * latency — inclusion bundle and consistency proof, p95 — over trees of 1M and 10M entries on SQLite
 * (merkle-loader.ts: synthetic chain, real tree rows) and 1M on PostgreSQL (postgres-loader.ts's data, the
 * tree built by the server's own catch-up, timed).
 */
export async function merkleBench(report: Report, sizes: MerkleBenchSizes): Promise<void> {
  if (sizes.ingest > 0) await ingestFigures(report, sizes.ingest);
  for (const size of sizes.sqlite) {
    const loaded = await loadChainSqlite(size);
    const title = `Verifiable log on SQLite, ${fmt(size)} entries (bench/merkle-loader.ts)`;
    const s = report.section(title);
    if (loaded.loadSeconds !== undefined)
      report.add(
        s,
        'load: entries, then tree rows',
        `${fmt(loaded.loadSeconds)} s + ${fmt(loaded.treeSeconds!)} s`,
      );
    const log = await openAuditLog({ store: await SqliteStore.open({ file: loaded.file }) });
    const randomId = async () => `mb-${1 + Math.floor(Math.random() * size)}`;
    await proofLatency(report, s, log, size, randomId, sizes.rounds);
    await log.close();
  }
  if (sizes.postgres.length > 0 && (await pgVersion())) {
    for (const size of sizes.postgres) await postgresProofs(report, size, sizes.rounds);
  }
}

async function postgresProofs(report: Report, size: number, rounds: number): Promise<void> {
  const loaded = await loadBenchDatabase(size);
  const entries = size + loaded.info.authEvents;
  const s = report.section(
    `Verifiable log on PostgreSQL, ${fmt(size)} events + ${fmt(loaded.info.authEvents)} auth events (bench/postgres-loader.ts, synthetic hash chain)`,
  );
  const store = await PostgresStore.open({
    url: loaded.url,
    keyFile: `${DATA_DIR}merkle-bench-pg.signing-key.pem`,
  });
  const log = await openAuditLog({ store });
  const started = performance.now();
  const before = (await store.merkle.coverage('default')).size;
  await log.merkle.catchUp('default');
  const seconds = (performance.now() - started) / 1000;
  if (before < entries)
    report.add(
      s,
      'tree built by MerkleLog.catchUp',
      `${fmt((entries - before) / seconds)} entries/s`,
      `${fmt(seconds)} s`,
    );
  // Random administrative events (seqs 1..size in this data set), read by id as a client would name them.
  const pool = createPool(loaded.url, 1, 'auditlog-merkle-bench');
  const { rows } = await pool.query<{ id: string }>(
    'SELECT id FROM events WHERE tenant = $1 AND seq = ANY($2::bigint[])',
    ['default', Array.from({ length: rounds + 40 }, () => 1 + Math.floor(Math.random() * size))],
  );
  await pool.end();
  let next = 0;
  await proofLatency(report, s, log, entries, async () => rows[next++ % rows.length]!.id, rounds);
  await log.close();
}
