import { setTimeout as sleep } from 'node:timers/promises';
import type { QueryResult, QueryResultRow } from 'pg';
import type { PendingRecord } from '../../core/ports/audit-outbox.js';
import type {
  ErasedSubject,
  StoredSubjectKey,
  SubjectKeyRepository,
} from '../../core/ports/subject-key-repository.js';
import { INSERT_PENDING_SQL, pendingValues } from './postgres-audit-outbox.js';
import type { PostgresAvailability } from './postgres-availability.js';
import type { PgPool } from './postgres-connection.js';

/** 100 ms each: how long an erasure waits for older snapshots to end before rewriting the key table. */
const SNAPSHOT_WAITS = 300;

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
    candidates: readonly (StoredSubjectKey & { ref: string; createdMs: number })[],
  ): Promise<StoredSubjectKey[]> {
    if (candidates.length === 0) return [];
    // One statement for a batch's new subjects; the SELECT then reads the winners of any race.
    await this.#query(
      `INSERT INTO subject_keys (tenant, ref, kid, wrapped, created_ms)
         SELECT $1, * FROM unnest($2::text[], $3::text[], $4::text[], $5::bigint[])
         ON CONFLICT (tenant, ref) DO NOTHING`,
      [
        tenant,
        candidates.map((c) => c.ref),
        candidates.map((c) => c.kid),
        candidates.map((c) => c.wrapped),
        candidates.map((c) => c.createdMs),
      ],
    );
    const { rows } = await this.#query<StoredSubjectKey & { ref: string }>(
      'SELECT ref, kid, wrapped FROM subject_keys WHERE tenant = $1 AND ref = ANY($2::text[])',
      [tenant, candidates.map((c) => c.ref)],
    );
    const byRef = new Map(rows.map((r) => [r.ref, { kid: r.kid, wrapped: r.wrapped }]));
    return candidates.map((c) => byRef.get(c.ref)!);
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

  async erase(
    tenant: string,
    refs: readonly string[],
    actorRef: string,
    pending?: (kids: readonly string[]) => PendingRecord,
  ): Promise<ErasedSubject | undefined> {
    const erased = await this.#availability.run(async () => {
      const client = await this.#pool.connect();
      try {
        await client.query('BEGIN');
        const key = await client.query<{ ref: string; kid: string; xid: string }>(
          `DELETE FROM subject_keys WHERE tenant = $1 AND ref = ANY($2::text[])
            RETURNING ref, kid, xid(pg_current_xact_id())::text AS xid`,
          [tenant, refs],
        );
        const actors = await client.query('DELETE FROM actors WHERE tenant = $1 AND actor_id = $2', [
          tenant,
          actorRef,
        ]);
        const row = key.rows[0];
        const kidOf = new Map(key.rows.map((r) => [r.ref, r.kid]));
        const kids = refs.flatMap((r) => (kidOf.has(r) ? [kidOf.get(r)!] : []));
        if (row && pending) await client.query(INSERT_PENDING_SQL, pendingValues(pending(kids)));
        await client.query('COMMIT');
        return row ? { kids, xid: row.xid, actorRows: actors.rowCount ?? 0 } : undefined;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {});
        throw error;
      } finally {
        client.release();
      }
    });
    if (!erased) return undefined;
    // VACUUM FULL copies a dead row that an older snapshot may still see: wait (a bounded while) until no
    // session of this database holds one, then rewrite the key table into a new file without the row.
    for (let i = 0; i < SNAPSHOT_WAITS; i++) {
      const { rows } = await this.#query<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_stat_activity
          WHERE datname = current_database() AND pid <> pg_backend_pid()
            AND backend_xmin IS NOT NULL AND age(backend_xmin) >= age($1::xid)`,
        [erased.xid],
      );
      if (rows[0]!.n === 0) break;
      await sleep(100);
    }
    await this.#query('VACUUM FULL subject_keys');
    await this.#query('VACUUM actors');
    return { kids: erased.kids, actorRows: erased.actorRows };
  }

  #query<R extends QueryResultRow>(text: string, values?: unknown[]): Promise<QueryResult<R>> {
    return this.#availability.run(() => this.#pool.query<R>(text, values));
  }
}
