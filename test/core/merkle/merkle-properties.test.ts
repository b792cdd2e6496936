// Properties of the RFC 9162 proofs over random trees: every proof verifies, and any altered hash, leaf,
// index or size fails. The roots are checked against a direct recursive MTH (RFC 9162 §2.1.1), written
// here independently of the range arithmetic the implementation uses.
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MemoryTree } from '../../../src/core/domain/merkle/memory-tree.js';
import { EMPTY_ROOT, leafHash, nodeHash } from '../../../src/core/domain/merkle/merkle-hash.js';
import { verifyConsistency, verifyInclusion } from '../../../src/core/domain/merkle/merkle-verify.js';

function mth(leaves: Buffer[]): Buffer {
  if (leaves.length === 0) return EMPTY_ROOT;
  if (leaves.length === 1) return leaves[0]!;
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  return nodeHash(mth(leaves.slice(0, k)), mth(leaves.slice(k)));
}

const leavesOf = (n: number) => Array.from({ length: n }, () => leafHash(randomBytes(8)));
const flipBit = (b: Buffer, bit: number) => {
  const copy = Buffer.from(b);
  copy[(bit >> 3) % copy.length]! ^= 1 << (bit & 7);
  return copy;
};
const sizes = fc
  .integer({ min: 1, max: 70 })
  .chain((n) => fc.tuple(fc.integer({ min: 1, max: n }), fc.constant(n)));

describe('Merkle proofs on random trees', () => {
  it('computes the RFC 9162 root of every prefix, appended in random batches', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 9 }), { maxLength: 12 }), (batches) => {
        const tree = new MemoryTree();
        const all: Buffer[] = [];
        for (const count of batches) {
          const batch = leavesOf(count);
          tree.append(batch);
          all.push(...batch);
        }
        for (let size = 0; size <= all.length; size++)
          expect(tree.root(size).equals(mth(all.slice(0, size)))).toBe(true);
      }),
      { numRuns: 60 },
    );
  });

  it('proves every leaf at every size m ≤ n, and m consistent with n', () => {
    fc.assert(
      fc.property(sizes, ([m, n]) => {
        const leaves = leavesOf(n);
        const tree = new MemoryTree(leaves);
        for (const size of [m, n]) {
          const root = tree.root(size);
          for (let i = 0; i < size; i++)
            expect(verifyInclusion(leaves[i]!, i, size, tree.inclusionProof(i, size), root)).toBe(true);
        }
        expect(verifyConsistency(m, n, tree.consistencyProof(m, n), tree.root(m), tree.root(n))).toBe(true);
      }),
      { numRuns: 60 },
    );
  });

  it('refuses an inclusion proof with an altered hash, leaf, index or size', () => {
    fc.assert(
      fc.property(sizes, fc.nat(), fc.nat(), ([, n], pick, bit) => {
        const leaves = leavesOf(n);
        const tree = new MemoryTree(leaves);
        const i = pick % n;
        const proof = tree.inclusionProof(i, n);
        const root = tree.root(n);
        if (proof.length > 0) {
          const j = bit % proof.length;
          const altered = proof.map((p, k) => (k === j ? flipBit(p, bit) : p));
          expect(verifyInclusion(leaves[i]!, i, n, altered, root)).toBe(false);
          expect(verifyInclusion(leaves[i]!, i, n, proof.slice(0, -1), root)).toBe(false);
        }
        expect(verifyInclusion(flipBit(leaves[i]!, bit), i, n, proof, root)).toBe(false);
        expect(verifyInclusion(leaves[i]!, i, n, proof, flipBit(root, bit))).toBe(false);
        for (let other = 0; other < n; other++)
          if (other !== i) expect(verifyInclusion(leaves[i]!, other, n, proof, root)).toBe(false);
        // Another size, checked against that size's root (a checkpoint signs size and root together).
        for (let size = Math.max(1, i); size <= n + 2; size++) {
          if (size === n) continue;
          const sizeRoot = size <= n ? tree.root(size) : mth([...leaves, ...leavesOf(size - n)]);
          expect(verifyInclusion(leaves[i]!, i, size, proof, sizeRoot)).toBe(false);
        }
      }),
      { numRuns: 80 },
    );
  });

  it('refuses a consistency proof with an altered hash, root or size', () => {
    fc.assert(
      fc.property(sizes, fc.nat(), ([m, n], bit) => {
        const tree = new MemoryTree(leavesOf(n + 1));
        const proof = tree.consistencyProof(m, n);
        const [r1, r2] = [tree.root(m), tree.root(n)];
        for (let j = 0; j < proof.length; j++) {
          const altered = proof.map((p, k) => (k === j ? flipBit(p, bit) : p));
          expect(verifyConsistency(m, n, altered, r1, r2)).toBe(false);
        }
        if (m < n) {
          expect(verifyConsistency(m, n, proof, flipBit(r1, bit), r2)).toBe(false);
          expect(verifyConsistency(m, n, proof, r1, flipBit(r2, bit))).toBe(false);
        }
        for (const [a, b] of [
          [m - 1, n],
          [m + 1, n],
          [m, n + 1],
          [m, n - 1],
        ] as const) {
          if (a < 1 || a > b || (a === m && b === n)) continue;
          expect(verifyConsistency(a, b, proof, tree.root(a), tree.root(b))).toBe(false);
        }
      }),
      { numRuns: 80 },
    );
  });
});
