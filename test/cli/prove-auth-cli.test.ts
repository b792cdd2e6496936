// `auditlog prove --auth`: a proof file for one authentication event, from a real SQLite file, checked
// offline by `auditlog verify --proof`; without --auth the id is looked up among administrative events.
import { createPublicKey } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openAuditLog } from '../../src/core/services/audit-log.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp-dir.js';
import { sampleEvent } from '../helpers/test-server.js';

const dir = tempDir();
const db = dir.file('log.db');

beforeAll(async () => {
  const log = await openAuditLog({ store: await SqliteStore.open({ file: db }) });
  await log.appendEvents('default', { events: [sampleEvent({ id: 'e-1' }), sampleEvent({ id: 'e-2' })] });
  await log.auth.append('default', {
    id: 'login-7',
    type: 'login_success',
    user: { id: 'u-1', username: 'ada' },
    method: 'password',
    sessionId: 's-7',
    ip: '192.0.2.7',
  });
  await log.appendEvents('default', { events: [sampleEvent({ id: 'e-3' })] });
  await log.close();
});
afterAll(() => dir.remove());

describe('auditlog prove --auth', () => {
  it('writes a proof of the sign-in that verify --proof accepts, and fails once its body is altered', async () => {
    const out = dir.file('login-7.proof.json');
    const res = await runCli(['prove', 'login-7', '--auth', '--db', db, '--out', out]);
    expect(res.code, res.stderr).toBe(0);
    const bundle = JSON.parse(readFileSync(out, 'utf8'));
    expect(bundle.entry).toMatchObject({ stream: 'auth', seq: 3 });
    const key = dir.file('log.pem');
    writeFileSync(
      key,
      createPublicKey(readFileSync(`${db}.signing-key.pem`, 'utf8')).export({ type: 'spki', format: 'pem' }),
    );
    const ok = await runCli(['verify', '--proof', out, '--public-key', key]);
    expect([ok.code, ok.stdout]).toEqual([
      0,
      expect.stringContaining('entry 3 is included in auditlog/default at size 4'),
    ]);
    const altered = dir.file('altered.json');
    writeFileSync(
      altered,
      JSON.stringify({
        ...bundle,
        entry: { ...bundle.entry, body: bundle.entry.body.replace('ada', 'eve') },
      }),
    );
    const failed = await runCli(['verify', '--proof', altered, '--public-key', key]);
    expect([failed.code, failed.stdout]).toEqual([1, expect.stringContaining('does not match its hash')]);
  });

  it('--consistency takes notes saved with one line feed too many (as `jq -r .note` writes them)', async () => {
    const note = (id: string) => async () => {
      const res = await runCli(['prove', id, '--db', db]);
      expect(res.code, res.stderr).toBe(0);
      return JSON.parse(res.stdout).checkpoint as string;
    };
    const [a, b] = [await note('e-1')(), await note('e-3')()];
    const [fa, fb] = [dir.file('a.note'), dir.file('b.note')];
    writeFileSync(fa, `${a}\n`);
    writeFileSync(fb, `${b}\n\n`);
    const res = await runCli(['prove', '--consistency', fa, fb, '--db', db]);
    expect(res.code, res.stderr).toBe(0);
    expect(JSON.parse(res.stdout)).toMatchObject({ format: 'auditlog-consistency/v1', from: a, to: b });
  });

  it('looks the id up in its own stream: an authentication id is no administrative event', async () => {
    const res = await runCli(['prove', 'login-7', '--db', db]);
    expect(res.code).not.toBe(0);
    expect(res.stderr).toContain('Event login-7 not found');
    const auth = await runCli(['prove', 'e-1', '--auth', '--db', db]);
    expect(auth.stderr).toContain('Authentication event e-1 not found');
  });
});
