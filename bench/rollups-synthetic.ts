import { rmSync, writeFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import pg from 'pg';
import type { EventFilter, StatsKey } from '../src/core/domain/filters.js';
import { fold } from '../src/core/domain/text-fold.js';
import type { Store } from '../src/core/ports/store.js';
import { PostgresStore } from '../src/store/postgres/postgres-store.js';
import {
  DAY_MS,
  MONTHLY_DIMS,
  monthStart,
  QUARTERLY_DIMS,
  quarterStart,
  ROLLUP_DIMS,
  WEEKLY_DIMS,
  weekStart,
} from '../src/store/sql/rollups-sql.js';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { DATA_DIR } from './lib/datasets.js';
import { BENCH_SIGNING_KEY, freshDatabase } from './lib/postgres.js';
import { fmt, ms, type Report } from './lib/report.js';
import { DAYS, dailyUserStats, generator, p, T, timed } from './rollups-bench.js';

/** Timed calls per query after the first (BENCH_ROLLUP_ROUNDS). */
const SYNTH_ROUNDS = Number(process.env.BENCH_ROLLUP_ROUNDS ?? 40);

/**
 * Whole-day statistics at a size the library cannot ingest here in minutes (BENCH_ROLLUP_SYNTH, e.g. 10M):
 * the skewed generator's events are counted into exactly the rollup rows the writer would make (daily,
 * weekly, monthly and quarterly, RollupCounter's rules) and those rows alone are loaded; the events table stays empty. A whole-day
 * range reads only the rollups, so its time is the real one at that size; partial-day edges and the scan are
 * not measured here (the library-ingested section has them). "Before" is the daily-rows-only statement the
 * planner ran before monthly rows, on the same rows.
 */
export async function rollupsSynthetic(report: Report, engine: 'sqlite' | 'postgres', events: number) {
  const section = report.section(
    `Stats rollups, ${engine}, ${fmt(events)} events (rollup rows only) over ${DAYS} days`,
  );
  const end = Date.now() - (Date.now() % DAY_MS);
  const t0 = performance.now();
  const rows = countRows(events, end);
  const counted = performance.now() - t0;
  let store: Store;
  let query: (sql: string, args: unknown[]) => Promise<unknown[]>;
  let close: () => Promise<void>;
  if (engine === 'sqlite') {
    const file = `${DATA_DIR}rollups-synth.db`;
    for (const s of ['', '-wal', '-shm', '.signing-key.pem']) rmSync(file + s, { force: true });
    await (await SqliteStore.open({ file, readers: 1 })).close();
    const db = new Database(file);
    const add = db.prepare(
      'INSERT INTO event_rollups (tenant, dim, day_ms, key, label, n) VALUES (?, ?, ?, ?, ?, ?)',
    );
    const actor = db.prepare(
      'INSERT INTO actors (tenant, actor_id, username, username_f) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING',
    );
    db.transaction(() => {
      for (const r of rows) add.run(...r);
      for (const [id, name] of actorsOf(rows)) actor.run(T, id, name, fold(name));
    })();
    db.close();
    store = await SqliteStore.open({ file, readers: 1 });
    const ro = new Database(file, { readonly: true });
    query = async (sql, args) => ro.prepare(sql.replace(/\$\d+/g, '?')).all(...args);
    close = async () => {
      ro.close();
      await store.close();
    };
  } else {
    const url = await freshDatabase('auditlog_bench_rollups_synth');
    const keyFile = `${DATA_DIR}rollups-synth.pem`;
    writeFileSync(keyFile, BENCH_SIGNING_KEY, { mode: 0o600 });
    store = await PostgresStore.open({ url, keyFile });
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    for (let i = 0; i < rows.length; i += 50_000) {
      const part = rows.slice(i, i + 50_000);
      await c.query(
        `INSERT INTO event_rollups (tenant, dim, day_ms, key, label, n)
           SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::text[], $5::text[], $6::bigint[])`,
        [0, 1, 2, 3, 4, 5].map((k) => part.map((r) => r[k])),
      );
    }
    const actors = actorsOf(rows);
    await c.query(
      `INSERT INTO actors (tenant, actor_id, username, username_f)
         SELECT $1, * FROM unnest($2::text[], $3::text[], $4::text[])`,
      [T, actors.map((a) => a[0]), actors.map((a) => a[1]), actors.map((a) => fold(a[1]))],
    );
    await c.query('VACUUM ANALYZE event_rollups, actors');
    // The load's dirty pages written now, not by a checkpoint during the timed queries.
    await c.query('CHECKPOINT');
    query = async (sql, args) => (await c.query(sql, args)).rows;
    close = async () => {
      await c.end();
      await store.close();
    };
  }
  const daily = rows.filter((r) => r[1] === ROLLUP_DIMS.user).length;
  const monthly = rows.filter((r) => r[1] === MONTHLY_DIMS.user).length;
  const weekly = rows.filter((r) => r[1] === WEEKLY_DIMS.user).length;
  const quarterly = rows.filter((r) => r[1] === QUARTERLY_DIMS.user).length;
  report.add(
    section,
    'rollup rows loaded',
    `${fmt(rows.length)}`,
    `of which actor-days ${fmt(daily)}, actor-weeks ${fmt(weekly)}, actor-months ${fmt(monthly)}, actor-quarters ${fmt(quarterly)}; counted in ${(counted / 1000).toFixed(0)} s`,
  );
  const mid = monthStart(end - 200 * DAY_MS) + 14 * DAY_MS;
  const ranges: [string, EventFilter][] = [
    ['whole log', {}],
    ['365 whole days', { fromMs: end - 365 * DAY_MS, toMs: end }],
    ['mid-month to mid-month, ~6 months', { fromMs: mid, toMs: mid + 183 * DAY_MS }],
    ['90 whole days', { fromMs: end - 90 * DAY_MS, toMs: end }],
  ];
  for (const [label, f] of ranges) {
    for (const key of ['user', 'category', 'action', 'eventType', 'day'] as StatsKey[]) {
      // The first call is reported apart: of 15 calls, the p95 was the first one's time (a connection's first
      // statement of this shape), so it said nothing about the other fourteen.
      const [first] = await timed(() => store.eventStats(T, f, key), 1);
      const c0 = process.cpuUsage();
      const fast = await timed(() => store.eventStats(T, f, key), SYNTH_ROUNDS);
      // SQLite runs in this process (reader threads included): its CPU time is not inflated by the load.
      const c = process.cpuUsage(c0);
      const cpu = engine === 'sqlite' ? `, CPU ${ms((c.user + c.system) / 1000 / SYNTH_ROUNDS)} mean` : '';
      let baseline = '';
      if (key === 'user') {
        const before = await timed(() => dailyUserStats(query, f), 5);
        baseline = `; before (daily rows only, same rows, same run) ${ms(p(before, 0.5))} p50`;
      }
      report.add(
        section,
        `stats by ${key}, ${label}`,
        `${ms(p(fast, 0.5))} p50 / ${ms(p(fast, 0.95))} p95`,
        `goal ≤ 50 ms; ${SYNTH_ROUNDS} calls after a first of ${ms(first!)}${cpu}${baseline}`,
      );
      if (key === 'user') await someUsers(report, section, store, label, f, p(fast, 0.5));
    }
  }
  await close();
}

/**
 * Stats by user for one user over the same range (the UI's count of a user filter): a busy actor by its
 * username in another case (resolved through the actors table), a rare one by id; beside all users' time.
 */
async function someUsers(
  report: Report,
  section: string,
  store: Store,
  label: string,
  f: EventFilter,
  allUsers: number,
): Promise<void> {
  const shapes: [string, string][] = [
    ['a busy user by username', 'Admin-1@Example.COM'],
    ['a rare user by id', 'user-4000'],
  ];
  for (const [who, value] of shapes) {
    const filter = { ...f, users: [value], usersFolded: [fold(value)] };
    await timed(() => store.eventStats(T, filter, 'user'), 1);
    const t = await timed(() => store.eventStats(T, filter, 'user'), SYNTH_ROUNDS);
    report.add(
      section,
      `stats by user for ${who}, ${label}`,
      `${ms(p(t, 0.5))} p50 / ${ms(p(t, 0.95))} p95`,
      `goal ≤ 50 ms; all users over the same range ${ms(allUsers)} p50 (same run)`,
    );
  }
}

/** Each (actor id, username) of the actor rollup rows, as the writer adds them to the actors table. */
function actorsOf(rows: [string, string, number, string, string, number][]): [string, string][] {
  const seen = new Map<string, [string, string]>();
  for (const r of rows) if (r[1] === ROLLUP_DIMS.user) seen.set(`${r[3]}\u0000${r[4]}`, [r[3], r[4]]);
  return [...seen.values()];
}

/** The rollup rows of `events` generated events, as the writer's RollupCounter would count them. */
function countRows(events: number, end: number): [string, string, number, string, string, number][] {
  const counts = new Map<string, number>();
  const next = generator(18, end);
  const bump = (dim: string, day: number, key: string, label: string) => {
    const id = `${dim}\u0001${day}\u0001${key}\u0001${label}`;
    counts.set(id, (counts.get(id) ?? 0) + 1);
  };
  for (let i = 0; i < events; i++) {
    const e = next();
    const t = Date.parse(e.occurredAt);
    const day = t - (t % DAY_MS);
    bump(ROLLUP_DIMS.category, day, e.category, '');
    bump(ROLLUP_DIMS.action, day, e.action, '');
    bump(ROLLUP_DIMS.eventType, day, e.eventType, '');
    bump(ROLLUP_DIMS.user, day, e.actor.id, e.actor.username);
    bump(MONTHLY_DIMS.user, monthStart(day), e.actor.id, e.actor.username);
    bump(WEEKLY_DIMS.user, weekStart(day), e.actor.id, e.actor.username);
    bump(QUARTERLY_DIMS.user, quarterStart(day), e.actor.id, e.actor.username);
  }
  const rows = [...counts].map(([id, n]): [string, string, number, string, string, number] => {
    const [dim, day, key, label] = id.split('\u0001') as [string, string, string, string];
    return [T, dim, Number(day), key, label, n];
  });
  // In time order, as live ingest writes them (PostgreSQL's heap then keeps a day's or month's rows together).
  return rows.sort((a, b) => a[2] - b[2] || (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
}
