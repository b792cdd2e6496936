// The browser's proof check (web/src/integrity/verify-inclusion.ts) run in Node's WebCrypto, over one-entry
// logs signed by keys whose verifier key has a '+' in its base64 part and keys whose has none: the name, key id
// and key are split at the first two '+' only (the split at every '+' refused one key in two).
import { createHash, generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { entryLeafHash } from '../../../src/core/domain/merkle/merkle-hash.js';
import { checkpointBody, signNote, verifierKey } from '../../../src/core/domain/merkle/signed-note.js';
import { verifyInclusionInBrowser } from '../../../web/src/integrity/verify-inclusion.js';

const sha = (s: string) => createHash('sha256').update(s).digest('hex');

function oneEntryProof(privateKey: ReturnType<typeof generateKeyPairSync>['privateKey']) {
  const entry = {
    tenant: 'default',
    seq: 1,
    stream: 'event',
    receivedAt: '2026-12-05T10:00:00.000Z',
    prevHash: '0'.repeat(64),
    body: '{"id":"e1"}',
    hash: '',
  };
  const digest = sha(`${entry.stream}\n${entry.receivedAt}\n${entry.body}`);
  entry.hash = sha(`auditlog.v1\n${entry.tenant}\n${entry.seq}\n${entry.prevHash}\n${digest}`);
  const origin = 'auditlog/default';
  const body = checkpointBody({ origin, size: 1, rootHash: entryLeafHash(entry.hash) });
  return {
    origin,
    proof: {
      entry,
      leafIndex: 0,
      treeSize: 1,
      inclusionProof: [],
      checkpoint: signNote(body, origin, privateKey),
    },
  };
}

describe('verifyInclusionInBrowser', () => {
  it("accepts a valid proof whatever characters the verifier key's base64 holds, and refuses another key", async () => {
    const seen = { plus: 0, none: 0 };
    for (let i = 0; i < 40 && (seen.plus < 3 || seen.none < 3); i++) {
      const { privateKey, publicKey } = generateKeyPairSync('ed25519');
      const { origin, proof } = oneEntryProof(privateKey);
      const vkey = verifierKey(origin, publicKey);
      seen[vkey.split('+').length > 3 ? 'plus' : 'none']++;
      expect(await verifyInclusionInBrowser(proof, vkey), vkey).toMatchObject({ ok: true, treeSize: 1 });
      const other = verifierKey(origin, generateKeyPairSync('ed25519').publicKey);
      expect((await verifyInclusionInBrowser(proof, other)).ok).toBe(false);
    }
    expect(seen.plus).toBeGreaterThanOrEqual(3);
    expect(seen.none).toBeGreaterThanOrEqual(3);
  });
});
