import { describe, expect, it } from 'vitest';
import { parseSavedCheckpoints } from '../../src/core/domain/saved-checkpoints.js';
import { generateSigningKey, signCheckpoint } from '../../src/core/domain/signing.js';

const { key } = generateSigningKey();
const other = generateSigningKey().key;
const cp = (seq: number) =>
  signCheckpoint(key, { tenant: 'acme', seq, hash: 'a'.repeat(64), signedAt: '2026-01-02T03:04:05.000Z' });
/** As GET /v1/integrity/checkpoints/latest answers it. */
const answer = (seq: number) => ({ ...cp(seq), publicKey: key.publicKeyPem });

describe('parseSavedCheckpoints', () => {
  it('reads one answer per line (blank lines ignored), an export checkpoint line, an array, or one object', () => {
    const ndjson = `${JSON.stringify(answer(1))}\n\n${JSON.stringify({ checkpoint: answer(2) })}\n`;
    expect(parseSavedCheckpoints(ndjson, 'f').map((c) => [c.seq, c.source, c.publicKey])).toEqual([
      [1, 'f:1', key.publicKeyPem],
      [2, 'f:3', key.publicKeyPem],
    ]);
    expect(parseSavedCheckpoints(JSON.stringify([cp(3), cp(4)], null, 2), 'f').map((c) => c.source)).toEqual([
      'f item 1',
      'f item 2',
    ]);
    expect(parseSavedCheckpoints(JSON.stringify(answer(5), null, 2), 'f')).toEqual([
      { ...cp(5), publicKey: key.publicKeyPem, source: 'f:1' },
    ]);
  });

  it('refuses what is not a signed checkpoint, naming the line and every field', () => {
    expect(() => parseSavedCheckpoints(`${JSON.stringify(answer(1))}\n{"seq":0}\n`, 'f')).toThrow(
      /^f:2: \/tenant is required, .*\/seq must be >= 1/,
    );
    expect(() => parseSavedCheckpoints('{"a":1}\nnope\n', 'f')).toThrow('f:2 is not JSON');
    expect(() => parseSavedCheckpoints('\n', 'f')).toThrow('f holds no checkpoint');
    expect(() =>
      parseSavedCheckpoints(JSON.stringify({ ...cp(1), publicKey: other.publicKeyPem }), 'f'),
    ).toThrow(`f:1: its publicKey is not key ${key.keyId}`);
  });
});
