// An entry's digest is worked out where it is prepared (the main thread), so that the writer thread only
// links it. The chain must not depend on where the digest was computed.
import { describe, expect, it } from 'vitest';
import { entryDigest, sealEntries } from '../../src/core/domain/hash-chain.js';
import { formatTimestamp } from '../../src/core/domain/time.js';
import { ev, prepareAuthBatch, prepareEventBatch } from '../store-contract/entries.js';

describe('the digest of a prepared entry', () => {
  const events = prepareEventBatch('t1', [ev({ reason: 'a' }), ev({ newValue: { b: [1, { z: 1, a: 2 }] } })]);
  const auth = prepareAuthBatch([
    { type: 'login_success', user: { username: 'ann' }, method: 'password', sessionId: 's1', ip: '10.0.0.1' },
  ]);

  it('is the entry digest of its stream, receive time and body', () => {
    for (const e of [...events, ...auth]) {
      expect(e.digest).toBe(entryDigest(e.stream, formatTimestamp(e.receivedMs), e.body));
    }
  });

  it('links the same chain as one worked out by the writer', () => {
    const entries = [...events, ...auth].map((e) => ({
      stream: e.stream,
      receivedAt: formatTimestamp(e.receivedMs),
      body: e.body,
    }));
    const head = { seq: 7, hash: 'ab'.repeat(32) };
    const given = sealEntries(
      head,
      't1',
      entries.map((e, i) => ({ ...e, digest: [...events, ...auth][i]!.digest })),
    );
    expect(given).toEqual(sealEntries(head, 't1', entries));
    expect(new Set(given.map((l) => l.hash)).size).toBe(3);
  });
});
