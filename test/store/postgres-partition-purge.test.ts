// Retention drops whole PostgreSQL partitions where it can: a month whose rows are all expired and unheld
// goes with one INSERT … SELECT of tombstones, one signed record per tenant, DETACH and DROP; verify passes
// before and after and names the purged seqs; a held row keeps its month (the stepped purge runs there);
// appends go on during the purge; sessions and keyword chunks of purged entries go with them.
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { ActingParty } from '../../src/core/services/access-control.js';
import { type AuditLog, openAuditLog } from '../../src/core/services/audit-log.js';
import { verifyStore } from '../../src/core/services/verify-store.js';
import { ensurePartitions } from '../../src/store/postgres/postgres-partitions.js';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import { createTestDatabase, describePostgres, type TestDatabase, withClient } from '../helpers/postgres.js';
import { tempDir } from '../helpers/temp-dir.js';

const by: ActingParty = { actor: { id: 'cli:ops', username: 'ops', type: 'system' } };
const JUNE = Date.UTC(2024, 5, 10);
const AUGUST = Date.UTC(2024, 7, 10);
const iso = (ms: number) => new Date(ms).toISOString();

const event = (id: string, ms: number, actor = 'u-1') => ({
  id,
  occurredAt: iso(ms),
  actor: { id: actor, username: `name-${actor}` },
  action: 'update',
  category: 'settings',
  target: { type: 'Carrier', id: `zebracarrier-${id}` },
});
const login = (id: string, ms: number, sessionId: string) => ({
  id,
  type: 'login_success',
  method: 'password',
  occurredAt: iso(ms),
  user: { id: 'u-9', username: 'nine' },
  ip: '192.0.2.9',
  sessionId,
});

/**
 * A new database whose June 2024 partitions exist before these rows arrive, and a log on it keeping both
 * streams of tenant `ta` for a year.
 */
async function juneLog(
  dir: ReturnType<typeof tempDir>,
  entries: { events: object[]; logins: object[] },
  options: { personalData?: { encrypt: boolean } } = {},
): Promise<{ db: TestDatabase; log: AuditLog }> {
  const db = await createTestDatabase();
  const store = await PostgresStore.open({ url: db.url, keyFile: dir.file('key.pem') });
  const pool = new pg.Pool({ connectionString: db.url, max: 1 });
  await ensurePartitions(pool, JUNE, 0);
  await pool.end();
  const log = await openAuditLog({ store, ...options });
  await log.appendEvents('ta', { events: entries.events });
  await log.auth.append('ta', { events: entries.logins });
  await log.lifecycle.setPolicy('ta', { maxAgeDays: 365 }, by);
  await log.lifecycle.setPolicy('ta', { stream: 'auth', maxAgeDays: 365 }, by);
  return { db, log };
}

describePostgres('PostgreSQL retention by whole partitions', () => {
  let db: TestDatabase;
  let log: AuditLog;
  const dir = tempDir();
  const pools: pg.Pool[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    const store = await PostgresStore.open({ url: db.url, keyFile: dir.file('key.pem') });
    const pool = new pg.Pool({ connectionString: db.url, max: 2 });
    pools.push(pool);
    // Months of 2024, created before their rows arrive (else these would sit in the default partition).
    await ensurePartitions(pool, JUNE, 0);
    await ensurePartitions(pool, AUGUST, 0);
    log = await openAuditLog({ store });
    for (const tenant of ['ta', 'tb'])
      await log.appendEvents(tenant, {
        events: Array.from({ length: 300 }, (_, i) => event(`${tenant}-june-${i}`, JUNE + i * 1000)),
      });
    await log.appendEvents('ta', {
      events: [event('aug-held', AUGUST, 'u-held'), event('aug-free', AUGUST + 1000)],
    });
    await log.auth.append('ta', {
      events: [login('old-login', JUNE, 's-old'), login('new-login', Date.now() - 86_400_000, 's-new')],
    });
    await log.appendEvents('ta', { events: [event('recent', Date.now() - 86_400_000)] });
    for (const tenant of ['ta', 'tb']) await log.lifecycle.setPolicy(tenant, { maxAgeDays: 365 }, by);
    await log.lifecycle.setPolicy('ta', { stream: 'auth', maxAgeDays: 365 }, by);
    await log.lifecycle.createHold('ta', { reason: 'case 7', actorId: 'u-held' }, by);
  });
  afterAll(async () => {
    await Promise.all(pools.map((p) => p.end()));
    await log?.close();
    await db?.drop();
    dir.remove();
  });

  const sql = <R extends pg.QueryResultRow>(text: string, values?: unknown[]) =>
    withClient(db.url, async (c) => (await c.query<R>(text, values)).rows);
  const partitions = async () =>
    (
      await sql<{ name: string }>(
        `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
          WHERE i.inhparent IN ('events'::regclass, 'auth_events'::regclass) ORDER BY 1`,
      )
    ).map((r) => r.name);

  it('drops the expired, unheld months, steps through the held one, and keeps appends going', async () => {
    expect((await verifyStore(log.store)).problems).toEqual([]);
    expect(await partitions()).toEqual(expect.arrayContaining(['events_p202406', 'events_p202408']));
    const chunksBefore = await sql<{ n: string }>(
      "SELECT count(*) AS n FROM event_search_chunks WHERE tenant = 'ta'",
    );
    expect(Number(chunksBefore[0]!.n)).toBeGreaterThan(0);

    // Appends in a loop while the purge runs: none fails, the slowest is printed.
    let appending = true;
    let slowest = 0;
    let appended = 0;
    const appender = (async () => {
      while (appending) {
        const t0 = performance.now();
        await log.appendEvents('tc', { events: [event(`live-${appended}`, Date.now())] });
        slowest = Math.max(slowest, performance.now() - t0);
        appended++;
      }
    })();
    const report = await log.lifecycle.purge({ by });
    appending = false;
    await appender;
    console.log(
      `partition purge: ${Math.round(report.elapsedMs)} ms, ${appended} appends beside it, slowest ${slowest.toFixed(1)} ms`,
    );
    expect(appended).toBeGreaterThan(0);

    const outcome = (name: string) => report.partitions.find((p) => p.partition === name);
    expect(outcome('events_p202406')).toMatchObject({ dropped: true, entries: 600 });
    expect(outcome('auth_events_p202406')).toMatchObject({ dropped: true, entries: 1 });
    expect(outcome('events_p202408')).toMatchObject({
      dropped: false,
      reason: 'a legal hold covers entries of it',
    });
    expect(outcome('events_p202405')).toMatchObject({ dropped: false, reason: 'empty' });
    const names = await partitions();
    expect(names).not.toContain('events_p202406');
    expect(names).not.toContain('auth_events_p202406');
    expect(names).toContain('events_p202408');

    // One record per tenant for the dropped month, plus a step for the August row that was not held.
    const ta = report.tenants.find((t) => t.tenant === 'ta')!;
    expect(ta.purged).toBe(300 + 1 + 1);
    expect(ta.held).toBe(1);
    expect(ta.purges.map((p) => [p.stream, p.count])).toEqual([
      ['auth', 1],
      ['event', 300],
      ['event', 1],
    ]);
    expect(report.tenants.find((t) => t.tenant === 'tb')!.purged).toBe(300);

    const ids = (await log.listEvents('ta', { limit: '500' })).events.map((e) => e.id);
    expect(ids).toEqual(expect.arrayContaining(['aug-held', 'recent']));
    expect(ids.filter((id) => id.startsWith('ta-june') || id === 'aug-free')).toEqual([]);
  });

  it('leaves a log that verifies and names the purged range', async () => {
    const report = await verifyStore(log.store);
    expect(report.problems).toEqual([]);
    const ta = report.tenants.find((t) => t.tenant === 'ta')!;
    expect(ta.purged).toBe(302);
    expect(ta.purgedRanges[0]).toEqual([1, 300]);
    const tb = report.tenants.find((t) => t.tenant === 'tb')!;
    expect(tb.purgedRanges).toEqual([[1, 300]]);
  });

  it('takes derived data with the rows: the session, the keyword chunks, the statistics', async () => {
    const sessions = await sql<{ session_id: string }>(
      "SELECT session_id FROM sessions WHERE tenant = 'ta' ORDER BY 1",
    );
    expect(sessions.map((s) => s.session_id)).toEqual(['s-new']);
    const chunks = await sql<{ lo: string; hi: string }>(
      "SELECT lo, hi FROM event_search_chunks WHERE tenant IN ('ta', 'tb') AND lo <= 300",
    );
    expect(chunks).toEqual([]);
    // June's days, weeks and month, and its quarter's row (day_ms April 1): no other event is in that quarter.
    const june = await sql<{ n: string }>(
      `SELECT coalesce(sum(n), 0) AS n FROM event_rollups WHERE day_ms >= $1 AND day_ms < $2`,
      [Date.UTC(2024, 3, 1), Date.UTC(2024, 6, 1)],
    );
    expect(Number(june[0]!.n)).toBe(0);
  });
});

describePostgres('PostgreSQL partition drops: an application role, and several nodes at once', () => {
  let db: TestDatabase;
  const dir = tempDir();
  const logs: AuditLog[] = [];
  const role = `auditlog_purge_app_${process.pid}`;
  const open = async (url: string) => {
    const log = await openAuditLog({
      store: await PostgresStore.open({ url, keyFile: dir.file('key.pem') }),
    });
    logs.push(log);
    return log;
  };
  const appUrl = () => {
    const u = new URL(db.url);
    u.username = role;
    return u.toString();
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    const owner = await open(db.url);
    const pool = new pg.Pool({ connectionString: db.url, max: 1 });
    await ensurePartitions(pool, JUNE, 0);
    await ensurePartitions(pool, AUGUST, 0);
    await pool.end();
    await owner.appendEvents('ta', {
      events: Array.from({ length: 50 }, (_, i) => event(`june-${i}`, JUNE + i)),
    });
    await owner.lifecycle.setPolicy('ta', { maxAgeDays: 365 }, by);
    await withClient(db.url, async (c) => {
      await c.query(`DROP ROLE IF EXISTS ${role}`);
      await c.query(`CREATE ROLE ${role} LOGIN`);
      // The grants postgres.md documents for purging from `serve`.
      await c.query(`GRANT SELECT, INSERT ON ALL TABLES IN SCHEMA public TO ${role};
        GRANT UPDATE ON chain_heads, sessions, tokens, actors, retention_policies, legal_holds TO ${role};
        GRANT DELETE ON events, auth_events, retention_policies, purges_unrecorded TO ${role}`);
    });
  });
  afterAll(async () => {
    await Promise.all(logs.map((l) => l.close()));
    await db?.drop();
    await withClient(postgresUrlOf(), (c) => c.query(`DROP ROLE IF EXISTS ${role}`)).catch(() => {});
    dir.remove();
  });
  const postgresUrlOf = () => db.url.replace(/\/[^/]*$/, '/postgres');

  it('as a role that does not own the tables, purges the month in steps instead', async () => {
    const app = await open(appUrl());
    const report = await app.lifecycle.purge({ by });
    expect(report.partitions.find((p) => p.partition === 'events_p202406')).toMatchObject({
      dropped: false,
      reason: 'not the owner of the table (the stepped purge runs instead)',
    });
    expect(report.purged).toBe(50);
    expect((await verifyStore(app.store)).problems).toEqual([]);
  });

  it('two nodes purging at once drop a month once, and the log verifies', async () => {
    const [a, b] = [await open(db.url), await open(db.url)];
    await a.appendEvents('ta', {
      events: Array.from({ length: 200 }, (_, i) => event(`aug-${i}`, AUGUST + i)),
    });
    const reports = await Promise.all([a.lifecycle.purge({ by }), b.lifecycle.purge({ by })]);
    const drops = reports.flatMap((r) => r.partitions.filter((p) => p.dropped));
    expect(drops.map((d) => [d.partition, d.entries])).toEqual([['events_p202408', 200]]);
    expect(reports[0]!.purged + reports[1]!.purged).toBe(200);
    const verified = await verifyStore(a.store);
    expect(verified.problems).toEqual([]);
    expect(verified.tenants[0]!.purged).toBe(250);
  });
});

describePostgres('PostgreSQL partition drops and holds on encrypted entries', () => {
  let db: TestDatabase;
  let log: AuditLog;
  const dir = tempDir();
  const ann = { id: 'u-ann', username: 'Ann.Hold' };

  beforeAll(async () => {
    const events = [
      { ...event('ev-ann', JUNE), actor: ann },
      { ...event('ev-bob', JUNE + 1), actor: { id: 'u-bob', username: 'Bob.Gone' } },
    ];
    const logins = [{ ...login('in-ann', JUNE, 's-ann'), user: ann }];
    ({ db, log } = await juneLog(dir, { events, logins }, { personalData: { encrypt: true } }));
  });
  afterAll(async () => {
    await log?.close();
    await db?.drop();
    dir.remove();
  });

  it('a hold by username keeps the month whose entries name that person only by blind index', async () => {
    await log.lifecycle.createHold('ta', { reason: 'case 9', actorId: ann.username }, by);
    const report = await log.lifecycle.purge({ by });
    for (const partition of ['events_p202406', 'auth_events_p202406'])
      expect(report.partitions.find((p) => p.partition === partition)).toMatchObject({
        dropped: false,
        reason: 'a legal hold covers entries of it',
      });
    expect(report.purged).toBe(1);
    expect((await log.getEvent('ta', 'ev-ann')).id).toBe('ev-ann');
    expect((await verifyStore(log.store)).problems).toEqual([]);
  });
});

describePostgres('PostgreSQL partition drops and holds by username in another case', () => {
  let db: TestDatabase;
  let log: AuditLog;
  const dir = tempDir();
  const jane = { id: 'u-jane', username: 'Jane.Admin' };

  beforeAll(async () => {
    const events = [
      { ...event('ev-jane', JUNE), actor: jane },
      { ...event('ev-jose', JUNE + 1), actor: { id: 'u-jose', username: 'JOSÉ.ADMIN' } },
      { ...event('ev-other', JUNE + 2), actor: { id: 'u-other', username: 'Janet.Admin' } },
    ];
    ({ db, log } = await juneLog(dir, {
      events,
      logins: [{ ...login('in-jane', JUNE, 's-jane'), user: jane }],
    }));
  });
  afterAll(async () => {
    await log?.close();
    await db?.drop();
    dir.remove();
  });

  it('keeps the months whose entries the held names match case-insensitively, as the user filter does', async () => {
    await log.lifecycle.createHold('ta', { reason: 'case 11', actorId: 'jane.admin' }, by);
    await log.lifecycle.createHold('ta', { reason: 'case 12', actorId: 'josé.admin' }, by);
    const report = await log.lifecycle.purge({ by });
    for (const partition of ['events_p202406', 'auth_events_p202406'])
      expect(report.partitions.find((p) => p.partition === partition)).toMatchObject({
        dropped: false,
        reason: 'a legal hold covers entries of it',
      });
    expect(report).toMatchObject({ purged: 1, held: 3 });
    expect((await log.listEvents('ta', { limit: '10' })).events.map((e) => e.id).sort()).toEqual(
      expect.arrayContaining(['ev-jane', 'ev-jose']),
    );
    await expect(log.getEvent('ta', 'ev-other')).rejects.toThrow(/not found/);
    expect((await verifyStore(log.store)).problems).toEqual([]);
  });
});
