import { loadavg } from 'node:os';
import { createPool, type PgPool } from '../src/store/postgres/postgres-connection.js';
import { migratePostgres } from '../src/store/postgres/postgres-migrations.js';
import { ensurePartitions } from '../src/store/postgres/postgres-partitions.js';
import { insertEventRows } from '../src/store/postgres/postgres-writer-rows.js';
import { demoEvents } from './lib/demo-entries.js';
import { dropDatabase, freshDatabase, storeEventRows } from './lib/postgres.js';
import { fmt } from './lib/report.js';

/**
 * What one B-tree of the events table costs an insert on PostgreSQL (issue 18: the category index of
 * migration 11), measured apart from HTTP and a busy machine's drift: two fresh databases migrated as the
 * store migrates them, one of them without the index (PG_INDEX_COST_INDEX, default events_category); the
 * same rows (the store's own rows and INSERT, 500 per statement, each its own durable transaction) go into
 * both in alternating blocks, so a load that comes and goes slows both alike.
 *
 *   node --import tsx bench/pg-index-cost.ts   (PG_INDEX_COST_EVENTS, default 50,000)
 */
const index = process.env.PG_INDEX_COST_INDEX ?? 'events_category';
const n = Number(process.env.PG_INDEX_COST_EVENTS ?? 50_000);
const BLOCK = 2500;

async function open(name: string, drop: boolean): Promise<PgPool> {
  const pool = createPool(await freshDatabase(name), 1, 'auditlog-bench');
  await migratePostgres(pool);
  await ensurePartitions(pool);
  if (drop) await pool.query(`DROP INDEX ${index}`);
  return pool;
}

const rows = storeEventRows(demoEvents(n));
const load = loadavg()[0]!;
const sides = [
  {
    label: `with ${index}`,
    name: 'auditlog_bench_idx_with',
    ms: 0,
    pool: await open('auditlog_bench_idx_with', false),
  },
  {
    label: `without ${index}`,
    name: 'auditlog_bench_idx_without',
    ms: 0,
    pool: await open('auditlog_bench_idx_without', true),
  },
];
try {
  for (let from = 0; from < rows.length; from += BLOCK) {
    const block = rows.slice(from, from + BLOCK);
    // Which side goes first alternates too: a block's start may meet a checkpoint or another's burst.
    const order = (from / BLOCK) % 2 === 0 ? sides : [...sides].reverse();
    for (const side of order) {
      const client = await side.pool.connect();
      const started = performance.now();
      try {
        for (let i = 0; i < block.length; i += 500) await insertEventRows(client, block.slice(i, i + 500));
      } finally {
        client.release();
      }
      side.ms += performance.now() - started;
    }
  }
  const [withIt, without] = sides.map((s) => rows.length / (s.ms / 1000));
  process.stdout.write(
    `${fmt(rows.length)} events, load average ${load.toFixed(1)} at the start, ${loadavg()[0]!.toFixed(1)} at the end\n` +
      `  ${sides[0]!.label}: ${fmt(withIt!)} rows/s\n  ${sides[1]!.label}: ${fmt(without!)} rows/s\n` +
      `  the index costs ${((1 - withIt! / without!) * 100).toFixed(1)}% of the insert rate\n`,
  );
} finally {
  for (const side of sides) {
    await side.pool.end();
    await dropDatabase(side.name);
  }
}
