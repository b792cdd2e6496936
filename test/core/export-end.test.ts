import { describe, expect, it } from 'vitest';
import { exportEndSignatureValid, signExportEnd } from '../../src/core/domain/export-end.js';
import { seqsDigest } from '../../src/core/domain/purge-record.js';
import {
  checkpointSignatureValid,
  generateSigningKey,
  signCheckpoint,
} from '../../src/core/domain/signing.js';
import { verifyExport } from '../../src/core/domain/verify-export.js';

const { key } = generateSigningKey();
const HASH = 'a'.repeat(64);

async function* linesOf(texts: string[]): AsyncGenerator<string> {
  yield* texts;
}

describe("an export's signed end line", () => {
  const claim = {
    tenant: 'acme',
    exportId: '01a25078-7f67-7459-9d5c-c0f6890ab389',
    filters: { category: ['security'] },
    seq: 12,
    hash: HASH,
    events: 0,
    seqsDigest: seqsDigest([]),
    signedAt: '2026-12-07T12:00:00.000Z',
  };

  it('verifies under its key, and not once any signed field changes', () => {
    const end = signExportEnd(key, claim);
    expect(exportEndSignatureValid(end, key.publicKeyPem)).toBe(true);
    for (const changed of [
      { events: 1 },
      { seq: 13 },
      { hash: 'b'.repeat(64) },
      { tenant: 'other' },
      { exportId: 'x' },
      { filters: { category: ['users'] } },
      { filters: {} },
      { seqsDigest: seqsDigest([1]) },
      { signedAt: '2026-12-07T12:00:00.001Z' },
    ]) {
      expect({ changed, valid: exportEndSignatureValid({ ...end, ...changed }, key.publicKeyPem) }).toEqual({
        changed,
        valid: false,
      });
    }
    expect(exportEndSignatureValid(end, generateSigningKey().key.publicKeyPem)).toBe(false);
  });

  it("is no checkpoint's signature, and no checkpoint's signature is one", () => {
    const end = signExportEnd(key, claim);
    expect(checkpointSignatureValid({ ...end }, key.publicKeyPem)).toBe(false);
    const checkpoint = signCheckpoint(key, { tenant: 'acme', seq: 12, hash: HASH, signedAt: claim.signedAt });
    const asEnd = { ...claim, keyId: key.keyId, signature: checkpoint.signature };
    expect(exportEndSignatureValid(asEnd, key.publicKeyPem)).toBe(false);
  });

  it('proves an export that matched nothing: no event, no checkpoint, the end line alone', async () => {
    const end = signExportEnd(key, claim);
    const report = await verifyExport(
      linesOf([JSON.stringify({ end: { ...end, publicKey: key.publicKeyPem } })]),
    );
    expect(report.problem).toBeUndefined();
    expect(report.ends).toEqual([
      { tenant: 'acme', exportId: claim.exportId, events: 0, seq: 12, signedAt: claim.signedAt },
    ]);
    const counted = signExportEnd(key, { ...claim, events: 1 });
    const short = await verifyExport(
      linesOf([JSON.stringify({ end: { ...counted, publicKey: key.publicKeyPem } })]),
    );
    expect(short.problem).toMatchObject({ tenant: 'acme', kind: 'missing' });
    expect(short.problem?.message).toContain(
      'the export holds 0 events of tenant acme, its signed end line 1',
    );
  });
});

describe('verify --file on lines that are no export lines', () => {
  const cases: [string, string][] = [
    ['5', 'line 1: is not a JSON object'],
    ['null', 'line 1: is not a JSON object'],
    ['[]', 'line 1: is not a JSON object'],
    ['{"checkpoint":null}', 'line 1: its "checkpoint" is not an object'],
    ['{"end":"x"}', 'line 1: its "end" is not an object'],
    [
      '{"bridge":{"tenant":"t","fromSeq":1,"digests":5}}',
      'line 1: a bridge line whose digests is missing or of the wrong type',
    ],
    [
      '{"checkpoint":{"tenant":"t","seq":-1,"hash":"h","signedAt":"s","keyId":"k"}}',
      'line 1: a checkpoint line whose seq, signature are missing or of the wrong type',
    ],
    ['{"seq":1,"tenant":7,"receivedAt":"r","prevHash":"p","hash":"h"}', 'line 1: an event line whose tenant'],
  ];
  it.each(cases)('%s fails as altered, naming the line', async (text, message) => {
    const report = await verifyExport(linesOf([text]));
    expect(report.problem?.kind).toBe('altered');
    expect(report.problem?.message).toContain(message);
  });
});
