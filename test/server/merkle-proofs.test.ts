// The verifiable log through the real server: signed C2SP checkpoints, inclusion proofs of events, consistency
// between tree sizes, witness cosignatures; proof files checked offline by `auditlog verify --proof`.
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cosign } from '../../src/core/domain/merkle/cosignature.js';
import {
  checkConsistency,
  checkSignedCheckpoint,
  type ProofBundle,
  verifyProofBundle,
} from '../../src/core/domain/merkle/proof-bundle.js';
import { COSIGNATURE_TYPE, parseNote, verifierKey } from '../../src/core/domain/merkle/signed-note.js';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp-dir.js';
import { json, sampleEvent, startTestServer, type TestServer } from '../helpers/test-server.js';

let server: TestServer;
const dir = tempDir();
const get = async (path: string) => {
  const res = await server.request(path);
  return { status: res.status, body: await json(res) };
};

beforeAll(async () => {
  server = await startTestServer();
  const events = Array.from({ length: 40 }, (_, i) => sampleEvent({ id: `m-${i}`, newValue: { n: i } }));
  expect(
    (await server.request('/v1/events', { method: 'POST', json: { events: events.slice(0, 25) } })).status,
  ).toBe(201);
  const auth = {
    id: 'signin-1',
    type: 'login_failure',
    user: { username: 'x' },
    reason: 'bad_password',
    ip: '192.0.2.9',
  };
  expect((await server.request('/v1/auth-events', { method: 'POST', json: auth })).status).toBe(201);
  expect(
    (await server.request('/v1/events', { method: 'POST', json: { events: events.slice(25) } })).status,
  ).toBe(201);
});
afterAll(async () => {
  await server?.close();
  dir.remove();
});

const publicKey = () => createPublicKey(server.log.checkpoints.publicKeyPem);

describe('checkpoints and proofs', () => {
  it('signs the whole log as a C2SP note the log key verifies', async () => {
    const { status, body } = await get('/v1/integrity/merkle/checkpoint');
    expect(status).toBe(200);
    expect(body).toMatchObject({ origin: 'auditlog/default', treeSize: 41, cosignatures: [] });
    const check = checkSignedCheckpoint(body.note, createPublicKey(body.publicKey));
    expect(check.ok && check.head.rootHash.toString('hex')).toBe(body.rootHash);
    expect(body.note.split('\n').slice(0, 3)).toEqual([
      'auditlog/default',
      '41',
      Buffer.from(body.rootHash, 'hex').toString('base64'),
    ]);
  });

  it('proves every event in the whole log and in an older tree; the entry is the stored one', async () => {
    for (const id of ['m-0', 'm-24', 'm-25', 'm-39']) {
      const { status, body } = await get(`/v1/integrity/merkle/proofs/events/${id}`);
      expect(status).toBe(200);
      expect(JSON.parse(body.entry.body).id).toBe(id);
      expect(verifyProofBundle(body, publicKey())).toMatchObject({ ok: true });
    }
    const older = await get('/v1/integrity/merkle/proofs/events/m-3?treeSize=7');
    expect(older.body.treeSize).toBe(7);
    expect(verifyProofBundle(older.body, publicKey())).toMatchObject({ ok: true });
  });

  it('proves an authentication event by id: a leaf of the same tree, hashed as the auth stream', async () => {
    const { status, body } = await get('/v1/integrity/merkle/proofs/auth-events/signin-1');
    expect(status).toBe(200);
    expect(body).toMatchObject({ entry: { stream: 'auth', seq: 26 }, leafIndex: 25, treeSize: 41 });
    expect(JSON.parse(body.entry.body)).toMatchObject({ type: 'login_failure', reason: 'bad_password' });
    expect(verifyProofBundle(body, publicKey())).toMatchObject({ ok: true });
    // The same bytes claimed as an administrative event hash differently: the proof no longer holds.
    const asEvent = { ...body, entry: { ...body.entry, stream: 'event' } };
    expect(verifyProofBundle(asEvent, publicKey())).toMatchObject({ ok: false });
    const older = await get('/v1/integrity/merkle/proofs/auth-events/signin-1?treeSize=26');
    expect(verifyProofBundle(older.body, publicKey())).toMatchObject({ ok: true });
    // Each route finds its own stream only.
    expect((await get('/v1/integrity/merkle/proofs/events/signin-1')).status).toBe(404);
    expect((await get('/v1/integrity/merkle/proofs/auth-events/m-0')).status).toBe(404);
    const early = await get('/v1/integrity/merkle/proofs/auth-events/signin-1?treeSize=25');
    expect([early.status, early.body.error.message]).toEqual([400, expect.stringContaining('treeSize')]);
    // Query parameters out of range are invalid_query errors naming the parameter, as everywhere else.
    expect(early.body.error).toMatchObject({ code: 'invalid_query', details: [{ path: '/treeSize' }] });
    const beyond = await get('/v1/integrity/merkle/checkpoint?treeSize=999999');
    expect(beyond.body.error).toMatchObject({ code: 'invalid_query', details: [{ path: '/treeSize' }] });
    const backwards = await get('/v1/integrity/merkle/consistency?from=5&to=3');
    expect(backwards.body.error).toMatchObject({ code: 'invalid_query', details: [{ path: '/from' }] });
  });

  it('refuses an altered, moved or re-proven entry, and a proof against another checkpoint', async () => {
    const bundle: ProofBundle = (await get('/v1/integrity/merkle/proofs/events/m-10')).body;
    const other: ProofBundle = (await get('/v1/integrity/merkle/proofs/events/m-11')).body;
    const altered = {
      ...bundle,
      entry: { ...bundle.entry, body: bundle.entry.body.replace('"n":10', '"n":11') },
    };
    const swapped = { ...bundle, inclusionProof: [...bundle.inclusionProof].reverse() };
    const moved = {
      ...bundle,
      leafIndex: bundle.leafIndex + 1,
      entry: { ...bundle.entry, seq: bundle.entry.seq + 1 },
    };
    const older = (await get('/v1/integrity/merkle/checkpoint?treeSize=30')).body.note;
    for (const [bad, reason] of [
      [altered, 'does not match its hash'],
      [swapped, 'is not in the signed tree'],
      [moved, 'does not match its hash'],
      [{ ...bundle, entry: other.entry, leafIndex: other.leafIndex }, 'is not in the signed tree'],
      [{ ...bundle, checkpoint: older }, 'the checkpoint is of size 30'],
      [{ ...bundle, checkpoint: bundle.checkpoint.replace('\n41\n', '\n42\n') }, 'not signed by this key'],
    ] as const) {
      const check = verifyProofBundle(bad as ProofBundle, publicKey());
      expect(check.ok ? 'verified' : check.reason).toContain(reason);
    }
  });

  it('proves each older tree a prefix of the newest, and refuses a shrinking or forked one', async () => {
    const newest = (await get('/v1/integrity/merkle/checkpoint')).body;
    const key = publicKey();
    const head = (note: string) => {
      const c = checkSignedCheckpoint(note, key);
      if (!c.ok) throw new Error(c.reason);
      return c.head;
    };
    for (const from of [1, 8, 13, 41]) {
      const old = (await get(`/v1/integrity/merkle/checkpoint?treeSize=${from}`)).body;
      const { status, body } = await get(`/v1/integrity/merkle/consistency?from=${from}&to=41`);
      expect(status).toBe(200);
      expect(checkConsistency(head(old.note), head(newest.note), body.proof)).toMatchObject({ ok: true });
    }
    const thirteen = head((await get('/v1/integrity/merkle/checkpoint?treeSize=13')).body.note);
    const proof = (await get('/v1/integrity/merkle/consistency?from=12&to=41')).body.proof;
    expect(checkConsistency(thirteen, head(newest.note), proof)).toMatchObject({ ok: false });
    expect(checkConsistency(head(newest.note), thirteen, [])).toMatchObject({
      ok: false,
      reason: expect.stringContaining('shrank'),
    });
    const forked = { ...thirteen, rootHash: Buffer.alloc(32, 7) };
    expect(checkConsistency(thirteen, forked, [])).toMatchObject({
      ok: false,
      reason: expect.stringContaining('fork'),
    });
  });

  it('answers 400 naming the parameter, and 404 for an unknown event', async () => {
    for (const [path, field] of [
      ['/v1/integrity/merkle/consistency?from=x', 'from'],
      ['/v1/integrity/merkle/consistency?from=5&to=99', 'to'],
      ['/v1/integrity/merkle/consistency?from=9&to=5', 'from'],
      ['/v1/integrity/merkle/checkpoint?treeSize=-1', 'treeSize'],
      ['/v1/integrity/merkle/proofs/events/m-39?treeSize=20', 'treeSize'],
    ] as const) {
      const { status, body } = await get(path);
      expect([path, status]).toEqual([path, 400]);
      expect(body.error.message).toContain(field);
      expect(body.error.details.map((d: { path: string }) => d.path)).toEqual([`/${field}`]);
    }
    expect((await get('/v1/integrity/merkle/proofs/events/nope')).status).toBe(404);
  });

  it('a `from` past the log names its size (it said "must be at most `to`" with `to` not given)', async () => {
    for (const path of [
      '/v1/integrity/merkle/consistency?from=42',
      '/v1/integrity/merkle/consistency?from=42&to=50',
    ]) {
      const { status, body } = await get(path);
      expect([path, status]).toEqual([path, 400]);
      expect(body.error.details).toEqual([{ path: '/from', message: 'the log has 41 entries, not 42' }]);
    }
    const backwards = await get('/v1/integrity/merkle/consistency?from=9&to=5');
    expect(backwards.body.error.details).toEqual([{ path: '/from', message: 'must be at most `to` (5)' }]);
  });
});

describe('witness cosignatures', () => {
  const witness = generateKeyPairSync('ed25519');
  const witnessKey = verifierKey('witness.example', witness.publicKey, COSIGNATURE_TYPE);

  it('keeps a valid cosignature and shows it with its checkpoint', async () => {
    const { note, treeSize } = (await get('/v1/integrity/merkle/checkpoint?treeSize=20')).body;
    const body = parseNote(note)!.body;
    const cosigned = note + cosign(body, 'witness.example', witness.privateKey, 1_800_000_000);
    const res = await server.request('/v1/integrity/merkle/cosignatures', {
      method: 'POST',
      json: { note: cosigned, witnessKey },
    });
    expect(res.status).toBe(201);
    expect(await json(res)).toMatchObject({ treeSize, witness: 'witness.example', time: 1_800_000_000 });
    const shown = (await get('/v1/integrity/merkle/checkpoint?treeSize=20')).body.cosignatures;
    expect(shown).toHaveLength(1);
    expect(`${note}${shown[0].line}\n`).toBe(cosigned);
  });

  it('refuses a bad key, a note of another tree, and a missing or forged cosignature (400 naming the field)', async () => {
    const { note } = (await get('/v1/integrity/merkle/checkpoint?treeSize=21')).body;
    const body = parseNote(note)!.body;
    const line = cosign(body, 'witness.example', witness.privateKey, 1_800_000_000);
    const forkedBody = body.replace(/\n[^\n]+\n$/, `\n${Buffer.alloc(32, 1).toString('base64')}\n`);
    const other = generateKeyPairSync('ed25519').privateKey;
    for (const [payload, field] of [
      [{ note: note + line, witnessKey: 'nope' }, 'witnessKey'],
      [{ note: note + line, witnessKey: verifierKey('witness.example', witness.publicKey) }, 'witnessKey'],
      [{ note: 'not a note', witnessKey }, 'note'],
      [{ note: `${forkedBody}\n${line}`, witnessKey }, 'note'],
      [{ note, witnessKey }, 'note'],
      [{ note: note + cosign(body, 'witness.example', other, 1_800_000_000), witnessKey }, 'note'],
    ] as const) {
      const res = await server.request('/v1/integrity/merkle/cosignatures', {
        method: 'POST',
        json: payload,
      });
      const answer = await json(res);
      expect([field, res.status]).toEqual([field, 400]);
      expect(answer.error.message).toContain(field);
    }
  });
});

describe('auditlog verify --proof (offline)', () => {
  it('checks a proof file and a consistency file with the PEM or verifier key, and fails a tampered one', async () => {
    const bundle = (await get('/v1/integrity/merkle/proofs/events/m-5')).body;
    const good = dir.file('proof.json');
    const bad = dir.file('tampered.json');
    const pem = dir.file('log.pem');
    writeFileSync(good, JSON.stringify(bundle));
    writeFileSync(bad, JSON.stringify({ ...bundle, inclusionProof: bundle.inclusionProof.slice(1) }));
    writeFileSync(pem, server.log.checkpoints.publicKeyPem);
    const ok = await runCli(['verify', '--proof', good, '--public-key', pem]);
    expect([ok.code, ok.stdout]).toEqual([
      0,
      expect.stringContaining('is included in auditlog/default at size 41'),
    ]);
    const failed = await runCli(['verify', '--proof', bad, '--public-key', pem]);
    expect([failed.code, failed.stdout]).toEqual([1, expect.stringContaining('FAILED')]);
    const vkey = (await get('/v1/integrity/merkle/checkpoint')).body.verifierKey;
    const consistency = dir.file('consistency.json');
    writeFileSync(
      consistency,
      JSON.stringify({
        format: 'auditlog-consistency/v1',
        from: (await get('/v1/integrity/merkle/checkpoint?treeSize=9')).body.note,
        to: (await get('/v1/integrity/merkle/checkpoint')).body.note,
        proof: (await get('/v1/integrity/merkle/consistency?from=9')).body.proof,
      }),
    );
    const extends_ = await runCli(['verify', '--proof', consistency, '--public-key', vkey]);
    expect([extends_.code, extends_.stdout]).toEqual([
      0,
      expect.stringContaining('extends the older checkpoint'),
    ]);
  });
});
