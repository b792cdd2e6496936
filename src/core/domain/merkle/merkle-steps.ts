/**
 * The index arithmetic of RFC 9162 proof verification (§2.1.3.2 inclusion, §2.1.4.2 consistency), apart
 * from hashing, so that the same steps serve Node (synchronous SHA-256) and the browser (WebCrypto, which is
 * asynchronous). This file imports nothing on purpose: the web UI bundles it as it is.
 */

/** How each proof hash `p` joins the running hash `r`: `left` is H(0x01 || p || r), `right` H(0x01 || r || p). */
export type InclusionStep = 'left' | 'right';

/** The steps for an inclusion proof of `proofLength` hashes, or undefined when no such proof can be valid. */
export function inclusionSteps(
  leafIndex: number,
  treeSize: number,
  proofLength: number,
): InclusionStep[] | undefined {
  if (!isSize(leafIndex) || !isSize(treeSize) || leafIndex >= treeSize) return undefined;
  const joins = walk(leafIndex, treeSize - 1, proofLength);
  return joins?.map((left) => (left ? 'left' : 'right'));
}

/**
 * A consistency proof between sizes `first` < `second`, per RFC 9162 §2.1.4.2: `seedIsFirstRoot` says the
 * first root is prepended to the proof (first is a power of two); then for each later hash c, `both` joins
 * it on the left of both running hashes, `second` on the right of the second one only.
 */
export interface ConsistencyPlan {
  seedIsFirstRoot: boolean;
  steps: ('both' | 'second')[];
}

/** The plan for a proof of `proofLength` hashes with 0 < first < second, or undefined when none is valid. */
export function consistencySteps(
  first: number,
  second: number,
  proofLength: number,
): ConsistencyPlan | undefined {
  if (!isSize(first) || !isSize(second) || first <= 0 || first >= second) return undefined;
  const seedIsFirstRoot = isPowerOfTwo(first);
  const length = proofLength + (seedIsFirstRoot ? 1 : 0);
  if (length < 1) return undefined;
  let fn = first - 1;
  let sn = second - 1;
  while (fn % 2 === 1) {
    fn = half(fn);
    sn = half(sn);
  }
  const joins = walk(fn, sn, length - 1);
  return joins && { seedIsFirstRoot, steps: joins.map((left) => (left ? 'both' : 'second')) };
}

/**
 * The walk both verifications share: for each of `count` hashes, whether it joins on the left (the node is
 * a right child, or the last of its level); undefined when the path is too long or too short for the size.
 */
function walk(index: number, lastIndex: number, count: number): boolean[] | undefined {
  let fn = index;
  let sn = lastIndex;
  const joins: boolean[] = [];
  for (let i = 0; i < count; i++) {
    if (sn === 0) return undefined;
    const left = fn % 2 === 1 || fn === sn;
    joins.push(left);
    while (left && fn % 2 === 0 && fn !== 0) {
      fn = half(fn);
      sn = half(sn);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 ? joins : undefined;
}

export function isPowerOfTwo(n: number): boolean {
  return n > 0 && 2 ** Math.floor(Math.log2(n)) === n;
}

/** A tree size or leaf index: a safe non-negative integer (sizes beyond 2^53 are out of reach anyway). */
function isSize(n: number): boolean {
  return Number.isSafeInteger(n) && n >= 0;
}

function half(n: number): number {
  return Math.floor(n / 2);
}
