// The CLI's from/to options read bounds finer than a millisecond as the API does (rounded up, which is exact
// for millisecond times: test/server/time-bounds-precision.test.ts): `export --from …00.0005Z` leaves out an
// event at …00.000, `--to …00.0005Z` takes it in; `hold create` keeps the rounded bound. Both truncated.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openAuditLog } from '../../src/core/services/audit-log.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp-dir.js';
import { sampleEvent } from '../helpers/test-server.js';

const dir = tempDir();
const db = dir.file('log.db');
const T = '2026-06-01T09:00:00';

beforeAll(async () => {
  const log = await openAuditLog({ store: await SqliteStore.open({ file: db }) });
  const events = [0, 1].map((ms) => sampleEvent({ id: `at-${ms}`, occurredAt: `${T}.00${ms}Z` }));
  await log.appendEvents('default', { events });
  await log.close();
});
afterAll(() => dir.remove());

async function exported(args: string[]): Promise<string[]> {
  const res = await runCli(['export', '--db', db, '--category', 'telephony', ...args]);
  expect(res.code, res.stderr).toBe(0);
  return res.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l))
    .filter((l) => typeof l.id === 'string')
    .map((l) => l.id);
}

describe('CLI from/to finer than a millisecond', () => {
  it('export --from and --to are exact', async () => {
    expect(await exported(['--from', `${T}.0005Z`])).toEqual(['at-1']);
    expect(await exported(['--to', `${T}.0005Z`])).toEqual(['at-0']);
    expect(await exported(['--from', `${T}.0000Z`, '--to', `${T}.0010001Z`])).toEqual(['at-0', 'at-1']);
  });

  it('hold create keeps the bound rounded up', async () => {
    const res = await runCli([
      'hold',
      'create',
      '--db',
      db,
      '--tenant',
      'default',
      '--reason',
      'case 1',
      '--from',
      `${T}.0005Z`,
    ]);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout + res.stderr).toContain(`from=${T}.001Z`);
  });
});
