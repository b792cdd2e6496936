import { pathToFileURL } from 'node:url';
import postgres from 'postgres';
import { createPool } from '../src/store/postgres/postgres-connection.js';
import { migratePostgres } from '../src/store/postgres/postgres-migrations.js';
import { ensurePartitions } from '../src/store/postgres/postgres-partitions.js';
import { jsonbPayload } from '../src/store/postgres/postgres-writer-rows.js';
import { demoEvents } from './lib/demo-entries.js';
import { percentile } from './lib/http-load.js';
import { dropDatabase, EVENT_COLUMN_NAMES, freshDatabase, storeEventRows } from './lib/postgres.js';
import { fmt, ms, Report } from './lib/report.js';

/**
 * "The pg driver or postgres.js — pick by measurement": both drivers on the same database, the same
 * statements, one connection each (the store's writer has one), rounds alternating between them so that
 * neither gets the warmer table. pg is used as the store uses it (unnamed statements), and once with a named
 * (prepared) statement, which is what postgres.js does by default.
 */
const TYPES = EVENT_COLUMN_NAMES.map((n) =>
  ['seq', 'occurred_ms', 'received_ms'].includes(n) ? 'int8' : 'text',
);
const INSERT_SQL = `INSERT INTO events (${EVENT_COLUMN_NAMES.join(', ')}) SELECT ${TYPES.map((t, i) =>
  t === 'text' ? `r->>${i}` : `(r->>${i})::${t}`,
).join(', ')} FROM jsonb_array_elements($1::jsonb) r`;
const POINT_SQL = `SELECT tenant, seq, occurred_ms, received_ms, body, prev_hash, hash FROM events
  WHERE tenant = $1 AND seq = $2`;
const PAGE_SQL = `SELECT tenant, seq, occurred_ms, received_ms, body, prev_hash, hash FROM events
  WHERE tenant = $1 ORDER BY occurred_ms DESC, seq DESC LIMIT 50`;

type Driver = {
  name: string;
  insert: (json: string) => Promise<unknown>;
  point: (seq: number) => Promise<unknown>;
  page: () => Promise<unknown>;
};

export async function driversBench(report: Report, rowsPerDriver = 20_000): Promise<void> {
  const section = report.section('PostgreSQL drivers: pg 8 vs postgres.js 3 (same SQL, one connection each)');
  const name = 'auditlog_bench_drivers';
  const url = await freshDatabase(name);
  const setup = createPool(url, 1, 'auditlog-bench');
  await migratePostgres(setup);
  await ensurePartitions(setup);
  await setup.end();

  const pgPool = createPool(url, 1, 'auditlog-bench-pg');
  const pgClient = await pgPool.connect();
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  const drivers: Driver[] = [
    {
      name: 'pg',
      insert: (json) => pgClient.query(INSERT_SQL, [json]),
      point: (seq) => pgClient.query(POINT_SQL, ['default', seq]),
      page: () => pgClient.query(PAGE_SQL, ['default']),
    },
    {
      name: 'pg, named statements',
      insert: (json) => pgClient.query({ name: 'ins', text: INSERT_SQL, values: [json] }),
      point: (seq) => pgClient.query({ name: 'point', text: POINT_SQL, values: ['default', seq] }),
      page: () => pgClient.query({ name: 'page', text: PAGE_SQL, values: ['default'] }),
    },
    {
      name: 'postgres.js',
      // A jsonb parameter would be JSON.stringify'd again by postgres.js: the text goes as text, then casts.
      insert: (json) =>
        sql.unsafe(INSERT_SQL.replace('$1::jsonb', '$1::text::jsonb'), [json], { prepare: true }),
      point: (seq) => sql.unsafe(POINT_SQL, ['default', seq], { prepare: true }),
      page: () => sql.unsafe(PAGE_SQL, ['default'], { prepare: true }),
    },
  ];
  try {
    // Inserts: 500 rows per statement, each its own transaction; rounds of 2,500 rows, drivers alternating.
    const all = storeEventRows(demoEvents(rowsPerDriver * drivers.length));
    const insertMs = drivers.map(() => 0);
    const round = 2500;
    let offset = 0;
    for (let r = 0; r < rowsPerDriver / round; r++) {
      for (const [d, driver] of drivers.entries()) {
        const part = all.slice(offset, offset + round);
        offset += round;
        const started = performance.now();
        for (let i = 0; i < part.length; i += 500) await driver.insert(jsonbPayload(part.slice(i, i + 500)));
        insertMs[d]! += performance.now() - started;
      }
    }
    const total = offset;
    // Point selects by the (tenant, seq) index, and the newest page of 50 (bodies included).
    const pointLat = drivers.map(() => [] as number[]);
    const pageLat = drivers.map(() => [] as number[]);
    for (let r = 0; r < 10; r++) {
      for (const [d, driver] of drivers.entries()) {
        for (let i = 0; i < 300; i++) {
          const seq = 1 + ((i * 7919 + r * 104_729) % total);
          const started = performance.now();
          await driver.point(seq);
          pointLat[d]!.push(performance.now() - started);
        }
        for (let i = 0; i < 30; i++) {
          const started = performance.now();
          await driver.page();
          pageLat[d]!.push(performance.now() - started);
        }
      }
    }
    const base = rowsPerDriver / (insertMs[0]! / 1000);
    for (const [d, driver] of drivers.entries()) {
      const rate = rowsPerDriver / (insertMs[d]! / 1000);
      report.add(
        section,
        `${driver.name}: multi-row INSERT`,
        `${fmt(rate)} rows/s`,
        d === 0
          ? 'unnamed statements, as the store; its jsonb_array_elements form, 500 rows/statement'
          : `${(rate / base).toFixed(2)}× pg${driver.name === 'postgres.js' ? ' (prepared, its default)' : ''}`,
      );
    }
    const p50 = (l: number[]) => percentile(l, 50);
    for (const [d, driver] of drivers.entries()) {
      report.add(
        section,
        `${driver.name}: point select p50 / p99`,
        `${ms(p50(pointLat[d]!))} / ${ms(percentile(pointLat[d]!, 99))}`,
        `${fmt(1000 / p50(pointLat[d]!))}/s sequential; (tenant, seq) index`,
      );
    }
    for (const [d, driver] of drivers.entries()) {
      report.add(
        section,
        `${driver.name}: newest 50 rows p50 / p99`,
        `${ms(p50(pageLat[d]!))} / ${ms(percentile(pageLat[d]!, 99))}`,
        d === 0 ? 'bodies included' : `${(p50(pageLat[0]!) / p50(pageLat[d]!)).toFixed(2)}× pg's speed`,
      );
    }
  } finally {
    pgClient.release();
    await pgPool.end();
    await sql.end();
    await dropDatabase(name);
  }
}

// Standalone: node --import tsx bench/postgres-drivers.ts
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await driversBench(new Report(), Number(process.env.BENCH_DRIVER_ROWS ?? 20_000));
}
