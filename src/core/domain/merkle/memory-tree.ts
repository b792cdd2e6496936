import {
  appendLeaves,
  consistencyPlan,
  inclusionPlan,
  nodeKey,
  type ProofPlan,
  rootPlan,
} from './merkle-proofs.js';
import type { NodeId } from './merkle-ranges.js';

/** A whole Merkle tree in memory: the reference for tests and for small offline checks. */
export class MemoryTree {
  readonly #nodes = new Map<string, Buffer>();
  #frontier: ReturnType<typeof appendLeaves>['frontier'] = [];
  #size = 0;

  constructor(leaves: readonly Buffer[] = []) {
    this.append(leaves);
  }

  get size(): number {
    return this.#size;
  }

  append(leaves: readonly Buffer[]): void {
    const { nodes, frontier } = appendLeaves(this.#frontier, this.#size, leaves);
    for (const n of nodes) this.#nodes.set(nodeKey(n), n.hash);
    this.#frontier = frontier;
    this.#size += leaves.length;
  }

  root(size = this.#size): Buffer {
    return this.#run(rootPlan(size))[0]!;
  }

  inclusionProof(leafIndex: number, size = this.#size): Buffer[] {
    return this.#run(inclusionPlan(leafIndex, size));
  }

  consistencyProof(first: number, second = this.#size): Buffer[] {
    return this.#run(consistencyPlan(first, second));
  }

  #run(plan: ProofPlan): Buffer[] {
    return plan.assemble((node: NodeId) => {
      const hash = this.#nodes.get(nodeKey(node));
      if (!hash) throw new RangeError(`No node ${nodeKey(node)} in a tree of ${this.#size}`);
      return hash;
    });
  }
}
