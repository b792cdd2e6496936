// `auditlog erase` on a real SQLite file written with crypto-shredding on: the subject's key is destroyed
// (no copy left in the file or the WAL), its fields read as erased, the other subject's do not, and
// `auditlog verify` still passes on the file.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { envelopeKids } from '../../src/core/domain/subject-crypto.js';
import { openAuditLog } from '../../src/core/services/audit-log.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { runCli } from '../helpers/cli.js';
import { occurrences, sqliteFiles } from '../helpers/stored-bytes.js';
import { tempDir } from '../helpers/temp-dir.js';

const dir = tempDir('auditlog-erase-cli-');
const db = dir.file('auditlog.db');
const ENV = { AUDITLOG_ENCRYPT_PERSONAL_DATA: '1' };
const open = async () =>
  openAuditLog({ store: await SqliteStore.open({ file: db }), personalData: { encrypt: true } });

let wrapped: string;

beforeAll(async () => {
  const log = await open();
  await log.appendEvents('acme', {
    events: ['u-erase', 'u-keep'].map((actor) => ({
      id: `ev-${actor}`,
      actor: { id: actor, username: `${actor}-name` },
      action: 'update',
      category: 'bulk',
      target: { type: 'LeadList', id: 'l' },
      ip: '192.0.2.10',
    })),
  });
  const row = await log.store.getEvent('acme', 'ev-u-erase');
  wrapped = (await log.store.subjects.byKids('acme', envelopeKids(row!.body)))[0]!.wrapped;
  await log.close();
});
afterAll(() => dir.remove());

describe('auditlog erase', () => {
  it('destroys the key, leaves no copy of it in the file or WAL, and the file still verifies', async () => {
    expect(occurrences(sqliteFiles(db), [wrapped])).not.toEqual([]);
    const usage = await runCli(['erase', '--db', db, '--tenant', 'acme'], ENV);
    expect(usage.code).toBe(2);
    const erased = await runCli(['erase', 'u-erase', '--db', db, '--tenant', 'acme'], ENV);
    expect(erased.stderr).toBe('');
    expect(erased.code).toBe(0);
    expect(erased.stdout).toMatch(/^erased: key \S+ destroyed in \d+ ms \(tenant acme\)\n$/);
    const unknown = await runCli(['erase', 'u-nobody', '--db', db, '--tenant', 'acme'], ENV);
    expect(unknown.code).toBe(2);
    expect(occurrences(sqliteFiles(db), [wrapped])).toEqual([]);

    const list = await runCli(['erase', '--list', '--db', db, '--tenant', 'acme'], ENV);
    expect(list.stdout).toMatch(/\tcompleted\n$/);
    const verify = await runCli(['verify', '--db', db]);
    expect(verify.stdout).toMatch(/^OK /);
    expect(verify.code).toBe(0);

    const log = await open();
    try {
      expect((await log.getEvent('acme', 'ev-u-erase')).actor.username).toBe('[erased]');
      expect((await log.getEvent('acme', 'ev-u-keep')).actor.username).toBe('u-keep-name');
      const kept = await log.listEvents('acme', { user: 'u-keep-name' });
      expect(kept.events.map((e) => e.id)).toEqual(['ev-u-keep']);
    } finally {
      await log.close();
    }
  }, 180_000); // five CLI processes, each opening the store
});
