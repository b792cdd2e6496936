import { existsSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { generateSigningKey } from '../../src/core/domain/signing.js';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp-dir.js';
import { sampleEvent } from '../helpers/test-server.js';

const dir = tempDir();
afterAll(() => dir.remove());

describe('commands that sign use AUDITLOG_SIGNING_KEY', () => {
  it('import signs its checkpoints and export its end line with the configured key, and keeps no other', async () => {
    const db = dir.file('keyed.db');
    const key = generateSigningKey();
    const env = { AUDITLOG_SIGNING_KEY: key.privatePem };
    const file = dir.file('in.ndjson');
    const events = Array.from({ length: 1200 }, (_, i) => JSON.stringify(sampleEvent({ id: `k-${i}` })));
    writeFileSync(file, `${events.join('\n')}\n`);
    expect((await runCli(['import', file, '--db', db], env)).code).toBe(0);
    const exported = await runCli(['export', '--db', db], env);
    expect(exported.code).toBe(0);
    const out = dir.file('out.ndjson');
    writeFileSync(out, exported.stdout);
    const pub = dir.file('pub.pem');
    writeFileSync(pub, key.key.publicKeyPem);
    // Only the configured key: every checkpoint and the end line must be its.
    const fromFile = await runCli(['verify', '--file', out, '--public-key', pub]);
    expect(fromFile.stdout).toMatch(/^OK .*: 1,200 events intact/);
    const fromDb = await runCli(['verify', '--db', db, '--public-key', pub]);
    expect(fromDb.stdout).toMatch(/^OK /);
    // Before, these commands made a key of their own next to the database.
    expect(existsSync(`${db}.signing-key.pem`)).toBe(false);
  });
});
