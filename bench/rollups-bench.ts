import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import pg from 'pg';
import type { EventFilter, StatsKey } from '../src/core/domain/filters.js';
import type { Store } from '../src/core/ports/store.js';
import { openAuditLog } from '../src/core/services/audit-log.js';
import {
  POSTGRES_DAILY_ROLLUP_FUNCTIONS,
  POSTGRES_QUARTER_ROLLUP_FUNCTIONS,
} from '../src/store/postgres/postgres-rollups-schema.js';
import { PostgresStore } from '../src/store/postgres/postgres-store.js';
import { MONTHLY_DIMS, RollupCounter } from '../src/store/sql/rollups-sql.js';
import { SQLITE_MIGRATIONS } from '../src/store/sqlite/sqlite-schema.js';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { DATA_DIR } from './lib/datasets.js';
import { BENCH_SIGNING_KEY, freshDatabase } from './lib/postgres.js';
import { fmt, ms, type Report } from './lib/report.js';

const DAY = 86_400_000;
export const DAYS = 365;
export const T = 'default';
const DROP_PG = 'DROP TRIGGER events_rollup_insert ON events; DROP TRIGGER events_rollup_delete ON events;';

/** A seeded generator with skew: a few very active actors and many rare ones, categories of very different sizes, bursts. */
export function generator(seed: number, end: number) {
  let a = seed >>> 0;
  const rnd = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const cats = [
    'users',
    'users',
    'users',
    'users',
    'settings',
    'settings',
    'telephony',
    'bulk',
    'inbound',
    'security',
  ];
  let i = 0;
  return () => {
    const r = rnd();
    const actor = r < 0.5 ? `admin-${Math.floor(rnd() * 5)}` : `user-${Math.floor(rnd() ** 2 * 5000)}`;
    // Bursts: a third of the events on 20 busy days.
    const day = rnd() < 0.33 ? Math.floor(rnd() * 20) * 17 : Math.floor(rnd() * DAYS);
    return {
      id: `b-${seed}-${i++}`,
      occurredAt: new Date(end - (day + 1) * DAY + Math.floor(rnd() * DAY)).toISOString(),
      actor: { id: actor, username: `${actor}@example.com` },
      action: (['create', 'update', 'delete'] as const)[Math.floor(rnd() ** 2 * 3)]!,
      category: cats[Math.floor(rnd() * cats.length)]!,
      eventType: `thing.kind_${Math.floor(rnd() ** 3 * 40)}`,
      target: { type: 'Thing', id: `t-${Math.floor(rnd() * 100000)}` },
    };
  };
}

export async function timed(fn: () => Promise<unknown>, rounds: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const t0 = performance.now();
    await fn();
    out.push(performance.now() - t0);
  }
  return out.sort((x, y) => x - y);
}
export const p = (xs: number[], q: number) => xs[Math.min(xs.length - 1, Math.floor(xs.length * q))]!;

/**
 * Stats by user over a whole-day range as the planner read them before monthly rows: every actor-day row of
 * the range (the same statement, on the same rollups), for a before/after in the same run.
 */
export function dailyUserStats(
  query: (sql: string, args: unknown[]) => Promise<unknown[]>,
  f: EventFilter,
): Promise<unknown[]> {
  const args: unknown[] = [T];
  const range = [];
  if (f.fromMs !== undefined) range.push(`AND r.day_ms >= $${args.push(f.fromMs)}`);
  if (f.toMs !== undefined) range.push(`AND r.day_ms < $${args.push(f.toMs)}`);
  return query(
    `SELECT key, max(label) AS label, sum(n) AS count FROM (SELECT r.key AS key, nullif(r.label, '') AS label,
       r.n AS n FROM event_rollups r WHERE r.tenant = $1 AND r.dim = 'u' ${range.join(' ')}) s
     GROUP BY key ORDER BY count DESC, key LIMIT 1000`,
    args,
  );
}

/**
 * Per-day stats rollups on one engine: ingest through the library into two stores side by side, one with the
 * rollup triggers and one without (batches interleaved, so both see the same machine), then whole-day stats
 * from the rollups against the scan they replace (the same query with a condition the rollups do not hold).
 */
export async function rollupsBench(
  report: Report,
  engine: 'sqlite' | 'postgres',
  events: number,
): Promise<void> {
  const section = report.section(`Stats rollups, ${engine}, ${fmt(events)} events over ${DAYS} days`);
  mkdirSync(DATA_DIR, { recursive: true });
  const end = Date.now() - (Date.now() % DAY);
  type Query = (sql: string, args: unknown[]) => Promise<unknown[]>;
  const open = async (name: string): Promise<{ store: Store; exec: Query; close: () => Promise<void> }> => {
    if (engine === 'sqlite') {
      const file = `${DATA_DIR}rollups-${name}.db`;
      for (const s of ['', '-wal', '-shm', '.signing-key.pem']) rmSync(file + s, { force: true });
      const store = await SqliteStore.open({ file, readers: 1 });
      const db = new Database(file);
      return {
        store,
        exec: async (sql, args) => db.prepare(sql.replace(/\$\d+/g, '?')).all(...args),
        close: async () => {
          db.close();
        },
      };
    }
    const url = await freshDatabase(`auditlog_bench_rollups_${name}`);
    const keyFile = `${DATA_DIR}rollups-${name}.pem`;
    writeFileSync(keyFile, BENCH_SIGNING_KEY, { mode: 0o600 });
    const store = await PostgresStore.open({ url, keyFile });
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    return { store, exec: async (sql, args) => (await c.query(sql, args)).rows, close: () => c.end() };
  };
  if (engine === 'sqlite') rawSqliteCost(report, section);
  // PostgreSQL: with the current triggers, with migration 8's per-day-only functions, with none, and with
  // migration 16's (every actor period, no combinations: the price of the combination rows).
  const stores = await Promise.all(
    (engine === 'postgres' ? ['with', 'daily', 'without', 'nocombos'] : ['with']).map((name) => open(name)),
  );
  if (engine === 'postgres') {
    await stores[1]!.exec(POSTGRES_DAILY_ROLLUP_FUNCTIONS, []);
    await stores[2]!.exec(DROP_PG, []);
    await stores[3]!.exec(POSTGRES_QUARTER_ROLLUP_FUNCTIONS, []);
  }
  const logs = await Promise.all(stores.map((s) => openAuditLog({ store: s.store })));
  const next = stores.map(() => generator(18, end));
  const spent = stores.map(() => 0);
  for (let n = 0; n < events; n += 1000) {
    for (let k = 0; k < stores.length; k++) {
      const batch = Array.from({ length: Math.min(1000, events - n) }, () => next[k]!());
      const t0 = performance.now();
      await logs[k]!.appendEvents(T, { events: batch });
      spent[k]! += performance.now() - t0;
    }
  }
  const rate = (k: number) => events / (spent[k]! / 1000);
  // On SQLite the writer adds the counts itself (no trigger to drop): its cost is the raw figure above.
  report.add(
    section,
    'ingest with rollups (library, batches of 1000)',
    `${fmt(rate(0))} events/s`,
    engine === 'postgres'
      ? `per-day rollups only ${fmt(rate(1))} (${(rate(0) / rate(1)).toFixed(2)}×), none ${fmt(rate(2))} events/s (${(rate(0) / rate(2)).toFixed(2)}×), without the combination rows ${fmt(rate(3))} (${(rate(0) / rate(3)).toFixed(2)}×), interleaved in the same run`
      : 'the rollups’ own cost: the raw insert figure above',
  );
  const store = stores[0]!.store;
  const ranges: [string, EventFilter][] = [
    ['whole log', {}],
    ['90 whole days', { fromMs: end - 90 * DAY, toMs: end }],
    ['30 days, partial edges', { fromMs: end - 30 * DAY - 3 * 3_600_000, toMs: end - 5 * 3_600_000 }],
  ];
  for (const [label, f] of ranges) {
    for (const key of ['category', 'user', 'action', 'eventType', 'day'] as StatsKey[]) {
      const fast = await timed(() => store.eventStats(T, f, key), 15);
      // maxSeq beyond the head: the same answer, but not a filter the rollups hold, so the scan runs.
      const scan = await timed(() => store.eventStats(T, { ...f, maxSeq: Number.MAX_SAFE_INTEGER }, key), 3);
      let before = '';
      if (key === 'user' && !label.includes('partial')) {
        const daily = await timed(() => dailyUserStats(stores[0]!.exec, f), 5);
        before = `; before (actor-day rows only, same rows) ${ms(p(daily, 0.5))}`;
      }
      report.add(
        section,
        `stats by ${key}, ${label}`,
        `${ms(p(fast, 0.5))} p50 / ${ms(p(fast, 0.95))} p95`,
        `goal ≤ 50 ms; baseline (scan) ${ms(p(scan, 0.5))}: ${(p(scan, 0.5) / p(fast, 0.5)).toFixed(0)}× faster${before}`,
      );
    }
  }
  // A filter other than the grouped dimension's own values: the rollups do not hold it, so this scans.
  const other = await timed(() => store.eventStats(T, { categories: ['users'] }, 'user'), 3);
  report.add(
    section,
    'stats by user, whole log, category = users',
    `${ms(p(other, 0.5))} p50`,
    'a scan (no rollup)',
  );
  // Another of category, action and event type: the combination rows, against the scan of the same query.
  for (const [label, f, key] of [
    ['stats by event type, whole log, action = delete', { actions: ['delete'] }, 'eventType'],
    [
      'stats by day, 90 whole days, category = users, action = update',
      {
        categories: ['users'],
        actions: ['update'],
        fromMs: end - 90 * DAY,
        toMs: end,
      },
      'day',
    ],
  ] as [string, EventFilter, StatsKey][]) {
    const fast = await timed(() => store.eventStats(T, f, key), 15);
    const scan = await timed(() => store.eventStats(T, { ...f, maxSeq: Number.MAX_SAFE_INTEGER }, key), 3);
    report.add(
      section,
      label,
      `${ms(p(fast, 0.5))} p50 / ${ms(p(fast, 0.95))} p95`,
      `combination rows; baseline (scan) ${ms(p(scan, 0.5))}: ${(p(scan, 0.5) / p(fast, 0.5)).toFixed(0)}× faster`,
    );
  }
  for (const s of stores) await s.close();
  for (const l of logs) await l.close();
}

/**
 * SQLite's writer adds a group's rollup counts itself (RollupCounter): its cost, measured on raw inserts of
 * 1000-row transactions with and without those upserts, side by side (the HTTP path adds the same absolute
 * cost to a slower whole).
 */
function rawSqliteCost(report: Report, section: string): void {
  const rows = 20_000;
  const open = (name: string) => {
    const file = `${DATA_DIR}rollups-raw-${name}.db`;
    for (const s of ['', '-wal', '-shm']) rmSync(file + s, { force: true });
    const db = new Database(file);
    db.pragma('journal_mode = WAL');
    for (const m of SQLITE_MIGRATIONS) db.exec(m.sql);
    return db;
  };
  // With daily and monthly rows, with daily rows only (as before monthly ones), without rollups.
  const dbs = [open('with'), open('daily'), open('without')];
  const spent = [0, 0, 0];
  const next = generator(7, Date.now());
  for (let t = 0; t < rows / 1000; t++) {
    const batch = Array.from({ length: 1000 }, (_, i) => ({ seq: t * 1000 + i + 1, e: next() }));
    dbs.forEach((db, k) => {
      const insert = db.prepare(INSERT_RAW);
      const add = db.prepare(ADD_ROLLUP);
      const t0 = performance.now();
      db.transaction(() => {
        const counter = new RollupCounter();
        for (const { seq, e } of batch) {
          const ms = Date.parse(e.occurredAt);
          insert.run(
            seq,
            e.id,
            ms,
            e.actor.id,
            e.actor.username,
            e.action,
            e.category,
            e.eventType,
            e.target.id,
          );
          if (k < 2)
            counter.add(T, ms, {
              actorId: e.actor.id,
              actorUsername: e.actor.username,
              action: e.action,
              category: e.category,
              eventType: e.eventType,
            });
        }
        for (const r of counter.rows()) if (k === 0 || r[1] !== MONTHLY_DIMS.user) add.run(...r);
      })();
      spent[k]! += performance.now() - t0;
    });
  }
  for (const db of dbs) db.close();
  const rate = (k: number) => rows / (spent[k]! / 1000);
  report.add(
    section,
    "raw insert with the writer's rollup upserts",
    `${fmt(rate(0))} rows/s`,
    `per-day rows only ${fmt(rate(1))} (${(rate(0) / rate(1)).toFixed(2)}×), none ${fmt(rate(2))} rows/s (${(rate(0) / rate(2)).toFixed(2)}×), interleaved in the same run (${fmt(rows)} rows, 1000 a transaction)`,
  );
}

const INSERT_RAW = `INSERT INTO events (tenant, seq, id, occurred_ms, received_ms, actor_id, actor_username, action,
  category, event_type, target_type, target_id, target_id_f, body, search, prev_hash, hash)
  VALUES ('${T}', ?, ?, ?, 0, ?, ?, ?, ?, ?, 'Thing', ?, '', '{}', '', '', '')`;
const ADD_ROLLUP = `INSERT INTO event_rollups (tenant, dim, day_ms, key, label, n) VALUES (?, ?, ?, ?, ?, ?)
  ON CONFLICT (tenant, dim, day_ms, key, label) DO UPDATE SET n = n + excluded.n`;
