import type { PoolClient, QueryResult, QueryResultRow } from 'pg';
import type { Stream } from '../../core/domain/entry.js';
import { AuditError } from '../../core/domain/errors.js';
import { entryDigest } from '../../core/domain/hash-chain.js';
import type { SignedPurge } from '../../core/domain/purge-record.js';
import type {
  LegalHold,
  PurgeCandidate,
  PurgeSelector,
  RetentionPolicy,
} from '../../core/domain/retention.js';
import { formatTimestamp } from '../../core/domain/time.js';
import type { PendingRecord } from '../../core/ports/audit-outbox.js';
import type {
  LifecycleRepository,
  PurgeStep,
  UnrecordedPurge,
} from '../../core/ports/lifecycle-repository.js';
import {
  CANDIDATE_COLUMNS,
  candidateOf,
  HOLD_COLUMNS,
  holdOf,
  holdValues,
  POLICY_COLUMNS,
  policyOf,
  purgeOf,
} from '../sql/lifecycle-rows.js';
import { withPending } from './postgres-audit-outbox.js';
import type { PostgresAvailability } from './postgres-availability.js';
import { type PgPool, pgText, translatePgError } from './postgres-connection.js';
import { DROP_LOCK, PostgresPartitionPurger } from './postgres-partitions.js';

/** How long a purge step waits, between tries, for another node's partition drop to end. */
const DROP_WAIT_MS = 200;
const DROP_WAIT_TRIES = 150;

/**
 * Lifecycle tables of a PostgreSQL store. A purge step is one short transaction on the writer pool that
 * locks only the rows it removes (never a chain head), so appends and reads go on beside it.
 */
export class PostgresLifecycleRepository implements LifecycleRepository {
  readonly #pool: PgPool;
  readonly #writerPool: PgPool | null;
  readonly #availability: PostgresAvailability;
  /** Whole-partition drops, on the query pool (a drop is too long for the writer's one connection). */
  readonly partitions: PostgresPartitionPurger | undefined;

  constructor(pool: PgPool, writerPool: PgPool | null, availability: PostgresAvailability) {
    this.#pool = pool;
    this.#writerPool = writerPool;
    this.#availability = availability;
    this.partitions = writerPool ? new PostgresPartitionPurger(pool) : undefined;
  }

  async listPolicies(tenant?: string): Promise<RetentionPolicy[]> {
    const { rows } =
      tenant === undefined
        ? await this.#query(
            `SELECT ${POLICY_COLUMNS} FROM retention_policies ORDER BY tenant, stream DESC, category`,
          )
        : await this.#query(
            `SELECT ${POLICY_COLUMNS} FROM retention_policies WHERE tenant = $1 ORDER BY tenant, stream DESC, category`,
            [tenant],
          );
    return rows.map(policyOf);
  }

  async putPolicy(p: RetentionPolicy, pending?: PendingRecord): Promise<void> {
    const { text, values } = withPending(
      `INSERT INTO retention_policies (${POLICY_COLUMNS}) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (tenant, stream, category) DO UPDATE SET max_age_days = excluded.max_age_days, updated_ms = excluded.updated_ms
       RETURNING tenant`,
      [p.tenant, p.stream, p.category ?? '', p.maxAgeDays, p.updatedMs],
      pending,
    );
    await this.#query(text, values);
  }

  async deletePolicy(
    tenant: string,
    stream: Stream,
    category: string | null,
    pending?: PendingRecord,
  ): Promise<boolean> {
    const { text, values } = withPending(
      'DELETE FROM retention_policies WHERE tenant = $1 AND stream = $2 AND category = $3 RETURNING tenant',
      [tenant, stream, category ?? ''],
      pending,
    );
    const result = await this.#query(text, values);
    return (result.rowCount ?? 0) > 0;
  }

  async listHolds(tenant: string, includeReleased: boolean): Promise<LegalHold[]> {
    const active = includeReleased ? '' : 'AND released_ms IS NULL';
    const { rows } = await this.#query(
      `SELECT ${HOLD_COLUMNS} FROM legal_holds WHERE tenant = $1 ${active} ORDER BY created_ms DESC, id DESC`,
      [tenant],
    );
    return rows.map(holdOf);
  }

  async getHold(tenant: string, id: string): Promise<LegalHold | undefined> {
    const { rows } = await this.#query(
      `SELECT ${HOLD_COLUMNS} FROM legal_holds WHERE tenant = $1 AND id = $2`,
      [tenant, pgText(id)],
    );
    return rows[0] ? holdOf(rows[0]) : undefined;
  }

  async putHold(hold: LegalHold, pending?: PendingRecord): Promise<void> {
    const { text, values } = withPending(
      `INSERT INTO legal_holds (${HOLD_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id`,
      holdValues(hold).map((v) => (typeof v === 'string' ? pgText(v) : v)),
      pending,
    );
    await this.#query(text, values);
  }

  async releaseHold(
    tenant: string,
    id: string,
    releasedMs: number,
    releasedBy: string,
    pending?: PendingRecord,
  ): Promise<boolean> {
    const { text, values } = withPending(
      `UPDATE legal_holds SET released_ms = $1, released_by = $2
        WHERE tenant = $3 AND id = $4 AND released_ms IS NULL RETURNING id`,
      [releasedMs, pgText(releasedBy), tenant, pgText(id)],
      pending,
    );
    const result = await this.#query(text, values);
    return (result.rowCount ?? 0) > 0;
  }

  async purgeCandidates(
    tenant: string,
    selector: PurgeSelector,
    after: { occurredMs: number; seq: number } | null,
    limit: number,
  ): Promise<PurgeCandidate[]> {
    const table = selector.stream === 'event' ? 'events' : 'auth_events';
    const values: unknown[] = [tenant, selector.beforeMs];
    const where = ['tenant = $1', 'occurred_ms < $2'];
    const param = (v: unknown) => {
      values.push(v);
      return `$${values.length}`;
    };
    if (after) where.push(`(occurred_ms, seq) > (${param(after.occurredMs)}, ${param(after.seq)})`);
    if (selector.categories) where.push(`category = ANY(${param(selector.categories)}::text[])`);
    if (selector.excludeCategories)
      where.push(`NOT (category = ANY(${param(selector.excludeCategories)}::text[]))`);
    const { rows } = await this.#availability.run(() =>
      this.#pool.query<unknown[]>({
        text: `SELECT ${CANDIDATE_COLUMNS[selector.stream]} FROM ${table} WHERE ${where.join(' AND ')}
                ORDER BY occurred_ms, seq LIMIT ${param(limit)}`,
        values,
        rowMode: 'array',
      }),
    );
    return rows.map(candidateOf);
  }

  /**
   * While another node drops a partition (postgres-partitions.ts: DROP_LOCK, shared here) the step waits
   * outside the transaction: the writer's one connection must not sit in a lock wait while appends queue.
   */
  async purge(step: PurgeStep): Promise<void> {
    for (let attempt = 1; !(await this.#purgeStep(step)); attempt++) {
      if (attempt >= DROP_WAIT_TRIES) throw conflict(step);
      await new Promise((r) => setTimeout(r, DROP_WAIT_MS));
    }
  }

  /** One step; false (nothing done) when a partition drop holds the purge lock. */
  async #purgeStep(step: PurgeStep): Promise<boolean> {
    const pool = this.#writerPool;
    if (!pool) throw new AuditError('store_unavailable', 'The store is open read-only');
    const table = step.stream === 'event' ? 'events' : 'auth_events';
    return this.#availability.run(async () => {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const lock = await client.query<{ ok: boolean }>(
          'SELECT pg_try_advisory_xact_lock_shared($1) AS ok',
          [DROP_LOCK],
        );
        if (!lock.rows[0]?.ok) {
          await client.query('ROLLBACK');
          return false;
        }
        const { rows } = await client.query<{
          seq: number;
          id: string;
          received_ms: number;
          body: string;
          prev_hash: string;
          hash: string;
          session_id: string | null;
        }>(
          `SELECT seq, id, received_ms, body, prev_hash, hash, session_id FROM ${table}
            WHERE tenant = $1 AND seq = ANY($2::bigint[]) ORDER BY seq`,
          [step.tenant, step.seqs],
        );
        if (rows.length !== step.seqs.length || rows.some((r, i) => r.seq !== step.seqs[i]))
          throw conflict(step);
        const digests = rows.map((r) => entryDigest(step.stream, formatTimestamp(r.received_ms), r.body));
        await client.query(
          `INSERT INTO purged_entries (tenant, seq, stream, id, received_ms, digest, prev_hash, hash, purge_id)
           SELECT $1, s, $2, i, r, d, p, h, $3
             FROM unnest($4::bigint[], $5::text[], $6::bigint[], $7::text[], $8::text[], $9::text[]) AS t(s, i, r, d, p, h)`,
          [
            step.tenant,
            step.stream,
            step.record.purgeId,
            rows.map((r) => r.seq),
            rows.map((r) => r.id),
            rows.map((r) => r.received_ms),
            digests,
            rows.map((r) => r.prev_hash),
            rows.map((r) => r.hash),
          ],
        );
        // No FOR UPDATE above (it needs UPDATE on the entries, which no role should have): a step of another
        // node on the same seqs fails on the tombstones' key, or deletes them first (fewer rows here).
        const deleted = await client.query(
          `DELETE FROM ${table} WHERE tenant = $1 AND seq = ANY($2::bigint[])`,
          [step.tenant, step.seqs],
        );
        if (deleted.rowCount !== step.seqs.length) throw conflict(step);
        await client.query(
          'INSERT INTO purges (tenant, purge_id, first_seq, record) VALUES ($1, $2, $3, $4)',
          [step.tenant, step.record.purgeId, step.record.firstSeq, JSON.stringify(step.record)],
        );
        await client.query(
          'INSERT INTO purges_unrecorded (tenant, purge_id, run_id, run_step) VALUES ($1, $2, $3, $4)',
          [step.tenant, step.record.purgeId, step.run.runId, step.run.step],
        );
        const sessions = [...new Set(rows.flatMap((r) => (r.session_id ? [r.session_id] : [])))];
        await dropDerived(client, step, sessions);
        await client.query('COMMIT');
        return true;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {});
        if ((error as { code?: string }).code === '23505') throw conflict(step);
        throw error instanceof AuditError ? error : translatePgError(error);
      } finally {
        client.release();
      }
    });
  }

  async listPurges(tenant: string): Promise<SignedPurge[]> {
    const { rows } = await this.#query<{ record: string }>(
      'SELECT record FROM purges WHERE tenant = $1 ORDER BY first_seq, purge_id',
      [tenant],
    );
    return rows.map((r) => purgeOf(r.record));
  }

  async unrecordedPurges(): Promise<UnrecordedPurge[]> {
    const { rows } = await this.#query<{ run_id: string; run_step: number; record: string }>(
      `SELECT u.run_id, u.run_step, p.record FROM purges_unrecorded u
         JOIN purges p ON p.tenant = u.tenant AND p.purge_id = u.purge_id
        ORDER BY u.tenant, u.run_id, u.run_step`,
    );
    return rows.map((r) => ({ run: { runId: r.run_id, step: r.run_step }, record: purgeOf(r.record) }));
  }

  async markPurgesRecorded(tenant: string, purgeIds: string[]): Promise<void> {
    await this.#query('DELETE FROM purges_unrecorded WHERE tenant = $1 AND purge_id = ANY($2::text[])', [
      tenant,
      purgeIds,
    ]);
  }

  #query<R extends QueryResultRow = Record<string, unknown>>(
    text: string,
    values?: unknown[],
  ): Promise<QueryResult<R>> {
    return this.#availability.run(() => this.#pool.query<R>(text, values));
  }
}

/**
 * Derived rows the step left without a live entry: sessions none of whose sign-in events is live, keyword
 * chunks none of whose events is. A role without DELETE on them (postgres.md) keeps them: the step still
 * commits.
 */
async function dropDerived(client: PoolClient, step: PurgeStep, sessions: string[]): Promise<void> {
  await client.query('SAVEPOINT derived');
  try {
    if (step.stream === 'auth') {
      if (sessions.length === 0) return;
      await client.query(
        `DELETE FROM sessions s WHERE s.tenant = $1 AND s.session_id = ANY($2::text[])
            AND NOT EXISTS (SELECT 1 FROM auth_events a WHERE a.tenant = s.tenant AND a.session_id = s.session_id)`,
        [step.tenant, sessions.map(pgText)],
      );
    } else {
      // The chunk of each seq: the one with the greatest lo at or below it.
      await client.query(
        `DELETE FROM event_search_chunks c
          WHERE c.tenant = $1
            AND c.lo IN (SELECT (SELECT x.lo FROM event_search_chunks x WHERE x.tenant = $1 AND x.lo <= s
                                  ORDER BY x.lo DESC LIMIT 1) FROM unnest($2::bigint[]) s)
            AND NOT EXISTS (SELECT 1 FROM events e WHERE e.tenant = c.tenant AND e.seq BETWEEN c.lo AND c.hi)`,
        [step.tenant, step.seqs],
      );
    }
    await client.query('RELEASE SAVEPOINT derived');
  } catch (error) {
    if ((error as { code?: string }).code !== '42501') throw error;
    await client.query('ROLLBACK TO SAVEPOINT derived');
  }
}

function conflict(step: PurgeStep): AuditError {
  return new AuditError(
    'idempotency_conflict',
    `Some of seqs ${step.seqs[0]}… are not live ${step.stream} entries any more`,
  );
}
