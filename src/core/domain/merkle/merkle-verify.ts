import { HASH_BYTES, nodeHash } from './merkle-hash.js';
import { consistencySteps, inclusionSteps } from './merkle-steps.js';

/** RFC 9162 §2.1.3.2: whether `proof` shows `leaf` (a leaf hash) at `leafIndex` in the tree of `treeSize` with `root`. */
export function verifyInclusion(
  leaf: Uint8Array,
  leafIndex: number,
  treeSize: number,
  proof: readonly Uint8Array[],
  root: Uint8Array,
): boolean {
  const steps = inclusionSteps(leafIndex, treeSize, proof.length);
  if (!steps || !allHashes([leaf, root, ...proof])) return false;
  let r: Uint8Array = leaf;
  steps.forEach((step, i) => {
    r = step === 'left' ? nodeHash(proof[i]!, r) : nodeHash(r, proof[i]!);
  });
  return equal(r, root);
}

/**
 * RFC 9162 §2.1.4.2: whether `proof` shows that the tree of size `first` with `firstRoot` is a prefix of
 * the tree of size `second` with `secondRoot`. Equal sizes need an empty proof and equal roots. As in
 * transparency-dev/merkle, no proof starts from the empty tree (it proves nothing): a caller skips that case.
 */
export function verifyConsistency(
  first: number,
  second: number,
  proof: readonly Uint8Array[],
  firstRoot: Uint8Array,
  secondRoot: Uint8Array,
): boolean {
  if (!Number.isSafeInteger(first) || !Number.isSafeInteger(second) || first < 0 || first > second)
    return false;
  if (first === 0) return false;
  if (first === second) return proof.length === 0 && equal(firstRoot, secondRoot);
  const plan = consistencySteps(first, second, proof.length);
  if (!plan || !allHashes([firstRoot, secondRoot, ...proof])) return false;
  const path = plan.seedIsFirstRoot ? [firstRoot, ...proof] : proof;
  let fr: Uint8Array = path[0]!;
  let sr: Uint8Array = path[0]!;
  plan.steps.forEach((step, i) => {
    const c = path[i + 1]!;
    if (step === 'both') {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
    } else sr = nodeHash(sr, c);
  });
  return equal(fr, firstRoot) && equal(sr, secondRoot);
}

function allHashes(hashes: readonly Uint8Array[]): boolean {
  return hashes.every((h) => h.length === HASH_BYTES);
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.compare(a, b) === 0;
}
