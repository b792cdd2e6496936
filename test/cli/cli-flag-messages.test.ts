// Flag and file mistakes are usage errors (exit 2) named as the flag or file they are, before a store is
// opened: a bad export flag was reported only once the tenant had entries, and then as a "Query parameter";
// a JSON file that is no proof was a FAILED verification (exit 1); a bad key printed OpenSSL's words.
import { existsSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp-dir.js';

const dir = tempDir();
afterAll(() => dir.remove());

describe('CLI usage messages', () => {
  it('export names a bad flag as the flag, on an empty or missing store alike', async () => {
    const db = dir.file('none.db');
    const cases: [string[], string][] = [
      [['--format', 'xml'], 'auditlog: --format must be ndjson or csv'],
      [['--from', 'yesterday'], 'auditlog: --from must be an RFC 3339 date-time'],
      [['--order', 'sideways'], 'auditlog: --order must be asc or desc'],
    ];
    for (const [args, message] of cases) {
      const r = await runCli(['export', '--db', db, ...args]);
      expect({ args, code: r.code }).toEqual({ args, code: 2 });
      expect(r.stderr).toContain(message);
      expect(r.stderr).not.toContain('Query parameter');
    }
    expect(existsSync(db)).toBe(false);
  });

  it('verify --proof: a JSON file of another kind and an unreadable key are exit 2', async () => {
    const other = dir.file('other.json');
    writeFileSync(other, '{}');
    const r = await runCli(['verify', '--proof', other, '--public-key', 'garbage']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${other} is not an auditlog proof file`);
    expect(r.stdout).toBe('');
    const shaped = dir.file('shaped.json');
    writeFileSync(shaped, '{"format":"auditlog-proof/v1"}');
    const key = await runCli(['verify', '--proof', shaped, '--public-key', 'garbage']);
    expect(key.code).toBe(2);
    expect(key.stderr).toContain('The log key is neither a PEM public key nor a verifier key');
    expect(key.stderr).not.toMatch(/DECODER|error:[0-9A-F]{8}/);
  });

  it('erase refuses an actor id together with --list', async () => {
    const r = await runCli(['erase', 'usr_x', '--list', '--db', dir.file('erase.db')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Give the actor id to erase, or --list, not both');
    expect(existsSync(dir.file('erase.db'))).toBe(false);
  });
});
