// The verifier's rules on plain rows: a seq claimed twice, the checkpoint schedule and saved checkpoints.
import { describe, expect, it } from 'vitest';
import { ChainVerifier, type CheckpointToCheck } from '../../src/core/domain/chain-verifier.js';
import { GENESIS_HASH, sealEntries } from '../../src/core/domain/hash-chain.js';
import type { ChainRow } from '../../src/core/domain/rows.js';
import { generateSigningKey, type SignedCheckpoint, signCheckpoint } from '../../src/core/domain/signing.js';
import { formatTimestamp } from '../../src/core/domain/time.js';
import { forgedCopy } from '../helpers/forgery.js';

const T = 't';
const KEY = generateSigningKey().key;
const keys = new Map([[KEY.keyId, KEY.publicKeyPem]]);
const RECEIVED = Date.parse('2026-01-02T03:04:05.000Z');

/** An intact chain of `n` events, `e-<seq>`. */
function chain(n: number): ChainRow[] {
  const bodies = Array.from({ length: n }, (_, i) => JSON.stringify({ id: `e-${i + 1}`, n: i + 1 }));
  const links = sealEntries(
    { seq: 0, hash: GENESIS_HASH },
    T,
    bodies.map((body) => ({ stream: 'event' as const, receivedAt: formatTimestamp(RECEIVED), body })),
  );
  return links.map((l, i) => ({
    ...l,
    stream: 'event',
    id: `e-${i + 1}`,
    receivedMs: RECEIVED,
    body: bodies[i]!,
  }));
}

const sign = (rows: ChainRow[], seq: number): SignedCheckpoint =>
  signCheckpoint(KEY, { tenant: T, seq, hash: rows[seq - 1]!.hash, signedAt: '2026-01-02T03:05:00.000Z' });

function run(rows: ChainRow[], checkpoints: CheckpointToCheck[], every = 10, late: SignedCheckpoint[] = []) {
  const v = new ChainVerifier(T, checkpoints, keys, every);
  v.pushAll(rows);
  if (late.length) v.fillGaps(late);
  return v.finish();
}

describe('a seq claimed twice', () => {
  it.each([1, 5, 12])('at seq %i: inserted, naming every copy and how it fits', (seq) => {
    const rows = chain(12);
    const original = rows[seq - 1]!;
    const copy = forgedCopy(T, original);
    rows.splice(seq, 0, { ...original, id: copy.id, body: copy.body, hash: copy.hash });
    const r = run(rows, [], 0);
    expect(r.problem).toMatchObject({ seq, kind: 'inserted', ids: [`e-${seq}`, `forged-${seq}`] });
    expect(r.problem?.message).toBe(
      `2 entries claim seq ${seq}: e-${seq} (event, links to seq ${seq - 1}); forged-${seq} (event, links to seq ${seq - 1})`,
    );
  });

  it('a copy whose hash was not recomputed says so', () => {
    const rows = chain(6);
    rows.splice(3, 0, { ...rows[2]!, id: 'forged', body: '{"id":"forged"}' });
    expect(run(rows, [], 0).problem?.message).toBe(
      '2 entries claim seq 3: e-3 (event, links to seq 2); forged (event, its content does not match its hash)',
    );
  });
});

describe('the checkpoint schedule', () => {
  const rows = chain(35);

  it('every multiple signed, the tail after the newest unsigned: intact', () => {
    const r = run(rows, [sign(rows, 10), sign(rows, 20), sign(rows, 25), sign(rows, 30)]);
    expect(r.problems).toEqual([]);
    expect(r.unsigned).toBe(5);
  });

  it('a multiple missing below a newer checkpoint: deleted; in the tail: unproven', () => {
    const deleted = run(rows, [sign(rows, 10), sign(rows, 30)]);
    expect(deleted.missingCheckpoints).toEqual([20]);
    expect(deleted.problem).toMatchObject({ seq: 20, kind: 'checkpoint_missing' });
    expect(deleted.problem?.message).toBe(
      'no checkpoint at seq 20, where one is signed every 10 entries; 20 deleted, since the later checkpoint 30 exists',
    );
    const tail = run(rows, [sign(rows, 10), sign(rows, 15)]);
    expect(tail.missingCheckpoints).toEqual([20, 30]);
    expect(tail.problem?.message).toMatch(
      /^no checkpoint at seq 20–30 \(2\), where one is signed every 10 entries; the 20 entries after seq 15 are proven by no signature/,
    );
  });

  it('a checkpoint signed after the list was read (a live server) fills its gap; one with another hash does not', () => {
    expect(run(rows, [sign(rows, 10), sign(rows, 20)], 10, [sign(rows, 30)]).problems).toEqual([]);
    const wrong = signCheckpoint(KEY, { tenant: T, seq: 30, hash: 'f'.repeat(64), signedAt: 'x' });
    expect(run(rows, [sign(rows, 10), sign(rows, 20)], 10, [wrong]).missingCheckpoints).toEqual([30]);
  });

  it('a schedule of 0 is not checked', () => {
    expect(run(rows, [], 0).problems).toEqual([]);
  });
});

describe('saved checkpoints', () => {
  const rows = chain(20);
  const saved = (seq: number, hash = rows[seq - 1]!.hash): CheckpointToCheck => ({
    ...signCheckpoint(KEY, { tenant: T, seq, hash, signedAt: '2026-01-02T03:05:00.000Z' }),
    source: 'kept.ndjson:1',
  });

  it('extended: counted apart from the store’s checkpoints', () => {
    const r = run(rows, [sign(rows, 10), sign(rows, 20), saved(13)]);
    expect(r.problems).toEqual([]);
    expect(r).toMatchObject({ savedCheckpoints: 1, checkpoints: 2 });
  });

  it('another hash at its seq: checkpoint mismatch naming where it was saved', () => {
    const r = run(rows, [sign(rows, 10), saved(13, rows[12]!.prevHash)]);
    expect(r.problem).toMatchObject({ seq: 13, kind: 'checkpoint_mismatch' });
    expect(r.problem?.message).toMatch(
      /^the chain no longer extends the checkpoint saved in kept.ndjson:1: /,
    );
  });

  it('beyond the chain: missing', () => {
    const longer = chain(25);
    const r = run(rows, [sign(rows, 10), sign(rows, 20), saved(25, longer[24]!.hash)]);
    expect(r.problem).toMatchObject({ seq: 21, kind: 'missing' });
    expect(r.problem?.message).toBe(
      'the checkpoint saved in kept.ndjson:1 at seq 25 is signed but the chain ends at 20',
    );
  });
});
