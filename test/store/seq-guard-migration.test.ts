// A database from before the seq guard (SQLite migration 5, PostgreSQL migration 3) migrates: the seqs it
// holds are claimed, so a copy of one is refused from then on; a duplicate forged before the guard stays, for
// `verify` to report; appends go on.
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import type { Store } from '../../src/core/ports/store.js';
import { openAuditLog } from '../../src/core/services/audit-log.js';
import { verifyStore } from '../../src/core/services/verify-store.js';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { createTestDatabase, describePostgres, type TestDatabase, withClient } from '../helpers/postgres.js';
import { tempDir } from '../helpers/temp-dir.js';
import { sampleEvent } from '../helpers/test-server.js';

const dir = tempDir();
const databases: TestDatabase[] = [];
afterAll(async () => {
  await Promise.all(databases.map((d) => d.drop()));
  dir.remove();
});

/** An auth row copying the event at `seq` (a sign-in under an event's seq), as each store's SQL spells it. */
const crossStreamCopy = (seq: number, ip = "'10.0.0.1', ") =>
  `INSERT INTO auth_events (tenant, seq, id, occurred_ms, received_ms, type, username, username_f, ${ip ? 'ip, ' : ''}ip_key,
     body, search, prev_hash, hash)
   SELECT tenant, seq, 'forged-${seq}', occurred_ms, received_ms, 'logout', 'x', 'x', ${ip}'k', body, '', prev_hash, hash
   FROM events WHERE tenant = 'acme' AND seq = ${seq}`;

async function fill(store: Store): Promise<void> {
  const log = await openAuditLog({ store });
  await log.appendEvents('acme', { events: Array.from({ length: 20 }, () => sampleEvent()) });
  await log.close();
}

async function afterMigration(store: Store, refuse: () => Promise<unknown>): Promise<void> {
  await expect(refuse()).rejects.toThrow(/UNIQUE constraint failed|the seq belongs|chain_seqs_pkey/);
  const report = await verifyStore(store);
  expect(report.problem).toMatchObject({ tenant: 'acme', seq: 7, kind: 'inserted' });
  expect(report.problem?.ids).toHaveLength(2);
  expect(report.problem?.ids).toContain('forged-7');
  expect(report.problem?.message).toMatch(/^2 entries claim seq 7: /);
}

describe('SQLite: a database from before migration 5', () => {
  it('migrates: new copies are refused, an old one is reported, appends go on', async () => {
    const file = dir.file('old.db');
    await fill(await SqliteStore.open({ file }));
    const db = new Database(file);
    db.exec('DROP TRIGGER events_seq_unique; DROP TRIGGER auth_events_seq_unique');
    db.exec('DELETE FROM schema_migrations WHERE version = 5');
    db.exec(crossStreamCopy(7, ''));
    db.close();

    const store = await SqliteStore.open({ file });
    const log = await openAuditLog({ store });
    try {
      const raw = new Database(file);
      try {
        await afterMigration(store, async () => raw.exec(crossStreamCopy(9, '')));
      } finally {
        raw.close();
      }
      expect((await log.appendEvents('acme', sampleEvent()))[0]!.seq).toBe(21);
    } finally {
      await log.close();
    }
  });
});

describePostgres('PostgreSQL: a database from before migration 3', () => {
  it('migrates: its seqs are claimed, new copies are refused, an old one is reported, appends go on', async () => {
    const db = await createTestDatabase();
    databases.push(db);
    const keyFile = dir.file('pg-key.pem');
    await fill(await PostgresStore.open({ url: db.url, keyFile }));
    await withClient(db.url, async (c) => {
      await c.query(`DROP TRIGGER events_claim_seq ON events; DROP TRIGGER auth_events_claim_seq ON auth_events;
        DROP FUNCTION auditlog_claim_seq(); DROP TABLE chain_seqs; DELETE FROM schema_migrations WHERE version = 3`);
      await c.query(crossStreamCopy(7));
    });

    const store = await PostgresStore.open({ url: db.url, keyFile });
    const log = await openAuditLog({ store });
    try {
      const claims = await withClient(db.url, (c) => c.query('SELECT seq FROM chain_seqs ORDER BY seq'));
      expect(claims.rows.map((r) => Number(r.seq))).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
      await afterMigration(store, () => withClient(db.url, (c) => c.query(crossStreamCopy(9))));
      expect((await log.appendEvents('acme', sampleEvent()))[0]!.seq).toBe(21);
    } finally {
      await log.close();
    }
  });
});
