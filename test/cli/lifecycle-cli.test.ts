// `auditlog retention`, `auditlog hold` and `auditlog purge` on a real file, then `auditlog verify` on it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openAuditLog } from '../../src/core/services/audit-log.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp-dir.js';

const dir = tempDir('auditlog-lifecycle-cli-');
const db = dir.file('auditlog.db');
const ago = (days: number) => new Date(Date.now() - days * 86_400_000).toISOString();

beforeAll(async () => {
  const log = await openAuditLog({ store: await SqliteStore.open({ file: db }) });
  await log.appendEvents('acme', {
    events: ['u-1', 'u-2', 'u-3'].map((actor, i) => ({
      id: `old-${i}`,
      occurredAt: ago(500),
      actor: { id: actor },
      action: 'update',
      category: 'bulk',
      target: { type: 'LeadList', id: 'l' },
    })),
  });
  await log.close();
});
afterAll(() => dir.remove());

describe('auditlog purge', () => {
  it('purges what a policy expires, keeps what a hold covers, and the file still verifies', async () => {
    const set = await runCli([
      'retention',
      'set',
      '--db',
      db,
      '--tenant',
      'acme',
      '--category',
      'bulk',
      '--days',
      '365',
    ]);
    expect(set.stdout).toBe('acme\tevent\tbulk\t365 days\n');
    const hold = await runCli([
      'hold',
      'create',
      '--db',
      db,
      '--tenant',
      'acme',
      '--reason',
      'case 1',
      '--actor',
      'u-2',
    ]);
    expect(hold.code).toBe(0);
    expect(hold.stdout).toMatch(/\tacme\tactive\tactor=u-2\tcase 1\n$/);
    const purge = await runCli(['purge', '--db', db, '--step', '1']);
    expect(purge.code).toBe(0);
    expect(purge.stdout).toMatch(
      /^acme: 2 entries purged in 2 signed step\(s\), 1 kept by legal holds; anchor checkpoint acme@5\n/,
    );
    const verify = await runCli(['verify', '--db', db]);
    expect(verify.code).toBe(0);
    expect(verify.stdout).toMatch(
      /^OK \d+ entries in 1 tenant\(s\) intact; 2 purged entries \(signed purges; acme seqs 1, 3\)/,
    );
    const bad = await runCli(['retention', 'set', '--db', db, '--tenant', 'acme', '--days', 'ten']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--days must be a whole number/);
    // An invalid hold says which field is wrong, as the API's 400 does, not only that it is invalid.
    const badHold = await runCli([
      'hold',
      'create',
      '--db',
      db,
      '--tenant',
      'acme',
      '--reason',
      'r',
      '--from',
      '2025-01-01',
    ]);
    expect(badHold.code).toBe(2);
    expect(badHold.stderr).toMatch(/\n {2}\/\w+: .+/);
    // A released hold stays listed with --all, with who released it and when (lifecycle.md).
    const holdId = hold.stdout.split('\t')[0]!;
    const released = await runCli(['hold', 'release', holdId, '--db', db, '--tenant', 'acme']);
    expect(released.code).toBe(0);
    const all = await runCli(['hold', 'list', '--db', db, '--tenant', 'acme', '--all']);
    expect(all.stdout).toMatch(
      new RegExp(`^${holdId}\tacme\treleased \\S+ by cli:\\S+\tactor=u-2\tcase 1$`, 'm'),
    );
  });
});
