// `auditlog export --db FILE` with no file there (a mistyped path): exit 2 naming the file, and nothing is
// created. It created an empty database, its directory and a new signing key, then said the tenant held no
// entries. Real SQLite files, the built CLI.
import { existsSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp-dir.js';
import { sampleEvent } from '../helpers/test-server.js';

const dir = tempDir();
afterAll(() => dir.remove());

describe('auditlog export on a missing SQLite file', () => {
  it('is exit 2 naming the file, and creates no database, directory or key', async () => {
    const missing = dir.file('typo/audit.db');
    const res = await runCli(['export', '--db', missing]);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain(`no store at ${missing}`);
    expect(res.stderr).not.toMatch(/holds no entries|\n\s+at /);
    expect(existsSync(missing)).toBe(false);
    expect(existsSync(`${missing}.signing-key.pem`)).toBe(false);
    expect(existsSync(dir.file('typo'))).toBe(false);
  });

  it('still exports an existing file', async () => {
    const db = dir.file('ok.db');
    const file = dir.file('ok.ndjson');
    writeFileSync(file, `${JSON.stringify(sampleEvent({ id: 'x-1' }))}\n`);
    expect((await runCli(['import', file, '--db', db])).code).toBe(0);
    const res = await runCli(['export', '--db', db, '--format', 'csv']);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toContain('x-1');
  });
});
