// The Merkle tree storage (MerkleStore) on both stores, and the tree MerkleLog keeps there: extended from the
// chain in steps, read back in O(log n) nodes, and equal to a tree built in memory from the entries' hashes.
import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { MemoryTree } from '../../src/core/domain/merkle/memory-tree.js';
import { entryLeafHash } from '../../src/core/domain/merkle/merkle-hash.js';
import type { StoredNode } from '../../src/core/domain/merkle/merkle-proofs.js';
import { verifyConsistency, verifyInclusion } from '../../src/core/domain/merkle/merkle-verify.js';
import { checkpointBody } from '../../src/core/domain/merkle/signed-note.js';
import { generateSigningKey } from '../../src/core/domain/signing.js';
import type { StoredCosignature } from '../../src/core/ports/merkle-store.js';
import type { Store } from '../../src/core/ports/store.js';
import { MerkleLog } from '../../src/core/services/merkle-log.js';
import { append, ev, prepareAuth, prepareEventBatch, type Stored, wholeChain } from './entries.js';
import { storePerFile } from './store-under-test.js';

const sut = storePerFile();
const store = () => sut().store;
const T = 'merkle-t';
const h = (s: string) => createHash('sha256').update(s).digest();
const node = (level: number, index: number): StoredNode => ({ level, index, hash: h(`${level}/${index}`) });

/** Counts the node rows each call reads, to show that a proof reads O(log n) of them. */
function counting(s: Store): { store: Store; reads: number[] } {
  const reads: number[] = [];
  const m = s.merkle;
  const merkle: Store['merkle'] = {
    size: (t) => m.size(t),
    coverage: (t) => m.coverage(t),
    entryHashes: (t, seqs) => m.entryHashes(t, seqs),
    extend: (t, size, nodes) => m.extend(t, size, nodes),
    nodes: (t, ids) => {
      reads.push(ids.length);
      return m.nodes(t, ids);
    },
    putCosignature: (c) => m.putCosignature(c),
    cosignatures: (t, limit) => m.cosignatures(t, limit),
  };
  const wrapped = new Proxy(s, {
    get: (target, prop) => {
      if (prop === 'merkle') return merkle;
      const value = Reflect.get(target, prop, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { store: wrapped, reads };
}

describe('MerkleStore', () => {
  it('starts empty, keeps nodes and the largest size recorded, and ignores a node stored twice', async () => {
    const m = store().merkle;
    expect(await m.size('m-empty')).toBe(0);
    expect(await m.nodes('m-empty', [{ level: 1, index: 0 }])).toEqual([]);
    await m.extend('m-a', 4, [node(1, 0), node(1, 1), node(2, 0)]);
    await m.extend('m-a', 6, [node(1, 1), node(1, 2)]); // (1,1) again: ignored, all or nothing otherwise
    await m.extend('m-a', 5, []); // a slower writer's smaller size does not shrink the tree
    expect(await m.size('m-a')).toBe(6);
    const found = await m.nodes('m-a', [
      { level: 2, index: 0 },
      { level: 1, index: 2 },
      { level: 3, index: 0 },
    ]);
    expect(found.map((n) => [n.level, n.index, Buffer.from(n.hash).toString('hex')]).sort()).toEqual(
      [node(1, 2), node(2, 0)].map((n) => [n.level, n.index, n.hash.toString('hex')]).sort(),
    );
    // Another tenant sees none of it.
    expect(await m.size('m-b')).toBe(0);
    expect(await m.nodes('m-b', [{ level: 2, index: 0 }])).toEqual([]);
  });

  it('keeps cosignatures, newest tree first, one per witness key and size', async () => {
    const m = store().merkle;
    const c = (treeSize: number, witness: string): StoredCosignature => ({
      tenant: 'm-c',
      treeSize,
      rootHash: h(`${treeSize}`).toString('hex'),
      witness,
      keyId: '0a0b0c0d',
      line: `— ${witness} AAAA`,
      time: 1_700_000_000 + treeSize,
      receivedMs: 1_700_000_000_000,
    });
    await m.putCosignature(c(3, 'w1'));
    await m.putCosignature(c(9, 'w1'));
    await m.putCosignature(c(9, 'w2'));
    await m.putCosignature(c(9, 'w2'));
    expect(await m.cosignatures('m-c', 10)).toEqual([c(9, 'w1'), c(9, 'w2'), c(3, 'w1')]);
    expect(await m.cosignatures('m-c', 1)).toEqual([c(9, 'w1')]);
    expect(await m.cosignatures('other', 10)).toEqual([]);
  });
});

describe('MerkleLog over the store', () => {
  const stored: Stored[] = [];
  const key = generateSigningKey().key;

  beforeAll(async () => {
    // 1 + 2 + 3 + … entries of both streams: the tree is extended in uneven steps.
    for (let b = 1; stored.length < 150; b++) {
      const batch =
        b % 4 === 0
          ? [
              prepareAuth({
                id: `a-${b}`,
                type: 'logout',
                user: { username: 'u' },
                ip: '192.0.2.1',
                sessionId: `s-${b}`,
              }),
            ]
          : prepareEventBatch(
              T,
              Array.from({ length: b }, (_, i) => ev({ id: `e-${b}-${i}` })),
            );
      stored.push(...(await append(store(), T, batch)));
      if (b % 3 === 0) await new MerkleLog(store(), key).catchUp(T);
    }
  });

  it('covers the whole chain, with the root of a tree built in memory from the entry hashes', async () => {
    const log = new MerkleLog(store(), key);
    const chain = await wholeChain(store(), T);
    const tree = new MemoryTree(chain.map((r) => entryLeafHash(r.hash)));
    expect(await log.catchUp(T)).toBe(chain.length);
    expect(await store().merkle.size(T)).toBe(chain.length);
    expect(await store().merkle.coverage(T)).toEqual({ size: chain.length, chainSeq: chain.length });
    expect(await store().merkle.coverage('m-nothing')).toEqual({ size: 0, chainSeq: 0 });
    for (const size of [1, 2, 7, 64, chain.length])
      expect((await log.checkpoint(T, size)).rootHash).toBe(tree.root(size).toString('hex'));
  });

  it('proves each event with O(log n) node reads, and consistency between sizes', async () => {
    const { store: s, reads } = counting(store());
    const log = new MerkleLog(s, key);
    const chain = await wholeChain(store(), T);
    const n = chain.length;
    const root = Buffer.from((await log.checkpoint(T)).rootHash, 'hex');
    const events = chain.filter((r) => r.stream === 'event');
    for (const row of events) {
      reads.length = 0;
      const bundle = await log.prove(T, row.id);
      expect(bundle.treeSize).toBe(n);
      const proof = bundle.inclusionProof.map((p) => Buffer.from(p, 'hex'));
      expect(verifyInclusion(entryLeafHash(row.hash), row.seq - 1, n, proof, root)).toBe(true);
      // The proof's nodes, then the root's: each at most one per level of the tree.
      expect(Math.max(...reads)).toBeLessThanOrEqual(2 * Math.ceil(Math.log2(n)));
    }
    for (const m of [1, 5, 64, 100, n]) {
      const proof = (await log.consistency(T, m, n)).map((p) => Buffer.from(p, 'hex'));
      const rootM = Buffer.from((await log.checkpoint(T, m)).rootHash, 'hex');
      expect(verifyConsistency(m, n, proof, rootM, root)).toBe(true);
    }
  });

  it('reads the chain hashes of entries of both streams by seq, and none past the chain', async () => {
    const chain = await wholeChain(store(), T);
    const auth = chain.find((r) => r.stream === 'auth')!;
    const event = chain.find((r) => r.stream === 'event')!;
    const found = await store().merkle.entryHashes(T, [auth.seq, event.seq, chain.length + 5]);
    expect([...found.entries()].sort()).toEqual(
      [
        [auth.seq, auth.hash],
        [event.seq, event.hash],
      ].sort(),
    );
    expect((await store().merkle.entryHashes('m-nothing', [1])).size).toBe(0);
  });

  it('finds an authentication event by id in its tenant only (what its proof starts from)', async () => {
    const chain = await wholeChain(store(), T);
    const auth = chain.find((r) => r.id === 'a-4')!;
    expect(await store().getAuthEvent(T, 'a-4')).toMatchObject({ seq: auth.seq, hash: auth.hash });
    expect(await store().getAuthEvent('m-other', 'a-4')).toBeUndefined();
    expect(await store().getAuthEvent(T, 'e-1-0')).toBeUndefined();
  });

  it('signs a C2SP checkpoint note of the tenant log', async () => {
    const head = await new MerkleLog(store(), key).checkpoint(T);
    const body = checkpointBody({
      origin: `auditlog/${T}`,
      size: head.treeSize,
      rootHash: Buffer.from(head.rootHash, 'hex'),
    });
    expect(head.note.startsWith(`${body}\n— auditlog/${T} `)).toBe(true);
    expect(head.verifierKey).toMatch(new RegExp(`^auditlog/${T}\\+[0-9a-f]{8}\\+`));
  });
});
