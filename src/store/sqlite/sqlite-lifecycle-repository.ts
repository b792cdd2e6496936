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
import { withPending } from './sqlite-audit-outbox.js';
import { prepared, type SqliteDb, translateSqliteError } from './sqlite-connection.js';

/**
 * Lifecycle tables of a SQLite store. Policies and holds are a few rows written on the main thread's
 * connection (like tokens); a purge step goes to the writer thread (`purge`), so it commits between two
 * append groups and never waits on, nor holds up, the write lock for long.
 */
export class SqliteLifecycleRepository implements LifecycleRepository {
  readonly #db: SqliteDb;
  readonly #purge: (step: PurgeStep) => Promise<void>;

  constructor(db: SqliteDb, purge: (step: PurgeStep) => Promise<void>) {
    this.#db = db;
    this.#purge = purge;
  }

  async listPolicies(tenant?: string): Promise<RetentionPolicy[]> {
    const where = tenant === undefined ? '' : 'WHERE tenant = ?';
    const args = tenant === undefined ? [] : [tenant];
    return this.#run(() =>
      (
        prepared(
          this.#db,
          `SELECT ${POLICY_COLUMNS} FROM retention_policies ${where} ORDER BY tenant, stream DESC, category`,
        ).all(...args) as Record<string, unknown>[]
      ).map(policyOf),
    );
  }

  async putPolicy(p: RetentionPolicy, pending?: PendingRecord): Promise<void> {
    this.#run(() =>
      withPending(this.#db, pending, () =>
        prepared(
          this.#db,
          `INSERT INTO retention_policies (${POLICY_COLUMNS}) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (tenant, stream, category) DO UPDATE SET max_age_days = excluded.max_age_days, updated_ms = excluded.updated_ms`,
        ).run(p.tenant, p.stream, p.category ?? '', p.maxAgeDays, p.updatedMs),
      ),
    );
  }

  async deletePolicy(
    tenant: string,
    stream: Stream,
    category: string | null,
    pending?: PendingRecord,
  ): Promise<boolean> {
    const remove = () =>
      prepared(
        this.#db,
        'DELETE FROM retention_policies WHERE tenant = ? AND stream = ? AND category = ?',
      ).run(tenant, stream, category ?? '').changes > 0;
    return this.#run(() => withPending(this.#db, pending, remove, Boolean));
  }

  async listHolds(tenant: string, includeReleased: boolean): Promise<LegalHold[]> {
    const active = includeReleased ? '' : 'AND released_ms IS NULL';
    return this.#run(() =>
      (
        prepared(
          this.#db,
          `SELECT ${HOLD_COLUMNS} FROM legal_holds WHERE tenant = ? ${active} ORDER BY created_ms DESC, id DESC`,
        ).all(tenant) as Record<string, unknown>[]
      ).map(holdOf),
    );
  }

  async getHold(tenant: string, id: string): Promise<LegalHold | undefined> {
    return this.#run(() => {
      const row = prepared(
        this.#db,
        `SELECT ${HOLD_COLUMNS} FROM legal_holds WHERE tenant = ? AND id = ?`,
      ).get(tenant, id) as Record<string, unknown> | undefined;
      return row ? holdOf(row) : undefined;
    });
  }

  async putHold(hold: LegalHold, pending?: PendingRecord): Promise<void> {
    this.#run(() =>
      withPending(this.#db, pending, () =>
        prepared(
          this.#db,
          `INSERT INTO legal_holds (${HOLD_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        ).run(...holdValues(hold)),
      ),
    );
  }

  async releaseHold(
    tenant: string,
    id: string,
    releasedMs: number,
    releasedBy: string,
    pending?: PendingRecord,
  ): Promise<boolean> {
    const release = () =>
      prepared(
        this.#db,
        'UPDATE legal_holds SET released_ms = ?, released_by = ? WHERE tenant = ? AND id = ? AND released_ms IS NULL',
      ).run(releasedMs, releasedBy, tenant, id).changes > 0;
    return this.#run(() => withPending(this.#db, pending, release, Boolean));
  }

  async purgeCandidates(
    tenant: string,
    selector: PurgeSelector,
    after: { occurredMs: number; seq: number } | null,
    limit: number,
  ): Promise<PurgeCandidate[]> {
    const table = selector.stream === 'event' ? 'events' : 'auth_events';
    const where = ['tenant = ?', 'occurred_ms < ?'];
    const args: unknown[] = [tenant, selector.beforeMs];
    if (after) {
      where.push('(occurred_ms, seq) > (?, ?)');
      args.push(after.occurredMs, after.seq);
    }
    if (selector.categories) {
      where.push('category IN (SELECT value FROM json_each(?))');
      args.push(JSON.stringify(selector.categories));
    }
    if (selector.excludeCategories) {
      where.push('category NOT IN (SELECT value FROM json_each(?))');
      args.push(JSON.stringify(selector.excludeCategories));
    }
    return this.#run(() =>
      (
        prepared(
          this.#db,
          `SELECT ${CANDIDATE_COLUMNS[selector.stream]} FROM ${table} WHERE ${where.join(' AND ')}
           ORDER BY occurred_ms, seq LIMIT ?`,
        )
          .raw()
          .all(...args, limit) as unknown[][]
      ).map(candidateOf),
    );
  }

  purge(step: PurgeStep): Promise<void> {
    return this.#purge(step);
  }

  async listPurges(tenant: string): Promise<SignedPurge[]> {
    return this.#run(() =>
      (
        prepared(this.#db, 'SELECT record FROM purges WHERE tenant = ? ORDER BY first_seq, purge_id')
          .pluck()
          .all(tenant) as string[]
      ).map(purgeOf),
    );
  }

  async unrecordedPurges(): Promise<UnrecordedPurge[]> {
    return this.#run(() =>
      (
        prepared(
          this.#db,
          `SELECT u.run_id AS runId, u.run_step AS step, p.record FROM purges_unrecorded u
             JOIN purges p ON p.tenant = u.tenant AND p.purge_id = u.purge_id
            ORDER BY u.tenant, u.run_id, u.run_step`,
        ).all() as { runId: string; step: number; record: string }[]
      ).map((r) => ({ run: { runId: r.runId, step: r.step }, record: purgeOf(r.record) })),
    );
  }

  async markPurgesRecorded(tenant: string, purgeIds: string[]): Promise<void> {
    this.#run(() =>
      prepared(
        this.#db,
        'DELETE FROM purges_unrecorded WHERE tenant = ? AND purge_id IN (SELECT value FROM json_each(?))',
      ).run(tenant, JSON.stringify(purgeIds)),
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

/**
 * One purge step, inside the writer's transaction: each entry's tombstone first (its digest computed from
 * the stored content, so the chain keeps linking), then the row — the delete guard lets it go only now —
 * and the signed record. Every seq must be a live entry of the stream, or nothing of the step is kept.
 */
export function purgeStep(db: SqliteDb, step: PurgeStep): void {
  const table = step.stream === 'event' ? 'events' : 'auth_events';
  const read = prepared(
    db,
    `SELECT rowid AS rid, id, received_ms AS receivedMs, body, prev_hash AS prevHash, hash, session_id AS sessionId
       FROM ${table} WHERE tenant = ? AND seq = ?`,
  );
  const tomb = prepared(
    db,
    `INSERT INTO purged_entries (tenant, seq, stream, id, received_ms, digest, prev_hash, hash, purge_id)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const remove = prepared(db, `DELETE FROM ${table} WHERE tenant = ? AND seq = ?`);
  const rids: number[] = [];
  const sessions = new Set<string>();
  for (const seq of step.seqs) {
    const row = read.get(step.tenant, seq) as
      | {
          rid: number;
          id: string;
          receivedMs: number;
          body: string;
          prevHash: string;
          hash: string;
          sessionId: string | null;
        }
      | undefined;
    if (!row)
      throw new AuditError('idempotency_conflict', `Seq ${seq} is not a live ${step.stream} entry any more`);
    const digest = entryDigest(step.stream, formatTimestamp(row.receivedMs), row.body);
    tomb.run(
      step.tenant,
      seq,
      step.stream,
      row.id,
      row.receivedMs,
      digest,
      row.prevHash,
      row.hash,
      step.record.purgeId,
    );
    remove.run(step.tenant, seq);
    rids.push(row.rid);
    if (row.sessionId) sessions.add(row.sessionId);
  }
  if (step.stream === 'auth') dropSessions(db, step.tenant, [...sessions]);
  else dropChunks(db, step.tenant, rids);
  prepared(db, 'INSERT INTO purges (tenant, purge_id, first_seq, record) VALUES (?, ?, ?, ?)').run(
    step.tenant,
    step.record.purgeId,
    step.record.firstSeq,
    JSON.stringify(step.record),
  );
  prepared(db, 'INSERT INTO purges_unrecorded (tenant, purge_id, run_id, run_step) VALUES (?, ?, ?, ?)').run(
    step.tenant,
    step.record.purgeId,
    step.run.runId,
    step.run.step,
  );
}

/** Sessions of the step's sign-in events that have no live sign-in event left. */
function dropSessions(db: SqliteDb, tenant: string, sessions: string[]): void {
  if (sessions.length === 0) return;
  prepared(
    db,
    `DELETE FROM sessions WHERE tenant = ? AND session_id IN (SELECT value FROM json_each(?))
        AND NOT EXISTS (SELECT 1 FROM auth_events a WHERE a.tenant = sessions.tenant AND a.session_id = sessions.session_id)`,
  ).run(tenant, JSON.stringify(sessions));
}

/**
 * Keyword chunks (row ids lo–hi) of the step's events that have no live event left. The chunk row goes, so
 * no search reaches its document; the contentless FTS5 document itself cannot be deleted without its text.
 */
function dropChunks(db: SqliteDb, tenant: string, rids: number[]): void {
  const chunkOf = prepared(
    db,
    'SELECT lo, hi FROM event_search_chunks WHERE tenant = ? AND lo <= ? ORDER BY lo DESC LIMIT 1',
  );
  const live = prepared(db, 'SELECT 1 FROM events WHERE rowid BETWEEN ? AND ? AND tenant = ? LIMIT 1');
  const remove = prepared(db, 'DELETE FROM event_search_chunks WHERE lo = ?');
  const seen = new Set<number>();
  for (const rid of rids) {
    const chunk = chunkOf.get(tenant, rid) as { lo: number; hi: number } | undefined;
    if (!chunk || chunk.hi < rid || seen.has(chunk.lo)) continue;
    seen.add(chunk.lo);
    if (!live.get(chunk.lo, chunk.hi, tenant)) remove.run(chunk.lo);
  }
}
