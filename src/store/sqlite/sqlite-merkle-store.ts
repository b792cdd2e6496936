import type { StoredNode } from '../../core/domain/merkle/merkle-proofs.js';
import type { NodeId } from '../../core/domain/merkle/merkle-ranges.js';
import type { MerkleStore, StoredCosignature } from '../../core/ports/merkle-store.js';
import { COSIGNATURE_COLUMNS } from '../sql/merkle-sql.js';
import { type SqliteDb, translateSqliteError } from './sqlite-connection.js';

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

  extend(tenant: string, size: number, nodes: readonly StoredNode[]): Promise<void> {
    return this.#extend(tenant, size, nodes);
  }

  async nodes(tenant: string, ids: readonly NodeId[]): Promise<StoredNode[]> {
    return this.#run(() => {
      const read = this.#db
        .prepare('SELECT hash FROM merkle_nodes WHERE tenant = ? AND level = ? AND idx = ?')
        .pluck();
      return ids.flatMap((id) => {
        const hash = read.get(tenant, id.level, id.index) as Buffer | undefined;
        return hash ? [{ ...id, hash }] : [];
      });
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
