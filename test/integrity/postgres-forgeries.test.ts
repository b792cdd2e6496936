// The two forgeries of the red-team report (issue 20) on PostgreSQL, the twin of forgeries.test.ts: (1) the
// application role with the README's grants inserts a copy of the entry at seq 500 or 1000 (where `verify`
// ends a read batch) under another id and actor — refused now; and where the owner has dropped the guard,
// `verify` names the seq and both ids; (2) the owner rewrites the tail from seq 2500 and deletes its
// checkpoints — `verify` reports the checkpoint missing from the schedule, and a checkpoint saved earlier
// catches the rewrite even after a server signed the forged chain. Each attack works on its own copy.
import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { generateSigningKey } from '../../src/core/domain/signing.js';
import { type ServerProcess, startServerProcess } from '../helpers/cli.js';
import { FORGED_ACTOR, forgedCopy, relink } from '../helpers/forgery.js';
import {
  expectForgedCopyCaught,
  expectTailRewriteCaught,
  fillAndSaveCheckpoints,
  verifyCli,
} from '../helpers/forgery-checks.js';
import {
  cloneTestDatabase,
  createTestDatabase,
  describePostgres,
  postgresUrl,
  type TestDatabase,
  withClient,
} from '../helpers/postgres.js';
import { tempDir } from '../helpers/temp-dir.js';

const TOKEN = 'pg-forgeries-test-token-0123456789';
const KEY = generateSigningKey();
const ENTRIES = 3400;
/** Roles are cluster-wide: a unique name, dropped afterwards. */
const APP_ROLE = `auditlog_app_${process.pid}_${randomBytes(4).toString('hex')}`;
const APP_PASSWORD = randomBytes(12).toString('hex');
const dir = tempDir();
/** The operator's checkpoints, kept outside the database: GET /v1/integrity/checkpoints/latest at 1500 and at the end. */
const saved = dir.file('saved-checkpoints.ndjson');
let original: TestDatabase;
const copies: TestDatabase[] = [];
let roleCreated = false;

function asRole(url: string): string {
  const u = new URL(url);
  u.username = APP_ROLE;
  u.password = APP_PASSWORD;
  return u.toString();
}

const serve = (url: string) =>
  startServerProcess(['--database-url', url], {
    AUDITLOG_BOOTSTRAP_TOKEN: TOKEN,
    AUDITLOG_SIGNING_KEY: KEY.privatePem,
  });
const _get = (server: ServerProcess, path: string) =>
  fetch(server.url + path, { headers: { authorization: `Bearer ${TOKEN}` } });

beforeAll(async () => {
  original = await createTestDatabase();
  // The owner migrates (by serving once) and the events arrive through the API, `e-<seq>` each.
  const server = await serve(original.url);
  try {
    await fillAndSaveCheckpoints(server, TOKEN, ENTRIES, saved);
  } finally {
    expect(await server.stop()).toBe(0);
  }
  // The application role of the README, granted after the owner migrated.
  await withClient(original.url, async (c) => {
    await c.query(`CREATE ROLE ${APP_ROLE} LOGIN PASSWORD '${APP_PASSWORD}'`);
    roleCreated = true;
    await c.query(`GRANT SELECT, INSERT ON ALL TABLES IN SCHEMA public TO ${APP_ROLE}`);
    await c.query(`GRANT UPDATE ON chain_heads, sessions, tokens, actors TO ${APP_ROLE}`);
  });
}, 180_000);

afterAll(async () => {
  await Promise.all(copies.map((c) => c.drop()));
  await original?.drop();
  if (roleCreated) await withClient(postgresUrl(), (c) => c.query(`DROP ROLE IF EXISTS ${APP_ROLE}`));
  dir.remove();
});

/** A copy of the prepared database, changed by `owner` as the owner; returns its URL. */
async function copyOf(owner: (c: pg.Client) => Promise<void>): Promise<string> {
  const copy = await cloneTestDatabase(original);
  copies.push(copy);
  await withClient(copy.url, owner);
  return copy.url;
}

/** Inserts a copy of the event at `seq` under another id and actor, its hash correct and linked to seq - 1. */
async function forge(c: pg.Client, seq: number): Promise<string> {
  const { rows } = await c.query<{ received_ms: string; prev_hash: string; body: string }>(
    "SELECT received_ms, prev_hash, body FROM events WHERE tenant = 'default' AND seq = $1",
    [seq],
  );
  const row = rows[0]!;
  const copy = forgedCopy('default', {
    seq,
    receivedMs: Number(row.received_ms),
    prevHash: row.prev_hash,
    body: row.body,
  });
  await c.query(
    `INSERT INTO events SELECT tenant, seq, $2, occurred_ms, received_ms, $3, $4, $4, actor_display_name, action,
       category, event_type, target_type, target_id, target_id_f, target_name_f, ip_key, session_id, $5, search,
       prev_hash, $6 FROM events WHERE tenant = 'default' AND seq = $1`,
    [seq, copy.id, FORGED_ACTOR.id, FORGED_ACTOR.username, copy.body, copy.hash],
  );
  return copy.id;
}

const _verify = verifyCli;

describePostgres('finding 1 on PostgreSQL: a copy of the entry at a seq, by the application role', () => {
  it.each([500, 1000])('at seq %i is refused by the guard the role cannot lift', async (seq) => {
    await withClient(asRole(original.url), async (c) => {
      const error = await forge(c, seq).then(
        () => undefined,
        (e: Error & { code?: string }) => e,
      );
      expect(error?.message ?? 'it succeeded').toMatch(/unique constraint "chain_seqs_pkey"/);
      expect(error?.code).toBe('23505');
    });
  });

  it.each([500, 1000])(
    'at seq %i, once the owner dropped the guard: verify fails naming the seq and both ids; GET serves the forgery, an export carries it and verify --file fails',
    async (seq) => {
      const url = await copyOf(async (c) => {
        await c.query(
          'DROP TRIGGER events_claim_seq ON events; DROP TRIGGER auth_events_claim_seq ON auth_events',
        );
      });
      const forgedId = await withClient(asRole(url), (c) => forge(c, seq));
      await expectForgedCopyCaught({
        seq,
        forgedId,
        verifyArgs: ['--database-url', asRole(url)],
        serve: () => serve(asRole(url)),
        token: TOKEN,
        publicKeyPem: KEY.key.publicKeyPem,
        exportFile: dir.file(`export-${seq}.ndjson`),
      });
    },
  );
});

describePostgres('finding 2 on PostgreSQL: the tail rewritten from seq 2500, its checkpoints deleted', () => {
  it('verify reports the checkpoint missing at 3000; a saved checkpoint catches the rewrite even after a server re-signed it', async () => {
    const url = await copyOf(async (c) => {
      const { rows: triggers } = await c.query<{ name: string; table: string }>(
        `SELECT quote_ident(tgname) AS name, tgrelid::regclass::text AS table FROM pg_trigger
          WHERE NOT tgisinternal AND tgparentid = 0`,
      );
      for (const t of triggers) await c.query(`DROP TRIGGER ${t.name} ON ${t.table}`);
      const { rows } = await c.query<{ seq: number; received_ms: string; body: string }>(
        "SELECT seq::int, received_ms, body FROM events WHERE tenant = 'default' AND seq >= 2500 ORDER BY seq",
      );
      rows[0]!.body = rows[0]!.body.replace('"maxChannels":2500', '"maxChannels":1');
      const prev = await c.query("SELECT hash FROM events WHERE tenant = 'default' AND seq = 2499");
      const links = relink(
        'default',
        prev.rows[0].hash,
        rows.map((r) => ({
          seq: r.seq,
          stream: 'event' as const,
          receivedMs: Number(r.received_ms),
          body: r.body,
        })),
      );
      await c.query(
        `UPDATE events e SET body = u.body, prev_hash = u.prev, hash = u.hash
           FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[]) AS u(seq, body, prev, hash)
          WHERE e.tenant = 'default' AND e.seq = u.seq`,
        [
          links.map((l) => l.seq),
          rows.map((r) => r.body),
          links.map((l) => l.prevHash),
          links.map((l) => l.hash),
        ],
      );
      await c.query("UPDATE chain_heads SET hash = $1 WHERE tenant = 'default'", [links.at(-1)!.hash]);
      await c.query("DELETE FROM checkpoints WHERE tenant = 'default' AND seq >= 2500");
      // And the Merkle tree, which a server rebuilds from the forged chain (else verify names its first node).
      await c.query("DELETE FROM merkle_nodes WHERE tenant = 'default'");
      await c.query("DELETE FROM merkle_sizes WHERE tenant = 'default'");
    });
    await expectTailRewriteCaught({
      verifyArgs: ['--database-url', url],
      serve: () => serve(url),
      token: TOKEN,
      saved,
      exportFile: dir.file('rewritten.ndjson'),
    });
  });
});
