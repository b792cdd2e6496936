// The PostgreSQL store's storage-level guards: the append-only trigger refuses UPDATE, DELETE and TRUNCATE
// of events, auth events and checkpoints even to the owner — on the partitioned tables and on each partition
// named directly — and an application role holding only the README's grants can run the server, while
// UPDATE and DELETE stay refused to it by missing privileges even once the owner has dropped the triggers.
import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { generateSigningKey } from '../../src/core/domain/signing.js';
import { runCli, type ServerProcess, startServerProcess } from '../helpers/cli.js';
import {
  createTestDatabase,
  describePostgres,
  postgresUrl,
  type TestDatabase,
  withClient,
} from '../helpers/postgres.js';
import { sampleEvent } from '../helpers/test-server.js';

const ADMIN = '2Vbm3vmHhFrYXpMtdjjDiQvjnuAJHWq9';
const signingKey = generateSigningKey().privatePem;
/** Roles are cluster-wide: a unique name, dropped afterwards. */
const APP_ROLE = `auditlog_app_${process.pid}_${randomBytes(4).toString('hex')}`;
const APP_PASSWORD = randomBytes(12).toString('hex');

/**
 * The application role's grants, as the README documents them: reads and appends everywhere; UPDATE only on
 * the tables the server really updates (chain heads, the derived sessions, actors, token revocation).
 * No UPDATE, DELETE or TRUNCATE on events, auth_events or checkpoints; no CREATE on the schema.
 */
const APP_GRANTS = (role: string) => [
  `GRANT SELECT, INSERT ON ALL TABLES IN SCHEMA public TO ${role}`,
  `GRANT UPDATE ON chain_heads, sessions, tokens, actors TO ${role}`,
  // A record of the log's own administration leaves the outbox once appended (core/ports/audit-outbox.ts).
  `GRANT DELETE ON audit_outbox TO ${role}`,
];

/**
 * "Now", fixed once: the recent entries occur at this time and the tables below name its month, so a run
 * that straddles midnight at the end of a month still looks at the partition the entries went to.
 */
const NOW = new Date().toISOString();

/** The month partition an entry that occurred now lands in, e.g. `p202611` (as postgres-partitions.ts). */
function currentMonth(nowMs = Date.parse(NOW)): string {
  const d = new Date(nowMs);
  return `p${d.getUTCFullYear()}${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
}

/** An occurredAt before every monthly partition: stored in the default partition. */
const LONG_AGO = '2019-03-04T05:06:07.000Z';

let db: TestDatabase;
let roleCreated = false;

function appUrl(): string {
  const u = new URL(db.url);
  u.username = APP_ROLE;
  u.password = APP_PASSWORD;
  return u.toString();
}

async function post(server: ServerProcess, path: string, body: unknown, token = ADMIN): Promise<Response> {
  return fetch(server.url + path, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

async function get(server: ServerProcess, path: string, token = ADMIN): Promise<Response> {
  return fetch(server.url + path, { headers: { authorization: `Bearer ${token}` } });
}

/** Events and sign-ins now (this month's partition) and long ago (the default partition), in two tenants. */
async function ingest(server: ServerProcess, prefix: string): Promise<void> {
  for (const occurredAt of [NOW, LONG_AGO]) {
    const at = { occurredAt };
    const events = Array.from({ length: 5 }, (_, i) =>
      sampleEvent({
        id: `${prefix}-${occurredAt === NOW ? 'new' : 'old'}-${i}`,
        sessionId: `${prefix}-s1`,
        ...at,
      }),
    );
    let res = await post(server, '/v1/events', { events });
    expect(res.status, await res.clone().text()).toBe(201);
    res = await post(server, '/v1/auth-events', {
      events: [
        {
          type: 'login_success',
          user: { id: 'usr_1', username: 'jane.admin' },
          method: 'password',
          sessionId: `${prefix}-s1`,
          ip: '10.0.0.1',
          ...at,
        },
        {
          type: 'login_failure',
          user: { username: 'mallory' },
          reason: 'bad_password',
          ip: '192.0.2.7',
          ...at,
        },
      ],
    });
    expect(res.status, await res.clone().text()).toBe(201);
  }
  const res = await get(server, '/v1/integrity/checkpoints/latest');
  expect(res.status).toBe(200);
}

/** The application role with the documented grants, on the database the owner migrated (once). */
async function createAppRole(): Promise<void> {
  if (roleCreated) return;
  await owner(async (c) => {
    await c.query(`CREATE ROLE ${APP_ROLE} LOGIN PASSWORD '${APP_PASSWORD}'`);
    roleCreated = true;
    for (const sql of APP_GRANTS(APP_ROLE)) await c.query(sql);
  });
}

const owner = <T>(fn: (c: pg.Client) => Promise<T>) => withClient(db.url, fn);
const asApp = <T>(fn: (c: pg.Client) => Promise<T>) => withClient(appUrl(), fn);

/** Runs `sql` in a transaction that is rolled back either way; returns the error it raised, if any. */
async function attempt(client: pg.Client, sql: string): Promise<(Error & { code?: string }) | undefined> {
  await client.query('BEGIN');
  try {
    await client.query(sql);
    return undefined;
  } catch (error) {
    return error as Error & { code?: string };
  } finally {
    await client.query('ROLLBACK');
  }
}

/** Row counts of the guarded tables and partitions, to show that nothing was changed. */
async function counts(client: pg.Client, tables: string[]): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const t of tables) {
    out[t] = Number((await client.query(`SELECT count(*) AS n FROM ${t}`)).rows[0].n);
  }
  return out;
}

const guarded = () => [
  'events',
  'events_default',
  `events_${currentMonth()}`,
  'auth_events',
  'auth_events_default',
  `auth_events_${currentMonth()}`,
  'checkpoints',
];

const statements = (table: string) => [
  `UPDATE ${table} SET tenant = tenant`,
  `DELETE FROM ${table}`,
  `TRUNCATE ${table}`,
];

beforeAll(async () => {
  db = await createTestDatabase();
  // The owner (the migrating role) creates the schema by starting the server once, and stores a little.
  const server = await startServerProcess(['--database-url', db.url], {
    AUDITLOG_BOOTSTRAP_TOKEN: ADMIN,
    AUDITLOG_SIGNING_KEY: signingKey,
  });
  try {
    await ingest(server, 'owner');
  } finally {
    expect(await server.stop()).toBe(0);
  }
});

afterAll(async () => {
  await db?.drop();
  if (roleCreated) {
    await withClient(postgresUrl(), (c) => c.query(`DROP ROLE IF EXISTS ${APP_ROLE}`));
  }
});

describePostgres('PostgreSQL storage guards', () => {
  it('every guarded table and partition holds rows (so row triggers have something to refuse)', async () => {
    const n = await owner((c) => counts(c, guarded()));
    for (const [table, count] of Object.entries(n)) expect(count, table).toBeGreaterThan(0);
  });

  it.each(guarded().flatMap((t) => statements(t)))('the owner is refused: %s', async (sql) => {
    await owner(async (c) => {
      const before = await counts(c, guarded());
      const error = await attempt(c, sql);
      expect(error?.message ?? 'it succeeded', `${sql} must be refused`).toMatch(/append-only/);
      expect(error?.code).toBe('42501');
      expect(await counts(c, guarded())).toEqual(before);
    });
  });

  it('an application role with only the documented grants runs the server: ingest, queries, sessions, tokens, checkpoints', async () => {
    await createAppRole();
    const server = await startServerProcess(['--database-url', appUrl()], {
      AUDITLOG_BOOTSTRAP_TOKEN: ADMIN,
      AUDITLOG_SIGNING_KEY: signingKey,
    });
    try {
      await ingest(server, 'app');
      // A new actor name (actors upsert) and a session that ends (sessions upsert).
      let res = await post(
        server,
        '/v1/events',
        sampleEvent({ actor: { id: 'usr_1', username: 'jane.admin', displayName: 'Jane A.' } }),
      );
      expect(res.status).toBe(201);
      res = await post(server, '/v1/auth-events', {
        type: 'logout',
        user: { id: 'usr_1', username: 'jane.admin' },
        sessionId: 'app-s1',
        ip: '10.0.0.1',
      });
      expect(res.status).toBe(201);
      res = await get(server, '/v1/sessions/app-s1');
      expect(res.status).toBe(200);
      const session = (await res.json()) as { endReason: string; actions: unknown[] };
      expect(session.endReason).toBe('logout');
      expect(session.actions.length).toBe(10);

      res = await get(server, '/v1/events?q=jane&limit=500');
      expect(res.status).toBe(200);
      const ids = ((await res.json()) as { events: { id: string }[] }).events.map((e) => e.id);
      expect(ids).toContain('app-old-3');
      expect(ids).toContain('owner-new-1');

      // A token created, used, and revoked (UPDATE tokens).
      res = await post(server, '/v1/tokens', {
        tenant: 'acme',
        scopes: ['ingest', 'read'],
        name: 'app-role',
      });
      expect(res.status).toBe(201);
      const created = (await res.json()) as { id: string; token: string };
      res = await post(server, '/v1/events', sampleEvent({ id: 'acme-1' }), created.token);
      expect(res.status).toBe(201);
      res = await fetch(`${server.url}/v1/tokens/${created.id}`, {
        method: 'DELETE',
        headers: { authorization: `Bearer ${ADMIN}` },
      });
      expect(res.status).toBe(204);
      expect((await get(server, '/v1/events', created.token)).status).toBe(401);

      res = await get(server, '/v1/integrity/checkpoints/latest');
      expect(res.status).toBe(200);
      const checkpoint = (await res.json()) as { seq: number };
      res = await get(server, '/v1/events?limit=1&order=desc');
      expect(checkpoint.seq).toBeGreaterThanOrEqual(
        ((await res.json()) as { events: { seq: number }[] }).events[0]!.seq,
      );
    } finally {
      expect(await server.stop()).toBe(0);
    }
    const verify = await runCli(['verify', '--database-url', appUrl()]);
    expect(verify.stdout).toMatch(/^OK /);
    expect(verify.code).toBe(0);
    // The token's two records were appended and left the outbox (DELETE on audit_outbox).
    const left = await owner((c) => c.query<{ n: number }>('SELECT count(*)::int AS n FROM audit_outbox'));
    expect(left.rows[0]!.n).toBe(0);
  });

  it('the application role cannot store a second entry under a taken seq, nor lift the guard that refuses it', async () => {
    await createAppRole();
    const month = `events_${currentMonth()}`;
    /** Copies of stored entries under their own seqs: through the table, into partitions named directly, as the other stream. */
    const forgeries = [
      "INSERT INTO events SELECT * FROM events WHERE tenant = 'default' ORDER BY seq LIMIT 1",
      `INSERT INTO ${month} SELECT * FROM ${month} WHERE tenant = 'default' LIMIT 1`,
      "INSERT INTO events_default SELECT * FROM events_default WHERE tenant = 'default' LIMIT 1",
      "INSERT INTO auth_events SELECT * FROM auth_events WHERE tenant = 'default' LIMIT 1",
      `INSERT INTO auth_events (tenant, seq, id, occurred_ms, received_ms, type, username, username_f, ip, ip_key,
         body, search, prev_hash, hash)
       SELECT tenant, seq, 'forged', occurred_ms, received_ms, 'logout', 'x', 'x', '10.0.0.1', 'k', body, '',
         prev_hash, hash FROM events WHERE tenant = 'default' ORDER BY seq DESC LIMIT 1`,
      // The guard writes chain_seqs as the owner, by its schema: a temporary table cannot stand in for it.
      `CREATE TEMP TABLE chain_seqs (tenant text, seq bigint);
       INSERT INTO events SELECT * FROM events WHERE tenant = 'default' ORDER BY seq LIMIT 1`,
    ];
    const lifts = [
      'DROP TRIGGER events_claim_seq ON events',
      `DROP TRIGGER events_claim_seq ON ${month}`,
      'ALTER TABLE events DISABLE TRIGGER events_claim_seq',
      'ALTER TABLE auth_events DISABLE TRIGGER ALL',
      'DELETE FROM chain_seqs',
      'UPDATE chain_seqs SET seq = -seq',
      'TRUNCATE chain_seqs',
      'SET session_replication_role = replica',
    ];
    await asApp(async (c) => {
      const before = await counts(c, [...guarded(), 'chain_seqs']);
      for (const sql of forgeries) {
        const error = await attempt(c, sql);
        expect(error?.message ?? 'it succeeded', sql).toMatch(
          /duplicate key value violates unique constraint "chain_seqs_pkey"/,
        );
        expect(error?.code).toBe('23505');
      }
      for (const sql of lifts) {
        const error = await attempt(c, sql);
        expect(error?.message ?? 'it succeeded', sql).toMatch(/must be owner|permission denied/);
        expect(error?.code, sql).toBe('42501');
      }
      expect(await counts(c, [...guarded(), 'chain_seqs'])).toEqual(before);
    });
  });

  it('a role granted its privileges before the guard existed (none on chain_seqs) still appends', async () => {
    await createAppRole();
    await owner((c) => c.query(`REVOKE ALL ON chain_seqs FROM ${APP_ROLE}`));
    try {
      const server = await startServerProcess(['--database-url', appUrl()], {
        AUDITLOG_BOOTSTRAP_TOKEN: ADMIN,
        AUDITLOG_SIGNING_KEY: signingKey,
      });
      try {
        await ingest(server, 'ungranted');
      } finally {
        expect(await server.stop()).toBe(0);
      }
      const verify = await runCli(['verify', '--database-url', appUrl()]);
      expect(verify.stdout).toMatch(/^OK /);
      expect(verify.code).toBe(0);
    } finally {
      await owner((c) => c.query(`GRANT SELECT, INSERT ON chain_seqs TO ${APP_ROLE}`));
    }
  });

  it('with the triggers dropped by the owner, the application role still cannot UPDATE, DELETE or TRUNCATE', async () => {
    await createAppRole();
    await owner(async (c) => {
      // Every trigger the schema defines (the copies on partitions go with their parent's).
      const { rows } = await c.query<{ name: string; table: string }>(
        `SELECT quote_ident(tgname) AS name, tgrelid::regclass::text AS table FROM pg_trigger
          WHERE NOT tgisinternal AND tgparentid = 0`,
      );
      expect(rows.length).toBeGreaterThanOrEqual(6);
      for (const r of rows) await c.query(`DROP TRIGGER ${r.name} ON ${r.table}`);
      // Without the triggers the owner could now change rows: the privileges are what is left.
      expect(await attempt(c, 'UPDATE events SET tenant = tenant')).toBeUndefined();
    });
    await asApp(async (c) => {
      const before = await counts(c, guarded());
      for (const sql of guarded().flatMap((t) => statements(t))) {
        const error = await attempt(c, sql);
        expect(error?.message ?? 'it succeeded', `${sql} must be refused to the application role`).toMatch(
          /permission denied/,
        );
        expect(error?.code).toBe('42501');
      }
      expect(await counts(c, guarded())).toEqual(before);
      // What it may do, it still can: read and append.
      expect(await attempt(c, "SELECT seq FROM events WHERE tenant = 'default' LIMIT 1")).toBeUndefined();
    });
  });
});
