import type { StoredNode } from '../../core/domain/merkle/merkle-proofs.js';
import type { NodeId } from '../../core/domain/merkle/merkle-ranges.js';
import type { MerkleStore, StoredCosignature } from '../../core/ports/merkle-store.js';
import { COSIGNATURE_COLUMNS } from '../sql/merkle-sql.js';
import type { PostgresAvailability } from './postgres-availability.js';
import type { PgPool } from './postgres-connection.js';

/**
 * The Merkle tree in PostgreSQL. Several server processes may extend one tenant's tree at once: they compute
 * the same nodes from the same chain, so inserts that meet an existing row are skipped, and the size covered
 * is the largest recorded (insert-only: the application role needs no UPDATE here).
 */
export class PostgresMerkleStore implements MerkleStore {
  readonly #pool: PgPool;
  readonly #availability: PostgresAvailability;

  constructor(pool: PgPool, availability: PostgresAvailability) {
    this.#pool = pool;
    this.#availability = availability;
  }

  async size(tenant: string): Promise<number> {
    return this.#availability.run(async () => {
      const { rows } = await this.#pool.query<{ size: number | null }>(
        'SELECT max(size) AS size FROM merkle_sizes WHERE tenant = $1',
        [tenant],
      );
      return rows[0]?.size ?? 0;
    });
  }

  async coverage(tenant: string): Promise<{ size: number; chainSeq: number }> {
    return this.#availability.run(async () => {
      const { rows } = await this.#pool.query<{ size: string; chainSeq: string }>(
        `SELECT coalesce((SELECT max(size) FROM merkle_sizes WHERE tenant = $1), 0) AS size,
                coalesce((SELECT seq FROM chain_heads WHERE tenant = $1), 0) AS "chainSeq"`,
        [tenant],
      );
      return { size: Number(rows[0]!.size), chainSeq: Number(rows[0]!.chainSeq) };
    });
  }

  async entryHashes(tenant: string, seqs: readonly number[]): Promise<Map<number, string>> {
    if (seqs.length === 0) return new Map();
    return this.#availability.run(async () => {
      const { rows } = await this.#pool.query<{ seq: string; hash: string }>(
        `SELECT seq, hash FROM events WHERE tenant = $1 AND seq = ANY($2::bigint[])
           UNION ALL SELECT seq, hash FROM auth_events WHERE tenant = $1 AND seq = ANY($2::bigint[])
           UNION ALL SELECT seq, hash FROM purged_entries WHERE tenant = $1 AND seq = ANY($2::bigint[])`,
        [tenant, seqs],
      );
      const found = new Map<number, string>();
      // Events first, as entryHashAt: a seq held twice (only a forgery) answers as the chain reads it.
      for (const r of rows) if (!found.has(Number(r.seq))) found.set(Number(r.seq), r.hash);
      return found;
    });
  }

  async extend(tenant: string, size: number, nodes: readonly StoredNode[]): Promise<void> {
    await this.#availability.run(async () => {
      const client = await this.#pool.connect();
      try {
        await client.query('BEGIN');
        // One statement for the lot: arrays of columns, unnested.
        await client.query(
          `INSERT INTO merkle_nodes (tenant, level, idx, hash)
             SELECT $1, * FROM unnest($2::smallint[], $3::bigint[], $4::bytea[]) ON CONFLICT DO NOTHING`,
          [tenant, nodes.map((n) => n.level), nodes.map((n) => n.index), nodes.map((n) => n.hash)],
        );
        await client.query('INSERT INTO merkle_sizes (tenant, size) VALUES ($1, $2) ON CONFLICT DO NOTHING', [
          tenant,
          size,
        ]);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {});
        throw error;
      } finally {
        client.release();
      }
    });
  }

  async nodes(tenant: string, ids: readonly NodeId[]): Promise<StoredNode[]> {
    if (ids.length === 0) return [];
    return this.#availability.run(async () => {
      const { rows } = await this.#pool.query<{ level: number; idx: number; hash: Buffer }>(
        `SELECT n.level, n.idx, n.hash FROM unnest($2::smallint[], $3::bigint[]) AS want(level, idx)
           JOIN merkle_nodes n ON n.tenant = $1 AND n.level = want.level AND n.idx = want.idx`,
        [tenant, ids.map((n) => n.level), ids.map((n) => n.index)],
      );
      return rows.map((r) => ({ level: r.level, index: r.idx, hash: r.hash }));
    });
  }

  async putCosignature(c: StoredCosignature): Promise<void> {
    await this.#availability.run(() =>
      this.#pool.query(
        `INSERT INTO merkle_cosignatures (tenant, tree_size, root_hash, witness, key_id, line, time, received_ms)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING`,
        [c.tenant, c.treeSize, c.rootHash, c.witness, c.keyId, c.line, c.time, c.receivedMs],
      ),
    );
  }

  async cosignatures(tenant: string, limit: number): Promise<StoredCosignature[]> {
    return this.#availability.run(async () => {
      const { rows } = await this.#pool.query<StoredCosignature>(
        `SELECT ${COSIGNATURE_COLUMNS} FROM merkle_cosignatures WHERE tenant = $1
           ORDER BY tree_size DESC, witness, key_id LIMIT $2`,
        [tenant, limit],
      );
      return rows;
    });
  }
}
