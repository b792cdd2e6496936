import type { Problem } from '../domain/chain-verifier.js';
import { entryLeafHash } from '../domain/merkle/merkle-hash.js';
import { appendLeaves, nodeKey, type StoredNode } from '../domain/merkle/merkle-proofs.js';
import type { ChainRow } from '../domain/rows.js';
import type { Store } from '../ports/store.js';

/** Nodes compared per read of the stored ones. */
const READ = 4096;

/**
 * The tenant's stored Merkle nodes (every complete subtree the tree covers, docs/merkle.md) recomputed from
 * the chain rows `verify` reads, as it reads them. A node altered or missing below the size the tree claims
 * would make the log sign a wrong root and serve proofs that fail, and a later extension keeps a forged node
 * (its insert is skipped as a duplicate). Its answer counts only for a chain that verified: its rows are
 * then the log's, one per seq from 1. The first problem is named at the first seq its node covers.
 */
export class MerkleNodeCheck {
  readonly #store: Store;
  readonly #tenant: string;
  readonly #size: number;
  #leaves = 0;
  #frontier: StoredNode[] = [];
  #due: StoredNode[] = [];
  #compared: Promise<Problem | undefined> = Promise.resolve(undefined);

  readonly #nodes: boolean;

  private constructor(store: Store, tenant: string, size: number, nodes: boolean) {
    this.#store = store;
    this.#tenant = tenant;
    this.#size = size;
    this.#nodes = nodes;
  }

  /**
   * `nodes`: recompute and compare every node (verify --merkle: about as much work again as the chain's, two
   * hashes and a node read per entry); without it only the size the tree claims is held to the chain.
   */
  static async start(store: Store, tenant: string, nodes: boolean): Promise<MerkleNodeCheck> {
    return new MerkleNodeCheck(store, tenant, await store.merkle.size(tenant), nodes);
  }

  /** The next rows of the chain, in seq order. */
  push(rows: readonly ChainRow[]): void {
    if (!this.#nodes) return;
    const take = Math.min(rows.length, this.#size - this.#leaves);
    if (take <= 0) return;
    const leaves = new Array<Buffer>(take);
    for (let i = 0; i < take; i++) leaves[i] = entryLeafHash(rows[i]!.hash);
    const step = appendLeaves(this.#frontier, this.#leaves, leaves);
    this.#frontier = step.frontier;
    this.#leaves += take;
    for (const node of step.nodes) if (node.level > 0) this.#due.push(node);
    if (this.#due.length >= READ) this.#compare();
  }

  /** The first node that is not the chain's, or a tree larger than the chain (which ends at `chainEnd`). */
  async finish(chainEnd: number): Promise<Problem | undefined> {
    this.#compare();
    const problem = await this.#compared;
    if (problem) return problem;
    if (this.#size > chainEnd)
      return merkleProblem(
        this.#tenant,
        chainEnd + 1,
        `the Merkle tree claims ${this.#size} entries; the chain ends at ${chainEnd}`,
      );
    return undefined;
  }

  /** Compares the nodes due, after those before them (the first problem is the lowest seq's). */
  #compare(): void {
    if (this.#due.length === 0) return;
    const expected = this.#due;
    this.#due = [];
    this.#compared = this.#compared.then(async (found) => {
      if (found) return found;
      const stored = await this.#store.merkle.nodes(this.#tenant, expected);
      const byKey = new Map(stored.map((n) => [nodeKey(n), n.hash]));
      for (const node of expected) {
        const hash = byKey.get(nodeKey(node));
        if (hash && node.hash.equals(hash)) continue;
        const first = node.index * 2 ** node.level + 1;
        const what = `Merkle node ${nodeKey(node)} (seqs ${first}–${first + 2 ** node.level - 1})`;
        return merkleProblem(
          this.#tenant,
          first,
          hash ? `${what} does not match the chain` : `${what} is missing`,
        );
      }
      return undefined;
    });
    // Settled by finish(); a failed read must not be an unhandled rejection meanwhile.
    this.#compared.catch(() => {});
  }
}

const merkleProblem = (tenant: string, seq: number, message: string): Problem => ({
  tenant,
  seq,
  kind: 'merkle_mismatch',
  message,
});
