// Every AUDITLOG_* value `serve` reads is checked before the store is opened: a malformed one is exit 2 naming
// the variable, and no database file is created. Some were read later: the process then printed an error and
// idled for ever (no listener, no exit), or served with stream delivery silently off.
import { existsSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, startServerProcess } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp-dir.js';

const dir = tempDir();
afterAll(() => dir.remove());

const BAD: [string, string, RegExp][] = [
  ['AUDITLOG_FRAME_ANCESTORS', 'javascript:x', /AUDITLOG_FRAME_ANCESTORS: "javascript:x" is not an origin/],
  ['AUDITLOG_DELIVERY', 'maybe', /AUDITLOG_DELIVERY must be on or off/],
  ['AUDITLOG_TRUST_PROXY', '10.0.0.1, proxy.local', /AUDITLOG_TRUST_PROXY: "proxy.local" is not an address/],
  // A zone id was dropped: every interface's fe80::1 was trusted.
  ['AUDITLOG_TRUST_PROXY', 'fe80::1%eth0', /AUDITLOG_TRUST_PROXY: "fe80::1%eth0" .*no zone id/],
  ['AUDITLOG_DELIVERY_POLL_MS', '0', /AUDITLOG_DELIVERY_POLL_MS must be a positive integer up to 2147483647/],
  ['AUDITLOG_DELIVERY_POLL_MS', '99999999999', /AUDITLOG_DELIVERY_POLL_MS must be a positive integer/],
  ['AUDITLOG_DELIVERY_LEASE_MS', '-5', /AUDITLOG_DELIVERY_LEASE_MS must be a positive integer/],
  ['AUDITLOG_DELIVERY_MAX_FAILURES', 'abc', /AUDITLOG_DELIVERY_MAX_FAILURES must be a positive integer/],
  ['AUDITLOG_SQLITE_MMAP_MB', 'abc', /AUDITLOG_SQLITE_MMAP_MB must be a whole number of MiB/],
  ['AUDITLOG_KEYWORD_SCAN_LIMIT', '1.5', /AUDITLOG_KEYWORD_SCAN_LIMIT must be a positive integer/],
  ['LOG_LEVEL', 'loud', /LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent/],
  ['AUDITLOG_SIGNING_KEY', 'garbage', /AUDITLOG_SIGNING_KEY: The signing key cannot be read/],
  ['AUDITLOG_ERASURE_KEY', 'c2hvcnQ=', /AUDITLOG_ERASURE_KEY must be at least 32 bytes, base64/],
  [
    'AUDITLOG_PERSONAL_PATHS',
    '/x',
    /AUDITLOG_PERSONAL_PATHS: Personal data path "\/x" must be a JSON Pointer/,
  ],
  ['AUDITLOG_ENCRYPT_PERSONAL_DATA', 'yes', /AUDITLOG_ENCRYPT_PERSONAL_DATA must be 1, true, 0 or false/],
];

describe('auditlog serve settings', () => {
  it('refuses each malformed value with exit 2 naming it, before any store file exists', async () => {
    for (const [name, value, message] of BAD) {
      const db = dir.file(`${name}.db`);
      const r = await runCli(['serve', '--port', '0', '--db', db], { [name]: value });
      expect({ name, value, code: r.code }).toEqual({ name, value, code: 2 });
      expect(r.stderr).toMatch(message);
      expect(r.stdout).not.toContain('listening');
      expect(r.stdout).not.toContain('first admin token');
      expect(existsSync(db)).toBe(false);
    }
  });

  it('takes AUDITLOG_DELIVERY on and off in any case', async () => {
    for (const value of ['on', 'OFF']) {
      const server = await startServerProcess(['--db', dir.file(`delivery-${value}.db`)], {
        AUDITLOG_DELIVERY: value,
      });
      expect((await fetch(`${server.url}/livez`)).status).toBe(200);
      expect(await server.stop()).toBe(0);
    }
  });
});
