// The spool holds events as recorded, secrets included: it is owner-only, and what is delivered leaves it
// within a second (the first time at once) rather than when a 4 MiB segment fills.
import { chmodSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditClient } from '../../packages/sdk/src/index.js';
import { tempDir } from '../helpers/temp-dir.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
import { adminEvent } from './sdk-helpers.js';

const mode = (path: string) => statSync(path).mode & 0o777;
const SECRET = 'hunter2-do-not-keep-me';

/** Every byte of every file in the directory, as text. */
const contents = (dir: string) =>
  readdirSync(dir)
    .map((name) => readFileSync(join(dir, name), 'utf8'))
    .join('\n');

describe('the spool on disk', () => {
  let server: TestServer;
  let token: string;
  const dir = tempDir('auditlog-sdk-private-');

  beforeAll(async () => {
    server = await startTestServer();
    token = await server.token('default', ['ingest'], 'platform');
  });
  afterAll(async () => {
    await server?.close();
    dir.remove();
  });

  it('is a 0700 directory of 0600 files, and a delivered secret is gone from it', async () => {
    const spoolDir = dir.file('new/spool');
    const client = await AuditClient.open({ url: server.url, token, spoolDir });
    await client.record(adminEvent(1, { newValue: { password: SECRET } }));
    expect(contents(spoolDir)).toContain(SECRET);
    expect(mode(spoolDir)).toBe(0o700);
    for (const name of readdirSync(spoolDir)) expect(mode(join(spoolDir, name)), name).toBe(0o600);
    await client.flush(10_000);
    expect(contents(spoolDir)).not.toContain(SECRET);
    expect(client.pendingBytes).toBe(0);
    // Recording goes on after the delivered segment was retired, and is delivered too.
    await client.record(adminEvent(2, { newValue: { password: `${SECRET}-2` } }));
    await client.flush(10_000);
    // Segments are retired at most once a second (each costs a file and a directory fsync).
    await expect
      .poll(() => contents(spoolDir).includes(SECRET), { timeout: 3000, interval: 100 })
      .toBe(false);
    await client.close();
    for (const name of readdirSync(spoolDir)) expect(mode(join(spoolDir, name)), name).toBe(0o600);
  });

  it('tightens an existing world-readable spool on open', async () => {
    const spoolDir = dir.file('loose');
    mkdirSync(spoolDir, { mode: 0o755 });
    chmodSync(spoolDir, 0o755);
    writeFileSync(join(spoolDir, 'dead-letters.ndjson'), '', { mode: 0o644 });
    chmodSync(join(spoolDir, 'dead-letters.ndjson'), 0o644);
    writeFileSync(join(spoolDir, 'README.txt'), 'not the spool’s', { mode: 0o644 });
    chmodSync(join(spoolDir, 'README.txt'), 0o644);
    const client = await AuditClient.open({ url: server.url, token, spoolDir });
    expect(mode(spoolDir)).toBe(0o700);
    expect(mode(join(spoolDir, 'dead-letters.ndjson'))).toBe(0o600);
    expect(mode(join(spoolDir, 'README.txt')), 'a file the spool does not write is left alone').toBe(0o644);
    await client.close();
  });
});
