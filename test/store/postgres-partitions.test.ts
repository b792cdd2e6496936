import pg from 'pg';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { type AuditLog, openAuditLog } from '../../src/core/services/audit-log.js';
import { ensurePartitions, monthRanges } from '../../src/store/postgres/postgres-partitions.js';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import { runCli } from '../helpers/cli.js';
import { createTestDatabase, describePostgres, type TestDatabase, withClient } from '../helpers/postgres.js';
import { tempDir } from '../helpers/temp-dir.js';

const event = (id: string, occurredAt: string) => ({
  id,
  occurredAt,
  actor: { id: 'usr_1', username: 'jane.admin' },
  action: 'update',
  category: 'telephony',
  target: { type: 'Carrier', id: 'trunk-provider-1' },
  newValue: { maxChannels: 120 },
});

describePostgres('PostgreSQL monthly partitions', () => {
  let db: TestDatabase;
  let log: AuditLog;
  let openedAt: number;
  const dir = tempDir();

  beforeAll(async () => {
    db = await createTestDatabase();
    openedAt = Date.now();
    log = await openAuditLog({
      store: await PostgresStore.open({ url: db.url, keyFile: dir.file('key.pem') }),
    });
  });
  const pools: pg.Pool[] = [];
  const poolFor = (url: string) => {
    const pool = new pg.Pool({ connectionString: url, max: 2 });
    pools.push(pool);
    return pool;
  };
  afterAll(async () => {
    await Promise.all(pools.map((p) => p.end()));
    await log?.close();
    await db?.drop();
    dir.remove();
  });

  const partitionsOf = (table: string) =>
    withClient(db.url, async (c) =>
      (
        await c.query<{ name: string }>(
          `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
             WHERE i.inhparent = $1::regclass ORDER BY 1`,
          [table],
        )
      ).rows.map((r) => r.name),
    );
  const partitionHolding = (id: string) =>
    withClient(db.url, async (c) => {
      const { rows } = await c.query<{ p: string }>(
        'SELECT tableoid::regclass::text AS p FROM events WHERE id = $1',
        [id],
      );
      return rows.map((r) => r.p);
    });

  it('creates last month to three months ahead for both event tables, besides the default partition', async () => {
    // The months around the time the store was opened (a run may cross the end of a month meanwhile).
    const months = monthRanges(openedAt).map((m) => m.name);
    expect(months).toHaveLength(5);
    for (const table of ['events', 'auth_events']) {
      expect(await partitionsOf(table)).toEqual(
        [...months.map((m) => `${table}_${m}`), `${table}_default`].sort(),
      );
    }
    expect((await ensurePartitions(poolFor(db.url), openedAt)).created).toBe(0);
  });

  it('routes an event to its month, and old history to the default partition', async () => {
    const now = new Date();
    const month = `p${now.getUTCFullYear()}${String(now.getUTCMonth() + 1).padStart(2, '0')}`;
    await log.appendEvents('t', {
      events: [event('recent-1', now.toISOString()), event('old-1', '2023-03-15T10:00:00Z')],
    });
    expect(await partitionHolding('recent-1')).toEqual([`events_${month}`]);
    expect(await partitionHolding('old-1')).toEqual(['events_default']);
    // Both stay one chain and one query answer, whichever partition holds them.
    const page = await log.listEvents('t', { order: 'asc' });
    expect(page.events.map((e) => e.id)).toEqual(['old-1', 'recent-1']);
  });

  it('refreshes the planner statistics of the partitions after a bulk write (refreshStatistics)', async () => {
    await log.appendEvents('t', { events: [event('stats-1', new Date().toISOString())] });
    const analysed = () =>
      withClient(db.url, async (c) => {
        const { rows } = await c.query<{ relname: string }>(
          `SELECT relname FROM pg_stat_user_tables
            WHERE last_analyze IS NOT NULL AND relname IN ('events_default', 'auth_events_default', 'sessions')`,
        );
        return rows.map((r) => r.relname).sort();
      });
    expect(await analysed()).toEqual([]);
    await log.store.refreshStatistics();
    // The statistics collector reports a moment later.
    await vi.waitFor(
      async () => expect(await analysed()).toEqual(['auth_events_default', 'events_default', 'sessions']),
      {
        timeout: 15_000,
        interval: 100,
      },
    );
  });

  it('leaves a month whose rows sit in the default partition there, and creates the others', async () => {
    const pool = poolFor(db.url);
    const { created } = await ensurePartitions(pool, Date.UTC(2023, 2, 20)); // Feb–Jun 2023; March holds old-1
    expect(created).toBe(9); // events: 4 of 5 months; auth_events (nothing in its default partition): 5
    const names = await partitionsOf('events');
    expect(names).toContain('events_p202302');
    expect(names).toContain('events_p202304');
    expect(names).not.toContain('events_p202303');
    expect(await partitionHolding('old-1')).toEqual(['events_default']);
  });

  it('gives up quickly instead of queueing appends behind a lock on the table', async () => {
    const holder = new pg.Client({ connectionString: db.url });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('LOCK TABLE events IN ACCESS SHARE MODE'); // what a long export holds
      const started = Date.now();
      const { created } = await ensurePartitions(poolFor(db.url), Date.UTC(2031, 5, 1), 0);
      expect(Date.now() - started).toBeLessThan(20_000);
      expect((await partitionsOf('events')).some((n) => n.startsWith('events_p2031'))).toBe(false);
      expect(created).toBe(2); // May and June 2031: only auth_events could take its lock
    } finally {
      await holder.query('ROLLBACK');
      await holder.end();
    }
    await log.appendEvents('t', { events: [event('after-lock', new Date().toISOString())] });
    expect(await partitionHolding('after-lock')).toHaveLength(1);
  });

  it('auditlog migrate creates partitions a year ahead, each refusing TRUNCATE', async () => {
    const result = await runCli(['migrate', '--database-url', db.url, '--months-ahead', '14']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/partition\(s\) created, 14 month\(s\) ahead covered/);
    const far = monthRanges(Date.now(), 14).at(-1)!.name;
    expect(await partitionsOf('events')).toContain(`events_${far}`);
    await expect(withClient(db.url, (c) => c.query(`TRUNCATE events_${far}`))).rejects.toThrow(/append-only/);
    await expect(withClient(db.url, (c) => c.query('TRUNCATE auth_events_default'))).rejects.toThrow(
      /append-only/,
    );
  });
});
