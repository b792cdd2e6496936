// Known-answer tests. The vectors are published test data of transparency-dev/merkle (Apache-2.0), copied
// verbatim into test/fixtures/merkle/transparency-dev-vectors.json with their source and commit: the RFC 6962
// example tree of 8 leaves (testonly/constants.go), its proofs (cmd/proofgen/main.go) and the verifier
// cases of its testdata/ directory (happy paths and every kind of tampering, each with wantErr).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MemoryTree } from '../../../src/core/domain/merkle/memory-tree.js';
import { EMPTY_ROOT, leafHash } from '../../../src/core/domain/merkle/merkle-hash.js';
import { verifyConsistency, verifyInclusion } from '../../../src/core/domain/merkle/merkle-verify.js';

interface InclusionCase {
  file: string;
  leafIdx: number;
  treeSize: number;
  root: string | null;
  leafHash: string | null;
  proof: string[] | null;
  wantErr: boolean;
}
interface ConsistencyCase {
  file: string;
  size1: number;
  size2: number;
  root1: string | null;
  root2: string | null;
  proof: string[] | null;
  wantErr: boolean;
}
const vectors = JSON.parse(
  readFileSync(new URL('../../fixtures/merkle/transparency-dev-vectors.json', import.meta.url), 'utf8'),
) as {
  leafInputsHex: string[];
  nodeHashesHex: string[][];
  rootHashesHex: string[];
  inclusionProofsHex: { leafIndex: number; treeSize: number; proof: string[] }[];
  consistencyProofsHex: { size1: number; size2: number; proof: string[] }[];
  inclusion: InclusionCase[];
  consistency: ConsistencyCase[];
};

const hex = (h: string) => Buffer.from(h, 'hex');
const b64 = (h: string | null) => Buffer.from(h ?? '', 'base64');
const leaves = vectors.leafInputsHex.map((l) => leafHash(hex(l)));
const tree = new MemoryTree(leaves);

describe('RFC 6962 known answers (transparency-dev/merkle)', () => {
  it('hashes the eight example leaves to the published leaf hashes and the empty tree to SHA-256("")', () => {
    expect(leaves.map((l) => l.toString('hex'))).toEqual(vectors.nodeHashesHex[0]);
    expect(EMPTY_ROOT.toString('hex')).toBe(vectors.rootHashesHex[0]);
  });

  it('computes the published root of every prefix of the example tree', () => {
    expect(vectors.rootHashesHex.map((_, size) => tree.root(size).toString('hex'))).toEqual(
      vectors.rootHashesHex,
    );
  });

  it('produces the published inclusion proofs, and they verify', () => {
    expect(vectors.inclusionProofsHex).toHaveLength(5);
    for (const v of vectors.inclusionProofsHex) {
      const proof = tree.inclusionProof(v.leafIndex, v.treeSize);
      expect(proof.map((p) => p.toString('hex'))).toEqual(v.proof);
      const root = hex(vectors.rootHashesHex[v.treeSize]!);
      expect(verifyInclusion(leaves[v.leafIndex]!, v.leafIndex, v.treeSize, proof, root)).toBe(true);
    }
  });

  it('produces the published consistency proofs, and they verify', () => {
    expect(vectors.consistencyProofsHex).toHaveLength(5);
    for (const v of vectors.consistencyProofsHex) {
      const proof = tree.consistencyProof(v.size1, v.size2);
      expect(proof.map((p) => p.toString('hex'))).toEqual(v.proof);
      const [r1, r2] = [hex(vectors.rootHashesHex[v.size1]!), hex(vectors.rootHashesHex[v.size2]!)];
      expect(verifyConsistency(v.size1, v.size2, proof, r1, r2)).toBe(true);
    }
  });

  it('decides every published inclusion verification case as expected', () => {
    expect(vectors.inclusion.length).toBeGreaterThan(90);
    const wrong = vectors.inclusion.filter(
      (c) =>
        verifyInclusion(b64(c.leafHash), c.leafIdx, c.treeSize, (c.proof ?? []).map(b64), b64(c.root)) ===
        c.wantErr,
    );
    expect(wrong.map((c) => c.file)).toEqual([]);
  });

  it('decides every published consistency verification case as expected', () => {
    expect(vectors.consistency.length).toBeGreaterThan(90);
    const wrong = vectors.consistency.filter(
      (c) =>
        verifyConsistency(c.size1, c.size2, (c.proof ?? []).map(b64), b64(c.root1), b64(c.root2)) ===
        c.wantErr,
    );
    expect(wrong.map((c) => c.file)).toEqual([]);
  });
});
