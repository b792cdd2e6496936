import { nodeHash } from './merkle-hash.js';

/**
 * Every hash in an RFC 9162 proof is the Merkle tree hash MTH(D[start:end]) of a range of leaves; this file
 * names those ranges (§2.1.3.1 PATH, §2.1.4.1 SUBPROOF) and splits each into complete subtrees — the nodes
 * a store keeps — so that a proof reads O(log n) stored hashes.
 */

/** The complete subtree over leaves [index·2^level, (index+1)·2^level). */
export interface NodeId {
  level: number;
  index: number;
}

/** A range of leaves [start, end). */
export interface LeafRange {
  start: number;
  end: number;
}

/** The largest power of two smaller than n (n ≥ 2): where RFC 9162 splits a tree of n leaves. */
export function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** The ranges whose hashes form the inclusion proof of leaf `index` in a tree of `size`, leaf to root. */
export function inclusionRanges(index: number, size: number): LeafRange[] {
  const ranges: LeafRange[] = [];
  let start = 0;
  let n = size;
  let m = index;
  // PATH(m, D[n]) = PATH(m, one half) : MTH(other half); walked from the root, so collected in reverse.
  while (n > 1) {
    const k = splitPoint(n);
    if (m < k) {
      ranges.push({ start: start + k, end: start + n });
      n = k;
    } else {
      ranges.push({ start, end: start + k });
      start += k;
      m -= k;
      n -= k;
    }
  }
  return ranges.reverse();
}

/** The ranges whose hashes form the consistency proof from size m to size n (0 < m < n), in proof order. */
export function consistencyRanges(m: number, n: number): LeafRange[] {
  const ranges: LeafRange[] = [];
  let start = 0;
  let size = n;
  let first = m;
  let whole = true;
  // SUBPROOF(m, D[n], b), walked from the root as for inclusionRanges.
  while (first !== size) {
    const k = splitPoint(size);
    if (first <= k) {
      ranges.push({ start: start + k, end: start + size });
      size = k;
    } else {
      ranges.push({ start, end: start + k });
      start += k;
      first -= k;
      size -= k;
      whole = false;
    }
  }
  if (!whole) ranges.push({ start, end: start + size });
  return ranges.reverse();
}

/** The complete subtrees that make up [start, end), left to right (largest aligned subtree first). */
export function subtreeNodes({ start, end }: LeafRange): NodeId[] {
  const nodes: NodeId[] = [];
  let at = start;
  while (at < end) {
    let level = 0;
    while (at % 2 ** (level + 1) === 0 && at + 2 ** (level + 1) <= end) level++;
    nodes.push({ level, index: at / 2 ** level });
    at += 2 ** level;
  }
  return nodes;
}

/** The hash of a proof range from its complete subtrees' hashes (left to right): MTH splits off the left. */
export function foldSubtrees(hashes: readonly Uint8Array[]): Buffer {
  if (hashes.length === 0) throw new RangeError('A range has at least one subtree');
  let acc: Buffer = Buffer.from(hashes[hashes.length - 1]!);
  for (let i = hashes.length - 2; i >= 0; i--) acc = nodeHash(hashes[i]!, acc);
  return acc;
}

/** The complete subtrees that end at `size` (one per set bit, largest first): the tree's right edge. */
export function frontierNodes(size: number): NodeId[] {
  return size === 0 ? [] : subtreeNodes({ start: 0, end: size });
}
