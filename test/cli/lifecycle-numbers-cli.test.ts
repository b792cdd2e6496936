import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp-dir.js';

const dir = tempDir('auditlog-lifecycle-numbers-cli-');
const db = dir.file('auditlog.db');

// A number out of range is exit 2 naming the flag and its range, not a schema path (/maxAgeDays)
// nor a silent clamp (--step 0 used to run with steps of 1).
describe('lifecycle CLI number flags', () => {
  it.each([
    [
      ['retention', 'set', '--tenant', 'acme', '--days', '0'],
      /--days must be a whole number from 1 to 36500/,
    ],
    [
      ['retention', 'set', '--tenant', 'acme', '--days', '99999999999'],
      /--days must be a whole number from 1 to 36500/,
    ],
    [['purge', '--step', '0'], /--step must be a whole number from 1 to 100000/],
  ])('%j is exit 2 naming the flag', async (args, message) => {
    const r = await runCli([...args, '--db', db]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).toBe('');
  });
});
