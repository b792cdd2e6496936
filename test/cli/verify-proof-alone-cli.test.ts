// `auditlog verify --proof P --file EXPORT` checked the proof alone and said OK (exit 0) even when the export
// had been altered: the --file was silently skipped. A flag given beside --proof is now exit 2 naming it.
// Real SQLite file, the built CLI.
import { createPublicKey } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp-dir.js';
import { sampleEvent } from '../helpers/test-server.js';

const dir = tempDir();
const db = dir.file('log.db');
const key = dir.file('log.pem');
const proof = dir.file('p.json');
const altered = dir.file('altered.ndjson');

beforeAll(async () => {
  const input = dir.file('in.ndjson');
  writeFileSync(input, `${[1, 2].map((i) => JSON.stringify(sampleEvent({ id: `e-${i}` }))).join('\n')}\n`);
  expect((await runCli(['import', input, '--db', db])).code).toBe(0);
  writeFileSync(
    key,
    createPublicKey(readFileSync(`${db}.signing-key.pem`, 'utf8')).export({ type: 'spki', format: 'pem' }),
  );
  expect((await runCli(['prove', 'e-2', '--db', db, '--out', proof])).code).toBe(0);
  const exported = await runCli(['export', '--db', db]);
  writeFileSync(altered, exported.stdout.replace('Jane Admin', 'Jane Admln'));
});
afterAll(() => dir.remove());

describe('auditlog verify --proof beside other flags', () => {
  it('refuses --file beside --proof (an altered export said OK)', async () => {
    const res = await runCli(['verify', '--proof', proof, '--public-key', key, '--file', altered]);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('--proof checks the proof file alone: run --file as a separate verify');
    expect(res.stdout).not.toContain('OK');
  });

  it('names each other flag given', async () => {
    const res = await runCli(['verify', '--proof', proof, '--public-key', key, '--db', db, '--merkle']);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('run --db, --merkle as a separate verify');
  });

  it('still checks a proof alone, and the altered export alone fails', async () => {
    expect((await runCli(['verify', '--proof', proof, '--public-key', key])).code).toBe(0);
    expect((await runCli(['verify', '--file', altered])).code).toBe(1);
  });
});
