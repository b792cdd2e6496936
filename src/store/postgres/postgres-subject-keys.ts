import type { QueryResult, QueryResultRow } from 'pg';
import type {
  ErasedSubject,
  StoredSubjectKey,
  SubjectKeyRepository,
} from '../../core/ports/subject-key-repository.js';
import type { PostgresAvailability } from './postgres-availability.js';
import type { PgPool } from './postgres-connection.js';

/**
 * Subject keys in PostgreSQL. Erasing deletes the key row and the subject's actor suggestions in one
 * transaction, then rewrites the key table (VACUUM FULL) so the dead row does not stay readable in a heap
 * page; the WAL of the key's insert is recycled by PostgreSQL's own checkpoints (docs/lifecycle.md).
 */
export class PostgresSubjectKeys implements SubjectKeyRepository {
  readonly #pool: PgPool;
  readonly #availability: PostgresAvailability;

  constructor(pool: PgPool, availability: PostgresAvailability) {
    this.#pool = pool;
    this.#availability = availability;
  }

  async getOrCreate(
    tenant: string,
    ref: string,
    c: StoredSubjectKey & { createdMs: number },
  ): Promise<StoredSubjectKey> {
    await this.#query(
      `INSERT INTO subject_keys (tenant, ref, kid, wrapped, created_ms) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (tenant, ref) DO NOTHING`,
      [tenant, ref, c.kid, c.wrapped, c.createdMs],
    );
    return (await this.find(tenant, ref))!;
  }

  async byKids(tenant: string, kids: readonly string[]): Promise<StoredSubjectKey[]> {
    if (kids.length === 0) return [];
    const { rows } = await this.#query<StoredSubjectKey>(
      'SELECT kid, wrapped FROM subject_keys WHERE tenant = $1 AND kid = ANY($2::text[])',
      [tenant, kids],
    );
    return rows;
  }

  async find(tenant: string, ref: string): Promise<StoredSubjectKey | undefined> {
    const { rows } = await this.#query<StoredSubjectKey>(
      'SELECT kid, wrapped FROM subject_keys WHERE tenant = $1 AND ref = $2',
      [tenant, ref],
    );
    return rows[0];
  }

  async erase(tenant: string, ref: string, actorRef: string): Promise<ErasedSubject | undefined> {
    const erased = await this.#availability.run(async () => {
      const client = await this.#pool.connect();
      try {
        await client.query('BEGIN');
        const key = await client.query<{ kid: string }>(
          'DELETE FROM subject_keys WHERE tenant = $1 AND ref = $2 RETURNING kid',
          [tenant, ref],
        );
        const actors = await client.query('DELETE FROM actors WHERE tenant = $1 AND actor_id = $2', [
          tenant,
          actorRef,
        ]);
        await client.query('COMMIT');
        return key.rows[0] ? { kid: key.rows[0].kid, actorRows: actors.rowCount ?? 0 } : undefined;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {});
        throw error;
      } finally {
        client.release();
      }
    });
    if (erased) {
      // FULL rewrites the (small) key table into a new file and drops the old one with the dead row.
      await this.#query('VACUUM FULL subject_keys');
      await this.#query('VACUUM actors');
    }
    return erased;
  }

  #query<R extends QueryResultRow>(text: string, values?: unknown[]): Promise<QueryResult<R>> {
    return this.#availability.run(() => this.#pool.query<R>(text, values));
  }
}
