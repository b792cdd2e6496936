// `auditlog prove --consistency OLD NEW` checks each note it reads against the log's key and the store's
// tree: a forged note (edited size or root, a bad, missing or foreign signature, a root the store does not
// have) is exit 1 naming the file, and no proof is written. It used to check neither note's signature and
// wrote a proof file joining the forged note, which only a later `verify --proof` refused.
import { createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkpointBody, parseNote, signNote } from '../../src/core/domain/merkle/signed-note.js';
import { openAuditLog } from '../../src/core/services/audit-log.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp-dir.js';
import { sampleEvent } from '../helpers/test-server.js';

const dir = tempDir();
const db = dir.file('log.db');
const pem = () =>
  generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const logKey = pem();
const env = { AUDITLOG_SIGNING_KEY: logKey };
const saved = { old: '', new: '' };

beforeAll(async () => {
  const log = await openAuditLog({ store: await SqliteStore.open({ file: db }), signingKey: logKey });
  await log.appendEvents('default', { events: [sampleEvent({ id: 'e-1' }), sampleEvent({ id: 'e-2' })] });
  saved.old = (await log.merkle.checkpoint('default')).note;
  await log.appendEvents('default', { events: [sampleEvent({ id: 'e-3' })] });
  saved.new = (await log.merkle.checkpoint('default')).note;
  await log.close();
  writeFileSync(dir.file('old.note'), saved.old);
  writeFileSync(dir.file('new.note'), saved.new);
});
afterAll(() => dir.remove());

/** The note's body and signature block. */
function split(note: string): { body: string; sigs: string } {
  const at = note.lastIndexOf('\n\n');
  return { body: note.slice(0, at + 1), sigs: note.slice(at + 1) };
}

function forgeries(note: string): Record<string, string> {
  const { body, sigs } = split(note);
  const [origin, size, root] = body.split('\n') as [string, string, string];
  const other = split(note === saved.old ? saved.new : saved.old).body.split('\n')[2]!;
  const sig = sigs.trimEnd();
  const flipped = sig.slice(0, -3) + (sig.at(-3) === 'A' ? 'B' : 'A') + sig.slice(-2);
  return {
    'edited size': `${origin}\n${Number(size) - 1}\n${root}\n${sigs}`,
    'edited root': `${origin}\n${size}\n${other}\n${sigs}`,
    'bad signature': `${body}${flipped}\n`,
    'no signature': body,
    'no signature lines': `${body}\n`,
    'another key': signNote(body, origin, parseKey(pem())),
  };
}

const parseKey = (text: string) => createPrivateKey(text);

async function prove(oldNote: string, newNote: string, name: string) {
  const a = dir.file(`${name}-old.note`);
  const b = dir.file(`${name}-new.note`);
  const out = dir.file(`${name}.proof.json`);
  writeFileSync(a, oldNote);
  writeFileSync(b, newNote);
  const res = await runCli(['prove', '--consistency', a, b, '--db', db, '--out', out], env);
  return { ...res, a, b, wrote: existsSync(out) };
}

describe('auditlog prove --consistency refuses a forged note', () => {
  it('the genuine notes still give a proof that verifies', async () => {
    const res = await prove(saved.old, saved.new, 'genuine');
    expect(res.code, res.stderr).toBe(0);
    const key = dir.file('log.pem');
    writeFileSync(key, logKey);
    const check = await runCli(['verify', '--proof', dir.file('genuine.proof.json'), '--public-key', key]);
    expect(check.code, check.stdout + check.stderr).toBe(0);
  });

  for (const which of ['old', 'new'] as const)
    it(`the ${which.toUpperCase()} note: edited, unsigned, signed by another key`, async () => {
      for (const [kind, forged] of Object.entries(forgeries(saved[which]))) {
        const name = `${which}-${kind.replaceAll(' ', '-')}`;
        const res =
          which === 'old' ? await prove(forged, saved.new, name) : await prove(saved.old, forged, name);
        const file = which === 'old' ? res.a : res.b;
        expect(res.code, `${kind}: ${res.stderr}`).toBe(1);
        expect(res.stderr, kind).toMatch(/^auditlog: /);
        expect(res.stderr, kind).toContain(file);
        expect(res.stderr, kind).toMatch(
          /is not signed by this log's key auditlog\/default\+[0-9a-f]{8}\+|is a checkpoint without a signature/,
        );
        expect(res.wrote, kind).toBe(false);
      }
    });

  it('against a smaller store with the same key, says the newer note is of more entries than it holds', async () => {
    const smaller = dir.file('smaller.db');
    const log = await openAuditLog({ store: await SqliteStore.open({ file: smaller }), signingKey: logKey });
    await log.appendEvents('default', { events: [sampleEvent({ id: 'x-1' })] });
    await log.close();
    const res = await runCli(
      ['prove', '--consistency', dir.file('old.note'), dir.file('new.note'), '--db', smaller],
      env,
    );
    expect(res.code, res.stderr).toBe(2);
    expect(res.stderr).toMatch(/new\.note is a checkpoint of 3 entries, more than tenant default's log/);
  });

  it("a note signed with the log's key whose root the store's tree does not have (a fork) is refused", async () => {
    const { body } = split(saved.old);
    const [origin, size] = body.split('\n') as [string, string];
    const fork = signNote(
      checkpointBody({ origin, size: Number(size), rootHash: Buffer.alloc(32, 7) }),
      origin,
      parseKey(logKey),
    );
    expect(parseNote(fork)).toBeDefined();
    const res = await prove(fork, saved.new, 'fork');
    expect(res.code, res.stderr).toBe(1);
    expect(res.stderr).toMatch(
      /fork-old\.note is signed by this log, but the store's tree of size 2 has another root/,
    );
    expect(res.wrote).toBe(false);
    expect(readFileSync(dir.file('fork-old.note'), 'utf8')).toBe(fork);
  });
});
