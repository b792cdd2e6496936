// `auditlog verify --proof` on a proof file whose members are missing or of the wrong type: exit 2 naming
// the member and what it must be (it leaked `Cannot read properties of undefined` TypeErrors, exit 1). A
// valid proof still passes and a tampered one still FAILs (exit 1). Real SQLite file, the built CLI.
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
const key = dir.file('log.pem');
const proofFile = dir.file('e-2.proof.json');
let proof: Record<string, unknown>;
let consistency: Record<string, unknown>;

beforeAll(async () => {
  const log = await openAuditLog({ store: await SqliteStore.open({ file: db }) });
  await log.appendEvents('default', { events: [sampleEvent({ id: 'e-1' }), sampleEvent({ id: 'e-2' })] });
  await log.close();
  const signing = readFileSync(`${db}.signing-key.pem`, 'utf8');
  writeFileSync(key, createPublicKey(signing).export({ type: 'spki', format: 'pem' }));
  const res = await runCli(['prove', 'e-2', '--db', db, '--out', proofFile]);
  expect(res.code, res.stderr).toBe(0);
  proof = JSON.parse(readFileSync(proofFile, 'utf8'));
  consistency = {
    format: 'auditlog-consistency/v1',
    from: proof.checkpoint,
    to: proof.checkpoint,
    proof: [],
  };
});
afterAll(() => dir.remove());

const verify = async (name: string, content: unknown) => {
  const file = dir.file(`${name}.json`);
  writeFileSync(file, JSON.stringify(content));
  return { file, ...(await runCli(['verify', '--proof', file, '--public-key', key])) };
};

describe('auditlog verify --proof: the file is checked member by member first', () => {
  const entry = (p: Record<string, unknown>) => p.entry as Record<string, unknown>;
  const cases: [string, () => unknown, string][] = [
    ['format only', () => ({ format: 'auditlog-proof/v1' }), '/checkpoint is missing (expected a string'],
    [
      'checkpoint null',
      () => ({ ...proof, checkpoint: null }),
      '/checkpoint must be a string (the signed note), not null',
    ],
    [
      'checkpoint 42',
      () => ({ ...proof, checkpoint: 42 }),
      '/checkpoint must be a string (the signed note), not number 42',
    ],
    [
      'inclusionProof "abc"',
      () => ({ ...proof, inclusionProof: 'abc' }),
      '/inclusionProof must be an array of hex strings, not the string "abc"',
    ],
    [
      'inclusionProof [123]',
      () => ({ ...proof, inclusionProof: [123] }),
      '/inclusionProof/0 must be a string of hex digits, not number 123',
    ],
    ['entry null', () => ({ ...proof, entry: null }), '/entry must be an object, not null'],
    ['entry an array', () => ({ ...proof, entry: [] }), '/entry must be an object, not an array'],
    [
      'entry.body missing',
      () => ({ ...proof, entry: { ...entry(proof), body: undefined } }),
      '/entry/body is missing (expected a string)',
    ],
    [
      'entry.seq "2"',
      () => ({ ...proof, entry: { ...entry(proof), seq: '2' } }),
      '/entry/seq must be a whole number, not the string "2"',
    ],
    [
      'leafIndex 1.5',
      () => ({ ...proof, leafIndex: 1.5 }),
      '/leafIndex must be a whole number, not number 1.5',
    ],
    [
      'treeSize missing',
      () => ({ ...proof, treeSize: undefined }),
      '/treeSize is missing (expected a whole number)',
    ],
    [
      'consistency proof "x"',
      () => ({ ...consistency, proof: 'x' }),
      '/proof must be an array of hex strings, not the string "x"',
    ],
    [
      'consistency from null',
      () => ({ ...consistency, from: null }),
      '/from must be a string (the older signed note), not null',
    ],
    [
      'consistency to missing',
      () => ({ ...consistency, to: undefined }),
      '/to is missing (expected a string (the newer signed note))',
    ],
  ];
  it.each(cases)('%s: exit 2 naming the member', async (name, content, message) => {
    const r = await verify(name.replace(/\W+/g, '-'), content());
    expect(r.code, r.stderr).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`${r.file} is not a usable auditlog-`);
    expect(r.stderr).toContain(message);
    expect(r.stderr).not.toMatch(/Cannot read|TypeError|is not a function|undefined/);
  });

  it('a valid proof still passes, a tampered one still fails (exit 1), a consistency proof of one note passes', async () => {
    const ok = await runCli(['verify', '--proof', proofFile, '--public-key', key]);
    expect([ok.code, ok.stdout]).toEqual([
      0,
      expect.stringContaining('entry 2 is included in auditlog/default at size 2'),
    ]);
    const hash = String(entry(proof).hash);
    const tampered = await verify('tampered', {
      ...proof,
      entry: { ...entry(proof), hash: `${hash.slice(0, -1)}${hash.endsWith('0') ? '1' : '0'}` },
    });
    expect([tampered.code, tampered.stdout]).toEqual([1, expect.stringContaining('does not match its hash')]);
    const step = await verify('bad-step', { ...proof, inclusionProof: ['zz'] });
    expect([step.code, step.stdout]).toEqual([1, expect.stringContaining('is not in the signed tree')]);
    const same = await verify('consistency', consistency);
    expect(same.code, same.stderr).toBe(0);
  });
});
