// A pending record whose append failed is retried on a backoff (audit-outbox.ts); an outbox that cannot be
// read for another reason than the store being away (here: its table gone, as in an older copy) is not: a
// retry would only repeat the error on stderr every 30 s for the life of the process.
import Database from 'better-sqlite3';
import { afterAll, expect, it } from 'vitest';
import { openAuditLog } from '../../src/core/services/audit-log.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { tempDir } from '../helpers/temp-dir.js';

const dir = tempDir();
afterAll(() => dir.remove());

it('an outbox that cannot be read is not retried on a schedule', async () => {
  const file = dir.file('auditlog.db');
  const reported: unknown[] = [];
  const log = await openAuditLog({
    store: await SqliteStore.open({ file }),
    onSelfAuditPending: (error) => reported.push(error),
  });
  try {
    const db = new Database(file);
    db.exec('ALTER TABLE audit_outbox RENAME TO audit_outbox_gone');
    db.close();
    await expect(log.outbox.drain()).rejects.toThrow(/audit_outbox/);
    // The first retry would come 1 s after a run that left something pending.
    await new Promise((r) => setTimeout(r, 1_500));
    expect(reported).toEqual([]);
  } finally {
    await log.close();
  }
});
