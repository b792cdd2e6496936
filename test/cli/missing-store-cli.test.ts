// Commands that read or change an existing log refuse a SQLite file that is not there (exit 2 naming it)
// instead of creating an empty store with a new signing key; revoking a revoked token says so.
import { existsSync } from 'node:fs';
import { afterAll, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp-dir.js';

const dir = tempDir();
afterAll(() => dir.remove());

it.each([
  [['token', 'list'], 'token list reads an existing log'],
  [['token', 'revoke', 'abc'], 'token revoke changes an existing log'],
  [['erase', 'usr_1'], 'erase works on an existing log'],
  [['erase', '--list'], 'erase works on an existing log'],
])('%j on a missing --db is exit 2 naming it, and creates nothing', async (args, why) => {
  const file = dir.file(`missing-${args.join('-')}/audit.db`);
  const result = await runCli([...args, '--db', file]);
  expect(result.stderr).toContain(`no store at ${file}: ${why}`);
  expect(result.code).toBe(2);
  expect(existsSync(file)).toBe(false);
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
