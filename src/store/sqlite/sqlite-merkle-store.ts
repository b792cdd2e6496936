import type { StoredNode } from '../../core/domain/merkle/merkle-proofs.js';
import type { NodeId } from '../../core/domain/merkle/merkle-ranges.js';
import type { MerkleStore, StoredCosignature } from '../../core/ports/merkle-store.js';
import { COSIGNATURE_COLUMNS } from '../sql/merkle-sql.js';
import { prepared, type SqliteDb, translateSqliteError } from './sqlite-connection.js';
import { entryHashAt } from './sqlite-integrity-queries.js';

/**
 * The Merkle tree in SQLite. The background step that extends it hands its rows to the writer thread, which
 * stores them in its next group commit (`extend`): on this thread's connection, each step had waited for the
 * write lock and its own fsync on the event loop. A proof reads O(log n) rows by primary key here.
 */
export class SqliteMerkleStore implements MerkleStore {
  readonly #db: SqliteDb;
  readonly #extend: (tenant: string, size: number, nodes: readonly StoredNode[]) => Promise<void>;

  constructor(db: SqliteDb, extend: SqliteMerkleStore['extend']) {
    this.#db = db;
    this.#extend = extend;
  }

  async size(tenant: string): Promise<number> {
    return this.#run(
      () =>
        (this.#db.prepare('SELECT max(size) FROM merkle_sizes WHERE tenant = ?').pluck().get(tenant) as
          | number
          | null) ?? 0,
    );
  }

  async coverage(tenant: string): Promise<{ size: number; chainSeq: number }> {
    return this.#run(
      () =>
        prepared(
          this.#db,
          `SELECT coalesce((SELECT max(size) FROM merkle_sizes WHERE tenant = ?), 0) AS size,
                  coalesce((SELECT seq FROM chain_heads WHERE tenant = ?), 0) AS chainSeq`,
        ).get(tenant, tenant) as { size: number; chainSeq: number },
    );
  }

  /** Point reads on this connection, as the nodes: a proof needs one or two, not worth a reader thread. */
  async entryHashes(tenant: string, seqs: readonly number[]): Promise<Map<number, string>> {
    return this.#run(() => {
      const found = new Map<number, string>();
      for (const seq of seqs) {
        const hash = entryHashAt(this.#db, tenant, seq);
        if (hash !== undefined) found.set(seq, hash);
      }
      return found;
    });
  }

  extend(tenant: string, size: number, nodes: readonly StoredNode[]): Promise<void> {
    return this.#extend(tenant, size, nodes);
  }

  async nodes(tenant: string, ids: readonly NodeId[]): Promise<StoredNode[]> {
    if (ids.length === 0) return [];
    // One statement for the lot (a proof wants about log2 n of them), each row by primary key.
    return this.#run(() => {
      const rows = prepared(
        this.#db,
        `SELECT n.level, n.idx, n.hash FROM json_each(?) AS want
           JOIN merkle_nodes n ON n.tenant = ? AND n.level = want.value ->> 0 AND n.idx = want.value ->> 1`,
      )
        .raw()
        .all(JSON.stringify(ids.map((id) => [id.level, id.index])), tenant) as [number, number, Buffer][];
      return rows.map(([level, index, hash]) => ({ level, index, hash }));
    });
  }

  async putCosignature(c: StoredCosignature): Promise<void> {
    this.#run(() =>
      this.#db
        .prepare(
          `INSERT INTO merkle_cosignatures (tenant, tree_size, root_hash, witness, key_id, line, time, received_ms)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
        )
        .run(c.tenant, c.treeSize, c.rootHash, c.witness, c.keyId, c.line, c.time, c.receivedMs),
    );
  }

  async cosignatures(tenant: string, limit: number): Promise<StoredCosignature[]> {
    return this.#run(
      () =>
        this.#db
          .prepare(
            `SELECT ${COSIGNATURE_COLUMNS} FROM merkle_cosignatures WHERE tenant = ?
               ORDER BY tree_size DESC, witness, key_id LIMIT ?`,
          )
          .all(tenant, limit) as StoredCosignature[],
    );
  }

  #run<T>(fn: () => T): T {
    try {
      return fn();
    } catch (error) {
      throw translateSqliteError(error);
    }
  }
}
