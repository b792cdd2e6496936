// The edges of statistics answered from the combination rollups (combo-stats.ts) and of counts through a
// driving index (event-driver.ts, statsDriver), each found by a review of the change that built them: a tenant
// with more event types than SQLite binds parameters, keys sorted by the database's collation, a keyword
// count walking a dense index instead of the keyword's chunks, and an append in flight while PostgreSQL's
// migration backfills the rows. Every answer is compared with the same count read from the events.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { categoryKeys, DEFAULT_CATALOG } from '../../src/core/domain/catalog.js';
import type { EventFilter, StatsKey } from '../../src/core/domain/filters.js';
import type { Store } from '../../src/core/ports/store.js';
import { type AuditLog, openAuditLog } from '../../src/core/services/audit-log.js';
import {
  POSTGRES_ACTOR_QUARTERS_MIGRATION,
  POSTGRES_COMBO_ROLLUPS_MIGRATION,
} from '../../src/store/postgres/postgres-rollups-schema.js';
import { PROBE_CAP } from '../../src/store/sql/event-driver.js';
import { eventStats } from '../../src/store/sql/event-query-plan.js';
import { DAY } from './entries.js';
import { recorded } from './recorded-plan.js';
import { storePerFile } from './store-under-test.js';

const sut = storePerFile();
const TODAY = Date.now() - (Date.now() % DAY);
const RANGE = { fromMs: TODAY - 5 * DAY, toMs: TODAY };
const CATS = categoryKeys(DEFAULT_CATALOG);
// Keys that sort differently by a natural-language collation than by code point.
const CATALOG = [
  ...DEFAULT_CATALOG,
  ...['alpha', 'Zeta', 'beta'].map((key) => ({ key, label: key, description: key, actions: [] })),
];
let log: AuditLog;
const others: Store[] = [];

const ev = (i: number, o: { eventType: string; category: string; action?: 'create' | 'delete' }) => ({
  id: `ce-${i}`,
  occurredAt: new Date(TODAY - 3 * DAY + (i % 80_000)).toISOString(),
  actor: { id: `u-${i % 5}` },
  action: o.action ?? 'delete',
  category: o.category,
  eventType: o.eventType,
  target: { type: 'Thing', id: `t-${i}` },
});

async function append(l: AuditLog, tenant: string, events: object[]) {
  for (let i = 0; i < events.length; i += 1000)
    await l.appendEvents(tenant, { events: events.slice(i, i + 1000) });
}

/** The stats, and the same matches counted from the events (a target type every event has). */
const both = async (store: Store, tenant: string, f: EventFilter, key: StatsKey) =>
  [
    await store.eventStats(tenant, f, key),
    await store.eventStats(tenant, { ...f, targetType: 'Thing' }, key),
  ] as const;

beforeAll(async () => {
  log = await openAuditLog({ store: sut().store, catalog: CATALOG });
});
afterAll(async () => {
  await log?.close();
  for (const s of others) await s.close();
});

describe('statistics from the combination rollups, at their edges', () => {
  it('answer a tenant with more event types than SQLite binds parameters (33,000)', async () => {
    const n = 33_000;
    await append(
      log,
      'many-types',
      Array.from({ length: n }, (_, i) =>
        ev(i, { eventType: `t.type_${i}`, category: CATS[i % CATS.length]! }),
      ),
    );
    const [byType, counted] = await both(
      sut().store,
      'many-types',
      { ...RANGE, actions: ['delete'] },
      'eventType',
    );
    expect(byType).toHaveLength(1000);
    expect(byType).toEqual(counted);
    const [byCategory, countedToo] = await both(
      sut().store,
      'many-types',
      { ...RANGE, categories: ['users', 'ai'] },
      'action',
    );
    expect(byCategory).toEqual([{ key: 'delete', count: 2 * (n / CATS.length) }]);
    expect(byCategory).toEqual(countedToo);
  }, 300_000);

  it('sort keys of equal counts in code-point order, as a count of the events does', async () => {
    const events = ['alpha', 'Zeta', 'beta'].map((category, i) =>
      ev(90_000 + i, { eventType: 'a.b', category }),
    );
    await append(log, 'collation', events);
    const [grouped, counted] = await both(
      sut().store,
      'collation',
      { ...RANGE, actions: ['delete'] },
      'category',
    );
    expect(grouped.map((g) => g.key)).toEqual(['Zeta', 'alpha', 'beta']);
    expect(grouped).toEqual(counted);
  });

  it('sort them so on a PostgreSQL database whose default collation is ICU', async () => {
    if (sut().kind !== 'postgres') return;
    const { withClient, postgresUrl, databaseUrl } = await import('../helpers/postgres.js');
    const { PostgresStore } = await import('../../src/store/postgres/postgres-store.js');
    const { tempDir } = await import('../helpers/temp-dir.js');
    const name = `auditlog_t_icu_${process.pid}_${Date.now()}`;
    await withClient(postgresUrl(), (c) =>
      c.query(
        `CREATE DATABASE ${name} TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE 'en' LOCALE 'C.UTF-8'`,
      ),
    );
    const dir = tempDir('auditlog-icu-');
    const store = await PostgresStore.open({ url: databaseUrl(name), keyFile: dir.file('k.pem') });
    const icu = await openAuditLog({ store, catalog: CATALOG });
    try {
      const events = ['alpha', 'Zeta', 'beta'].map((category, i) => ev(i, { eventType: 'a.b', category }));
      await append(icu, 'icu', events);
      const [grouped, counted] = await both(store, 'icu', { ...RANGE, actions: ['delete'] }, 'category');
      expect(grouped.map((g) => g.key)).toEqual(['Zeta', 'alpha', 'beta']);
      expect(grouped).toEqual(counted);
    } finally {
      await icu.close();
      await withClient(postgresUrl(), (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
      dir.remove();
    }
  });

  it('count a keyword in a dense category through the keyword chunks, not the whole category index', async () => {
    const n = PROBE_CAP + 1000;
    await append(
      log,
      'keyword',
      Array.from({ length: n }, (_, i) => ({
        ...ev(i, { eventType: 'user.updated', category: 'users' }),
        occurredAt: new Date(TODAY - 200 * DAY + i * 60_000).toISOString(),
        reason: i % 2000 === 7 ? 'zqxrare incident' : `routine change number ${i}`,
      })),
    );
    const f = { categories: ['users'], terms: ['zqxrare'] };
    const statements: string[] = [];
    const groups = await sut().plan((d) => recorded(eventStats(d, 'keyword', f, 'action'), statements));
    expect(groups).toEqual([{ key: 'delete', count: Math.ceil((n - 7) / 2000) }]);
    expect(statements.at(-1)).not.toMatch(/INDEXED BY events_category/);
  });

  it('PostgreSQL: count an append in flight on another node while migration 19 backfills', async () => {
    if (sut().kind !== 'postgres') return;
    const pg = (await import('pg')).default;
    const tenant = 'race';
    const at = (i: number, actor: string) => ({
      ...ev(80_000 + i, { eventType: 'user.deleted', category: 'users' }),
      actor: { id: actor, username: actor },
    });
    await log.appendEvents(tenant, { events: [at(1, 'u-1')] });
    // The store as migration 18 left it: the functions without combination rows, none stored.
    const q = POSTGRES_ACTOR_QUARTERS_MIGRATION.sql;
    await sut().exec(`${q.slice(q.indexOf('DO $migration$'))}
      DELETE FROM event_rollups WHERE dim = 'x';
      DELETE FROM schema_migrations WHERE version = ${POSTGRES_COMBO_ROLLUPS_MIGRATION.version};`);
    // A transaction holding an actor's key: the append inserts its events, then waits for the key.
    const holder = new pg.Client({ connectionString: sut().url });
    await holder.connect();
    await holder.query('BEGIN');
    await holder.query(
      `INSERT INTO actors (tenant, actor_id, username, username_f) VALUES ('race', 'u-9', 'u-9', 'u-9')`,
    );
    const appended = log.appendEvents(tenant, { events: [at(2, 'u-9')] });
    await new Promise((r) => setTimeout(r, 500));
    // Another node starts: its migration 19 must wait for the append (else it backfills without it, and the
    // append's old function writes no combination row).
    const opening = sut().openAnother();
    await new Promise((r) => setTimeout(r, 1000));
    await holder.query('ROLLBACK');
    await holder.end();
    await appended;
    others.push(await opening);
    const [grouped, counted] = await both(
      sut().store,
      tenant,
      { ...RANGE, actions: ['delete'] },
      'eventType',
    );
    expect(grouped).toEqual([{ key: 'user.deleted', count: 2 }]);
    expect(grouped).toEqual(counted);
  });
});
