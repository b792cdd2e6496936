import type { StoredNode } from '../domain/merkle/merkle-proofs.js';
import type { NodeId } from '../domain/merkle/merkle-ranges.js';

/** A witness's cosignature of one checkpoint, as the server keeps it to show. */
export interface StoredCosignature {
  tenant: string;
  treeSize: number;
  /** Hex. */
  rootHash: string;
  witness: string;
  /** Hex of the 4-byte cosignature key id. */
  keyId: string;
  /** The cosignature line, `— <witness> <base64>` without its newline. */
  line: string;
  /** Unix seconds the witness signed at. */
  time: number;
  receivedMs: number;
}

/**
 * Where each tenant's RFC 9162 Merkle tree over its entries (leaf i = the entry at seq i + 1) is kept:
 * every complete subtree above the leaves (level ≥ 1; a leaf is recomputed from its entry's hash), so that a
 * proof reads O(log n) rows. Nodes are insert-only and follow from the chain alone, so two writers that
 * extend the same tree store the same rows (each insert is idempotent).
 */
export interface MerkleStore {
  /** How many leaves the stored nodes cover (0 for none). */
  size(tenant: string): Promise<number>;
  /**
   * `size` and the seq of the tenant's chain head as the writer recorded it (0 for none), in one read: when
   * they are equal the tree is up to date, the usual case before a proof.
   */
  coverage(tenant: string): Promise<{ size: number; chainSeq: number }>;
  /** The chain hashes (hex) of the entries at `seqs` (either stream, or a purged entry's tombstone). */
  entryHashes(tenant: string, seqs: readonly number[]): Promise<Map<number, string>>;
  /**
   * Stores `nodes` (levels ≥ 1, already stored ones are ignored) and records that the tree now covers
   * `size` leaves, all in one transaction.
   */
  extend(tenant: string, size: number, nodes: readonly StoredNode[]): Promise<void>;
  /** The stored nodes among `ids`, in any order. */
  nodes(tenant: string, ids: readonly NodeId[]): Promise<StoredNode[]>;
  /** Keeps a cosignature; one already kept (same tenant, size, witness and key id) is ignored. */
  putCosignature(cosignature: StoredCosignature): Promise<void>;
  /** Cosignatures of the tenant's checkpoints, newest tree size first; at most `limit`. */
  cosignatures(tenant: string, limit: number): Promise<StoredCosignature[]>;
}
