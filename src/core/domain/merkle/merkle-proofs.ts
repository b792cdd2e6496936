import { EMPTY_ROOT, nodeHash } from './merkle-hash.js';
import {
  consistencyRanges,
  foldSubtrees,
  inclusionRanges,
  type LeafRange,
  type NodeId,
  subtreeNodes,
} from './merkle-ranges.js';

/**
 * A proof as the stored nodes it needs: `nodes` to read (each once), then `assemble` with a lookup that
 * answers each of them. Keeps the reading (a store, an in-memory tree) apart from the RFC 9162 shape.
 */
export interface ProofPlan {
  nodes: NodeId[];
  assemble(lookup: (node: NodeId) => Uint8Array): Buffer[];
}

export function inclusionPlan(leafIndex: number, treeSize: number): ProofPlan {
  if (!(leafIndex >= 0 && leafIndex < treeSize)) throw new RangeError('leafIndex must be below treeSize');
  return planOf(inclusionRanges(leafIndex, treeSize));
}

export function consistencyPlan(first: number, second: number): ProofPlan {
  if (!(first >= 0 && first <= second)) throw new RangeError('first must be at most second');
  return first === 0 ? planOf([]) : planOf(consistencyRanges(first, second));
}

/** The root as a one-hash plan (the empty tree's root needs no node). */
export function rootPlan(treeSize: number): ProofPlan {
  if (treeSize === 0) return { nodes: [], assemble: () => [EMPTY_ROOT] };
  return planOf([{ start: 0, end: treeSize }]);
}

export function nodeKey(node: NodeId): string {
  return `${node.level}/${node.index}`;
}

function planOf(ranges: readonly LeafRange[]): ProofPlan {
  const parts = ranges.map(subtreeNodes);
  const unique = new Map<string, NodeId>();
  for (const node of parts.flat()) unique.set(nodeKey(node), node);
  return {
    nodes: [...unique.values()],
    assemble: (lookup) => parts.map((nodes) => foldSubtrees(nodes.map(lookup))),
  };
}

/**
 * Appending leaves to a tree whose right edge (`frontier`: the complete subtrees ending at its size, largest
 * first, as merkle-ranges frontierNodes) is known: every complete subtree the new leaves finish, leaves
 * included, and the new right edge. This is what a writer stores so that later proofs only read.
 */
export interface StoredNode extends NodeId {
  hash: Buffer;
}

export function appendLeaves(
  frontier: readonly StoredNode[],
  size: number,
  leaves: readonly Buffer[],
): { nodes: StoredNode[]; frontier: StoredNode[] } {
  const stack = [...frontier];
  const nodes: StoredNode[] = [];
  leaves.forEach((hash, i) => {
    let node: StoredNode = { level: 0, index: size + i, hash };
    nodes.push(node);
    while (stack.length > 0 && stack[stack.length - 1]!.level === node.level) {
      const left = stack.pop()!;
      node = { level: node.level + 1, index: left.index / 2, hash: nodeHash(left.hash, node.hash) };
      nodes.push(node);
    }
    stack.push(node);
  });
  return { nodes, frontier: stack };
}
