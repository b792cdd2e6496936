import { copyFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { entryHash } from '../../src/core/domain/hash-chain.js';
import { generateSigningKey, signCheckpoint } from '../../src/core/domain/signing.js';
import { formatTimestamp } from '../../src/core/domain/time.js';
import { openAuditLog } from '../../src/core/services/audit-log.js';
import { verifyStore } from '../../src/core/services/verify-store.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { insertForgedCopy } from '../helpers/forgery.js';
import { tempDir } from '../helpers/temp-dir.js';
import { sampleEvent } from '../helpers/test-server.js';

const dir = tempDir();
const original = dir.file('original.db');
/** One tenant of events only, past two read batches of `verify` (500 entries), on the server's schedule. */
const bulk = dir.file('bulk.db');
const BULK = 1234;
let copies = 0;

beforeAll(async () => {
  const store = await SqliteStore.open({ file: original });
  const log = await openAuditLog({ store, checkpoints: { everyEntries: 100 } });
  for (let b = 0; b < 5; b++) {
    const events = Array.from({ length: 100 }, (_, i) =>
      sampleEvent({
        id: `e-${b}-${i}`,
        newValue: { maxChannels: b * 100 + i },
        target: { type: 'Carrier', id: `t-${i % 9}` },
      }),
    );
    await log.appendEvents('acme', { events });
    await log.auth.append('acme', {
      events: Array.from({ length: 20 }, (_, i) => ({
        type: 'login_failure',
        user: { username: `u${i}` },
        reason: 'bad_password',
        ip: '192.0.2.1',
      })),
    });
  }
  await log.appendEvents('globex', { events: [sampleEvent(), sampleEvent()] });
  await log.close();

  const bulkLog = await openAuditLog({ store: await SqliteStore.open({ file: bulk }) });
  for (let i = 0; i < BULK; i += 500) {
    const n = Math.min(500, BULK - i);
    await bulkLog.appendEvents('bulk', {
      events: Array.from({ length: n }, (_, k) => sampleEvent({ id: `b-${i + k + 1}` })),
    });
  }
  await bulkLog.close();
});
afterAll(() => dir.remove());

/** A copy of the store, tampered with as an attacker with file access would: guard triggers dropped first. */
function tampered(attack: (db: Database.Database) => void, from = original): string {
  const file = dir.file(`copy-${copies++}.db`);
  copyFileSync(from, file);
  copyFileSync(`${from}.signing-key.pem`, `${file}.signing-key.pem`);
  const db = new Database(file);
  const triggers = db.prepare("SELECT name FROM sqlite_master WHERE type = 'trigger'").pluck().all();
  expect(triggers.length).toBeGreaterThanOrEqual(8);
  for (const t of triggers) db.exec(`DROP TRIGGER "${t}"`);
  attack(db);
  db.close();
  return file;
}

async function verify(file: string, options: Parameters<typeof verifyStore>[1] = {}) {
  const store = await SqliteStore.open({ file, readonly: true });
  try {
    return await verifyStore(store, options);
  } finally {
    await store.close();
  }
}

const seqOf = (db: Database.Database, table: string, where: string) =>
  db
    .prepare(`SELECT seq FROM ${table} WHERE tenant = 'acme' AND ${where} ORDER BY seq LIMIT 1`)
    .pluck()
    .get() as number;

describe('verify on an intact store', () => {
  it('passes and reports every tenant and the newest checkpoint', async () => {
    const report = await verify(original);
    expect(report.problem).toBeUndefined();
    expect(report.entries).toBe(5 * 120 + 2);
    expect(report.tenants.map((t) => [t.tenant, t.lastSeq])).toEqual([
      ['acme', 600],
      ['globex', 2],
    ]);
    const acme = report.tenants.find((t) => t.tenant === 'acme')!;
    expect(acme.newestCheckpoint?.seq).toBe(acme.lastSeq);
    expect(acme.unsigned).toBe(0);
    expect(acme.checkpoints).toBeGreaterThanOrEqual(6);
  });
});

describe('verify catches and locates tampering', () => {
  it('a changed value: altered', async () => {
    let target = 0;
    const file = tampered((db) => {
      target = seqOf(db, 'events', "id = 'e-2-17'");
      db.prepare(
        "UPDATE events SET body = replace(body, '\"maxChannels\":217', '\"maxChannels\":999') WHERE tenant = 'acme' AND seq = ?",
      ).run(target);
    });
    const { problem } = await verify(file);
    expect(problem).toMatchObject({ tenant: 'acme', seq: target, kind: 'altered' });
  });

  it('a deleted row: missing, naming the absent seq', async () => {
    let target = 0;
    const file = tampered((db) => {
      target = seqOf(db, 'events', "id = 'e-1-50'");
      db.prepare("DELETE FROM events WHERE tenant = 'acme' AND seq = ?").run(target);
    });
    expect((await verify(file)).problem).toMatchObject({ seq: target, kind: 'missing' });
  });

  it('a forged row under an existing seq: inserted', async () => {
    let target = 0;
    const file = tampered((db) => {
      target = seqOf(db, 'events', "id = 'e-3-3'");
      db.prepare(
        `INSERT INTO auth_events (tenant, seq, id, occurred_ms, received_ms, type, username, username_f, ip_key, body, search, prev_hash, hash)
         SELECT tenant, seq, 'forged', occurred_ms, received_ms, 'logout', 'x', 'x', 'k', body, '', prev_hash, hash
         FROM events WHERE tenant = 'acme' AND seq = ?`,
      ).run(target);
    });
    expect((await verify(file)).problem).toMatchObject({ seq: target, kind: 'inserted' });
  });

  it('a forged row with a correct hash, the rows after it renumbered: inserted', async () => {
    let target = 0;
    const file = tampered((db) => {
      target = seqOf(db, 'events', "id = 'e-2-40'");
      for (const t of ['events', 'auth_events']) {
        db.exec(`DROP INDEX IF EXISTS ${t}_seq`);
        db.prepare(`UPDATE ${t} SET seq = seq + 1 WHERE tenant = 'acme' AND seq >= ?`).run(target);
      }
      const prev = db
        .prepare("SELECT hash FROM events WHERE tenant = 'acme' AND seq = ?")
        .pluck()
        .get(target - 1) as string;
      const body = JSON.stringify({ forged: true });
      const received = Date.now();
      const hash = entryHash('acme', target, 'event', formatTimestamp(received), prev, body);
      db.prepare(
        `INSERT INTO events (tenant, seq, id, occurred_ms, received_ms, actor_id, action, category, event_type, target_type,
         target_id, target_id_f, body, search, prev_hash, hash)
         VALUES ('acme', ?, 'forged', ?, ?, 'x', 'update', 'users', 'x.y', 'X', 'x', 'x', ?, '', ?, ?)`,
      ).run(target, received, received, body, prev, hash);
    });
    expect((await verify(file)).problem).toMatchObject({ seq: target, kind: 'inserted' });
  });

  it('two rows swapped: reordered', async () => {
    let target = 0;
    const file = tampered((db) => {
      target = seqOf(db, 'events', "id = 'e-4-10'");
      db.exec('DROP INDEX events_seq');
      db.prepare("UPDATE events SET seq = -1 WHERE tenant = 'acme' AND seq = ?").run(target);
      db.prepare("UPDATE events SET seq = ? WHERE tenant = 'acme' AND seq = ?").run(target, target + 1);
      db.prepare("UPDATE events SET seq = ? WHERE tenant = 'acme' AND seq = -1").run(target + 1);
    });
    expect((await verify(file)).problem).toMatchObject({ seq: target, kind: 'reordered' });
  });

  it('a value changed and every later hash rewritten: the first checkpoint after it does not match', async () => {
    let target = 0;
    let checkpoint = 0;
    const file = tampered((db) => {
      target = seqOf(db, 'events', "id = 'e-1-5'");
      checkpoint = db
        .prepare("SELECT min(seq) FROM checkpoints WHERE tenant = 'acme' AND seq >= ?")
        .pluck()
        .get(target) as number;
      const rows = db
        .prepare(
          `SELECT 'events' AS t, 'event' AS stream, seq, received_ms, body FROM events WHERE tenant = 'acme' AND seq >= ?
           UNION ALL SELECT 'auth_events', 'auth', seq, received_ms, body FROM auth_events WHERE tenant = 'acme' AND seq >= ?
           ORDER BY seq`,
        )
        .all(target, target) as {
        t: string;
        stream: 'event' | 'auth';
        seq: number;
        received_ms: number;
        body: string;
      }[];
      let prev = db
        .prepare("SELECT hash FROM events WHERE tenant = 'acme' AND seq = ?")
        .pluck()
        .get(target - 1) as string;
      for (const r of rows) {
        const body = r.seq === target ? r.body.replace('"maxChannels":105', '"maxChannels":1') : r.body;
        const hash = entryHash('acme', r.seq, r.stream, formatTimestamp(r.received_ms), prev, body);
        db.prepare(
          `UPDATE ${r.t} SET body = ?, prev_hash = ?, hash = ? WHERE tenant = 'acme' AND seq = ?`,
        ).run(body, prev, hash, r.seq);
        prev = hash;
      }
      db.prepare("UPDATE chain_heads SET hash = ? WHERE tenant = 'acme'").run(prev);
    });
    expect((await verify(file)).problem).toMatchObject({ seq: checkpoint, kind: 'checkpoint_mismatch' });
    expect(checkpoint).toBeGreaterThanOrEqual(target);
    expect(checkpoint - target).toBeLessThan(100);
  });

  it('the tail cut off: missing', async () => {
    let last = 0;
    const file = tampered((db) => {
      last = db.prepare("SELECT max(seq) FROM events WHERE tenant = 'acme'").pluck().get() as number;
      db.prepare("DELETE FROM events WHERE tenant = 'acme' AND seq >= ?").run(last - 5);
      db.prepare("DELETE FROM auth_events WHERE tenant = 'acme' AND seq >= ?").run(last - 5);
    });
    const { problem } = await verify(file);
    expect(problem?.kind).toBe('missing');
    expect(problem?.seq).toBeLessThanOrEqual(last - 5);
  });

  it('a checkpoint changed: signature invalid', async () => {
    let seq = 0;
    const file = tampered((db) => {
      seq = db.prepare("SELECT min(seq) FROM checkpoints WHERE tenant = 'acme'").pluck().get() as number;
      db.prepare("UPDATE checkpoints SET hash = ? WHERE tenant = 'acme' AND seq = ?").run(
        '0'.repeat(64),
        seq,
      );
    });
    expect((await verify(file)).problem).toMatchObject({ seq, kind: 'checkpoint_signature_invalid' });
  });

  it('a checkpoint forged with another key: not trusted when the verifier holds the real key', async () => {
    const attacker = generateSigningKey().key;
    let seq = 0;
    const file = tampered((db) => {
      seq = db.prepare("SELECT min(seq) FROM checkpoints WHERE tenant = 'acme'").pluck().get() as number;
      const c = signCheckpoint(attacker, {
        tenant: 'acme',
        seq: seq - 1,
        hash: '1'.repeat(64),
        signedAt: new Date().toISOString(),
      });
      db.prepare('INSERT INTO checkpoints VALUES (?, ?, ?, ?, ?, ?)').run(
        c.tenant,
        c.seq,
        c.hash,
        c.signedAt,
        c.keyId,
        c.signature,
      );
      db.prepare('INSERT INTO signing_keys VALUES (?, ?, ?)').run(
        attacker.keyId,
        attacker.publicKeyPem,
        Date.now(),
      );
    });
    const real = await SqliteStore.open({ file: original, readonly: true });
    const keys = new Map((await real.publicKeys()).map((k) => [k.keyId, k.publicKeyPem]));
    await real.close();
    expect((await verify(file, { trustedKeys: keys })).problem).toMatchObject({
      seq: seq - 1,
      kind: 'checkpoint_signature_invalid',
    });
  });
});

describe('verify finds a forged copy of a seq wherever it lies', () => {
  const forge = (db: Database.Database, seq: number) => insertForgedCopy(db, 'bulk', seq);

  it('the store itself refuses a second entry under a taken seq, in either stream', () => {
    const db = new Database(bulk);
    try {
      expect(() => forge(db, 500)).toThrow(/UNIQUE constraint failed: events.tenant, events.seq/);
      expect(() =>
        db
          .prepare(
            `INSERT INTO auth_events (tenant, seq, id, occurred_ms, received_ms, type, username, username_f, ip_key, body, search, prev_hash, hash)
             SELECT tenant, seq, 'forged', occurred_ms, received_ms, 'logout', 'x', 'x', 'k', body, '', prev_hash, hash
             FROM events WHERE tenant = 'bulk' AND seq = 1000`,
          )
          .run(),
      ).toThrow(/the seq belongs to another entry/);
    } finally {
      db.close();
    }
  });

  // 500 and 1000 end verify's read batches; 1 and BULK are the first and the last entry.
  it.each([1, 2, 499, 500, 501, 999, 1000, 1001, BULK])(
    'a copy at seq %i, its unique index dropped: inserted at that seq, naming both ids',
    async (seq) => {
      const file = tampered((db) => {
        db.exec('DROP INDEX events_seq');
        forge(db, seq);
      }, bulk);
      const report = await verify(file);
      expect(report.problem).toMatchObject({ tenant: 'bulk', seq, kind: 'inserted' });
      expect(report.problem?.ids?.sort()).toEqual([`b-${seq}`, `forged-${seq}`].sort());
      expect(report.problem?.message).toMatch(`2 entries claim seq ${seq}`);
    },
  );

  it('a row at seq 0, before the chain: inserted', async () => {
    const file = tampered((db) => {
      db.exec('DROP INDEX events_seq');
      db.exec(
        "INSERT INTO events SELECT NULL, tenant, 0, 'zero', occurred_ms, received_ms, actor_id, actor_username, actor_username_f, actor_display_name, action, category, event_type, target_type, target_id, target_id_f, target_name_f, ip_key, session_id, body, search, prev_hash, hash FROM events WHERE tenant = 'bulk' AND seq = 1",
      );
    }, bulk);
    expect((await verify(file)).problem).toMatchObject({ seq: 0, kind: 'inserted', ids: ['zero'] });
  });
});
