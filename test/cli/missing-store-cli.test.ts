// Commands that read or change an existing log refuse a SQLite file that is not there (a mistyped path): exit
// 2 naming it, and no database, directory or signing key is created. They created an empty store and a new
// key, then answered that the tenant held no entries. Revoking a revoked token says so. Real SQLite files,
// the built CLI.
import { existsSync, writeFileSync } from 'node:fs';
import { afterAll, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp-dir.js';
import { sampleEvent } from '../helpers/test-server.js';

const dir = tempDir();
afterAll(() => dir.remove());

it.each([
  [['export'], 'export reads an existing log'],
  [['token', 'list'], 'token list reads an existing log'],
  [['token', 'revoke', 'abc'], 'token revoke changes an existing log'],
  [['erase', 'usr_1'], 'erase works on an existing log'],
  [['erase', '--list'], 'erase works on an existing log'],
])(
  '%j on a missing --db is exit 2 naming it, and creates no database, directory or key',
  async (args, why) => {
    const folder = dir.file(`missing-${args.join('-')}`);
    const file = `${folder}/audit.db`;
    const result = await runCli([...args, '--db', file]);
    expect(result.stderr).toContain(`no store at ${file}: ${why}`);
    expect(result.stderr).not.toMatch(/holds no entries|\n\s+at /);
    expect(result.code).toBe(2);
    expect(existsSync(file)).toBe(false);
    expect(existsSync(`${file}.signing-key.pem`)).toBe(false);
    expect(existsSync(folder)).toBe(false);
  },
);

it('export still exports an existing file', async () => {
  const db = dir.file('ok.db');
  const file = dir.file('ok.ndjson');
  writeFileSync(file, `${JSON.stringify(sampleEvent({ id: 'x-1' }))}\n`);
  expect((await runCli(['import', file, '--db', db])).code).toBe(0);
  const res = await runCli(['export', '--db', db, '--format', 'csv']);
  expect(res.code, res.stderr).toBe(0);
  expect(res.stdout).toContain('x-1');
});

it('revoking a token twice: the second says it was already revoked', async () => {
  const db = dir.file('tokens.db');
  const created = await runCli(['token', 'create', '--tenant', 't1', '--scopes', 'read', '--db', db]);
  expect(created.code).toBe(0);
  const id = /token (\S+) for tenant t1/.exec(created.stderr)![1]!;
  const first = await runCli(['token', 'revoke', id, '--db', db]);
  expect([first.code, first.stderr.trim()]).toEqual([0, `token ${id} revoked`]);
  const second = await runCli(['token', 'revoke', id, '--db', db]);
  expect([second.code, second.stderr.trim()]).toEqual([0, `token ${id} was already revoked`]);
});
