import type { AppendBatch, AppendedEntry, PreparedEvent } from '../../core/domain/entry.js';
import { AuditError } from '../../core/domain/errors.js';
import { type ChainHead, EMPTY_HEAD } from '../../core/domain/hash-chain.js';
import { mergeSession, type SessionRow } from '../../core/domain/session-merge.js';
import { AppendPlan, type SealedAuth, type SealedEvent } from '../sql/append-plan.js';
import { SESSION_COLUMNS } from '../sql/auth-query-plan.js';
import { KnownActors } from '../sql/known-actors.js';
import { RollupCounter } from '../sql/rollups-sql.js';
import type { Outcome } from '../threads/group-commit.js';
import { type FileIdentity, fileMoved, type SqliteDb, translateSqliteError } from './sqlite-connection.js';
import { purgeStep } from './sqlite-lifecycle-repository.js';
import { INSERT_FACET_SQL } from './sqlite-planner-schema.js';
import { SqliteSearchIndex } from './sqlite-search-index.js';
import type { WriteRequest } from './sqlite-writer-protocol.js';
import { eventRowValues, INSERT_AUTH_SQL, INSERT_EVENT_SQL } from './sqlite-writer-rows.js';

/** For a short sleep of the writer thread between checkpoint attempts. */
const PAUSE = new Int32Array(new SharedArrayBuffer(4));

/** Thrown inside an optimistic group: roll it back and run it again with a savepoint per batch. */
const ISOLATE = Symbol('isolate');

interface GroupState {
  actors: Set<string>;
  rollups: RollupCounter;
  /** Facet combinations (event-facets.ts) new to this writer: the JSON of [tenant, type, category, action]. */
  facets: Set<string>;
}

/** A purged entry's id answers as a duplicate from its tombstone (the id stays taken; append-plan.ts). */
const TOMBSTONE_BY_ID = (stream: string) =>
  `SELECT seq, received_ms, '', 1 FROM purged_entries WHERE tenant = ? AND stream = '${stream}' AND id = ?`;

/**
 * The single writer of a SQLite store (it runs in a worker thread, see sqlite-writer-worker.ts). One call of
 * `commitGroup` is one transaction and one fsync for many client batches; each batch sits in a savepoint,
 * so a batch that fails (an idempotency conflict) rolls back alone and the others still commit. What keeps the
 * database from being written (a full disk, an I/O error, the file deleted under it) fails the whole group
 * with `store_unavailable` and stores nothing of it; the next group tries again, so ingest resumes by itself
 * once space is freed.
 */
export class SqliteWriter {
  readonly #db: SqliteDb;
  readonly #file: FileIdentity | null;
  readonly #stmt;
  readonly #search: SqliteSearchIndex;
  /** Actors written recently (never an erasable one: known-actors.ts). */
  readonly #knownActors = new KnownActors();
  /** Facet combinations committed (a rolled-back group's are not: its inserts were undone). */
  readonly #knownFacets = new Set<string>();

  /** `file`: the database file as opened, so that a commit into a deleted or replaced file is refused. */
  constructor(db: SqliteDb, file: FileIdentity | null = null) {
    this.#db = db;
    this.#file = file;
    this.#search = new SqliteSearchIndex(db);
    this.#stmt = {
      head: db.prepare('SELECT seq, hash FROM chain_heads WHERE tenant = ?'),
      putHead: db.prepare(
        'INSERT INTO chain_heads (tenant, seq, hash) VALUES (?, ?, ?) ON CONFLICT (tenant) DO UPDATE SET seq = excluded.seq, hash = excluded.hash',
      ),
      eventById: db.prepare(
        `SELECT seq, received_ms AS receivedMs, body, 0 AS purged FROM events WHERE tenant = ? AND id = ?
         UNION ALL ${TOMBSTONE_BY_ID('event')}`,
      ),
      insertEvent: db.prepare(INSERT_EVENT_SQL),
      addFacet: db.prepare(INSERT_FACET_SQL),
      addRollup:
        db.prepare(`INSERT INTO event_rollups (tenant, dim, day_ms, key, label, n) VALUES (?, ?, ?, ?, ?, ?)
        ON CONFLICT (tenant, dim, day_ms, key, label) DO UPDATE SET n = n + excluded.n`),
      authById: db.prepare(
        `SELECT seq, received_ms AS receivedMs, body, 0 AS purged FROM auth_events WHERE tenant = ? AND id = ?
         UNION ALL ${TOMBSTONE_BY_ID('auth')}`,
      ),
      insertAuth: db.prepare(INSERT_AUTH_SQL),
      session: db.prepare(`SELECT ${SESSION_COLUMNS} FROM sessions WHERE tenant = ? AND session_id = ?`),
      putSession:
        db.prepare(`INSERT OR REPLACE INTO sessions (tenant, session_id, user_id, username, username_f,
        display_name, method, ip, ip_key, user_agent, login_ms, ended_ms, end_reason, sort_ms)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
      upsertActor: db.prepare(`INSERT INTO actors (tenant, actor_id, username, username_f, display_name)
        VALUES (?, ?, ?, ?, ?) ON CONFLICT (tenant, actor_id, username) DO UPDATE SET display_name = excluded.display_name
        WHERE display_name IS NOT excluded.display_name`),
      putCheckpoint: db.prepare(`INSERT INTO checkpoints (tenant, seq, hash, signed_at, key_id, signature)
        VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`),
      merkleNode: db.prepare(
        'INSERT INTO merkle_nodes (tenant, level, idx, hash) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING',
      ),
      merkleSize: db.prepare('INSERT INTO merkle_sizes (tenant, size) VALUES (?, ?) ON CONFLICT DO NOTHING'),
      probe: db.prepare(
        "INSERT INTO meta (key, value) VALUES ('write_probe', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
      ),
    };
  }

  /**
   * Commits the group. First optimistically, without a savepoint per batch: a savepoint around inserts into a
   * table with a trigger (the seq guards of migration 5) makes SQLite journal every page each insert touches,
   * which made the writer's inserts 3× dearer than plain ones. Idempotency conflicts are found by the plan
   * before a batch writes anything, so they need no savepoint; only an insert that fails after its plan does
   * (a seq guard firing, a constraint) — then the whole group rolls back and runs again with each batch in a
   * savepoint of its own, so that batch fails alone, as before.
   */
  commitGroup(requests: WriteRequest[]): Outcome<AppendedEntry[] | null>[] {
    const optimistic = this.#commitGroup(requests, false);
    return optimistic === ISOLATE
      ? (this.#commitGroup(requests, true) as Outcome<AppendedEntry[] | null>[])
      : optimistic;
  }

  #commitGroup(
    requests: WriteRequest[],
    isolated: boolean,
  ): Outcome<AppendedEntry[] | null>[] | typeof ISOLATE {
    const outcomes: Outcome<AppendedEntry[] | null>[] = [];
    const group = { actors: new Set<string>(), rollups: new RollupCounter(), facets: new Set<string>() };
    const plan = new AppendPlan({
      head: (tenant) => (this.#stmt.head.get(tenant) as ChainHead | undefined) ?? EMPTY_HEAD,
      find: (tenant, stream, id) => {
        const stmt = stream === 'event' ? this.#stmt.eventById : this.#stmt.authById;
        const row = stmt.get(tenant, id, tenant, id) as
          | { seq: number; receivedMs: number; body: string; purged: number }
          | undefined;
        return row && { seq: row.seq, receivedMs: row.receivedMs, body: row.body, purged: row.purged === 1 };
      },
    });
    const vacuums: number[] = [];
    try {
      this.#db.exec('BEGIN IMMEDIATE');
      for (const request of requests) {
        if (request.kind === 'checkpoint') {
          const c = request.checkpoint;
          this.#stmt.putCheckpoint.run(c.tenant, c.seq, c.hash, c.signedAt, c.keyId, c.signature);
          outcomes.push({ ok: true, value: null });
        } else if (request.kind === 'vacuum') {
          vacuums.push(outcomes.length);
          outcomes.push({ ok: true, value: null });
        } else if (request.kind === 'probe') {
          this.#stmt.probe.run(String(Date.now()));
          outcomes.push({ ok: true, value: null });
        } else if (request.kind === 'purge') {
          outcomes.push(this.#purge(request.step, isolated));
        } else if (request.kind === 'merkle') {
          outcomes.push(this.#merkle(request, isolated));
        } else {
          outcomes.push(this.#append(request.batch, plan, group, isolated));
        }
      }
      for (const [tenant, head] of plan.heads) this.#stmt.putHead.run(tenant, head.seq, head.hash);
      for (const row of group.rollups.rows()) this.#stmt.addRollup.run(...row);
      for (const facet of group.facets) this.#stmt.addFacet.run(...JSON.parse(facet));
      this.#search.writeFullChunks();
      const moved = fileMoved(this.#file);
      if (moved) throw new AuditError('store_unavailable', moved);
      this.#db.exec('COMMIT');
      this.#search.committed();
      this.#knownActors.add(group.actors);
      if (this.#knownFacets.size + group.facets.size > 50_000) this.#knownFacets.clear();
      for (const facet of group.facets) this.#knownFacets.add(facet);
    } catch (error) {
      try {
        if (this.#db.inTransaction) this.#db.exec('ROLLBACK');
      } catch {
        // SQLite rolled back by itself (a full disk): nothing of the group is stored either way.
      }
      this.#search.rolledBack();
      if (error === ISOLATE) return ISOLATE;
      const failure = translateSqliteError(error);
      const storeError =
        failure instanceof AuditError
          ? failure
          : new AuditError('store_unavailable', `Commit failed: ${(error as Error).message}`, [], {
              cause: error,
            });
      return requests.map(() => ({ ok: false, error: storeError }));
    }
    if (vacuums.length > 0) {
      try {
        this.#vacuum();
      } catch (error) {
        // The group is committed: only the vacuums fail (an erasure is retried whole).
        for (const i of vacuums) outcomes[i] = { ok: false, error: translateSqliteError(error) };
      }
    }
    return outcomes;
  }

  /**
   * One client batch: planned (a conflict fails it before it writes anything), then written — optimistically
   * straight into the group's transaction, where a failed insert retries the whole group (ISOLATE), or
   * `isolated` in a savepoint of its own, so that a failed insert rolls back this batch alone.
   */
  #append(
    batch: AppendBatch,
    plan: AppendPlan,
    group: GroupState,
    isolated: boolean,
  ): Outcome<AppendedEntry[] | null> {
    const planned = { events: plan.events.length, auth: plan.auth.length };
    let results: AppendedEntry[];
    try {
      results = plan.add(batch);
    } catch (error) {
      return { ok: false, error: translateSqliteError(error) };
    }
    const write = () => {
      this.#writeBatch(batch, plan, planned, group);
      return results;
    };
    return this.#step(isolated, write, () => plan.undoLast());
  }

  /**
   * VACUUM rewrites every page (the freed ones too); the truncating checkpoint empties the WAL file — after an
   * erasure, so that no page of either keeps a destroyed key. A reader in the middle of a read keeps the WAL
   * busy for a moment: the checkpoint is tried again, briefly. Runs after the group's COMMIT (VACUUM cannot
   * run in a transaction).
   */
  #vacuum(): void {
    this.#db.exec('VACUUM');
    for (let i = 0; i < 50; i++) {
      const [r] = this.#db.pragma('wal_checkpoint(TRUNCATE)') as { busy: number }[];
      if (r?.busy === 0) return;
      Atomics.wait(PAUSE, 0, 0, 20);
    }
  }

  /** The rows of the batch the plan just added; what is kept in memory is staged only once they are written. */
  #writeBatch(
    batch: AppendBatch,
    plan: AppendPlan,
    planned: { events: number; auth: number },
    group: GroupState,
  ): void {
    const indexed = plan.events
      .slice(planned.events)
      .map((e) => ({ rid: this.#insertEvent(e), seq: e.seq, entry: e.entry }));
    for (const a of plan.auth.slice(planned.auth)) this.#insertAuth(a);
    const batchActors = new Set<string>();
    for (const x of indexed) this.#upsertActor(batch.tenant, x.entry, batchActors);
    for (const a of batchActors) group.actors.add(a);
    for (const x of indexed) group.rollups.add(batch.tenant, x.entry.occurredMs, x.entry.columns);
    for (const { entry } of indexed) {
      const c = entry.columns;
      const facet = JSON.stringify([batch.tenant, c.eventType, c.category, c.action]);
      if (!this.#knownFacets.has(facet)) group.facets.add(facet);
    }
    for (const x of indexed) this.#search.add(batch.tenant, x.rid, x.seq, x.entry);
  }

  /** A purge step: one that finds an entry gone fails alone. */
  #purge(step: Parameters<typeof purgeStep>[1], isolated: boolean): Outcome<AppendedEntry[] | null> {
    return this.#step(isolated, () => {
      purgeStep(this.#db, step);
      return null;
    });
  }

  /** Merkle nodes and the size they cover: idempotent inserts (nodes follow from the chain). */
  #merkle(r: Extract<WriteRequest, { kind: 'merkle' }>, isolated: boolean): Outcome<AppendedEntry[] | null> {
    return this.#step(isolated, () => {
      for (const n of r.nodes) this.#stmt.merkleNode.run(r.tenant, n.level, n.index, asBuffer(n.hash));
      this.#stmt.merkleSize.run(r.tenant, r.size);
      return null;
    });
  }

  /**
   * One request's writes: straight into the group's transaction, where a failure retries the whole group with
   * a savepoint per request (ISOLATE) — a savepoint journals every page the statements touch, which tripled
   * the cost of inserts and deletes on tables with triggers —, or `isolated`, in a savepoint of its own.
   */
  #step<T>(isolated: boolean, work: () => T, undo?: () => void): Outcome<T> {
    if (isolated) return this.#inSavepoint(work, undo);
    try {
      return { ok: true, value: work() };
    } catch (error) {
      const failure = translateSqliteError(error);
      if (failure instanceof AuditError && failure.code === 'store_unavailable') throw failure;
      throw ISOLATE;
    }
  }

  /**
   * `work` in a savepoint of the group's transaction: when it fails, it is rolled back alone (and `undo`
   * forgets what it planned), unless the disk failed — then the whole group fails.
   */
  #inSavepoint<T>(work: () => T, undo?: () => void): Outcome<T> {
    this.#db.exec('SAVEPOINT step');
    try {
      const value = work();
      this.#db.exec('RELEASE step');
      return { ok: true, value };
    } catch (error) {
      const failure = translateSqliteError(error);
      // The disk, not this step: SQLite may have rolled the whole transaction back already.
      if (failure instanceof AuditError && failure.code === 'store_unavailable') throw failure;
      this.#db.exec('ROLLBACK TO step');
      this.#db.exec('RELEASE step');
      undo?.();
      return { ok: false, error: failure };
    }
  }

  #insertEvent(e: SealedEvent): number {
    const info = this.#stmt.insertEvent.run(...eventRowValues(e.tenant, e.entry, e.seq, e.prevHash, e.hash));
    return Number(info.lastInsertRowid);
  }

  #insertAuth({ tenant, entry, seq, prevHash, hash }: SealedAuth): void {
    const c = entry.columns;
    this.#stmt.insertAuth.run(
      tenant,
      seq,
      entry.id,
      entry.occurredMs,
      entry.receivedMs,
      c.type,
      c.userId,
      c.username,
      c.usernameFolded,
      c.method,
      c.reason,
      c.sessionId,
      c.ipKey,
      entry.body,
      entry.search.join('\u001f'),
      prevHash,
      hash,
    );
    if (c.sessionId !== null) {
      const current = this.#stmt.session.get(tenant, c.sessionId) as SessionRow | undefined;
      const next = mergeSession(current, { ...c, occurredMs: entry.occurredMs });
      if (next && next !== current) {
        this.#stmt.putSession.run(
          tenant,
          next.sessionId,
          next.userId,
          next.username,
          next.usernameFolded,
          next.displayName,
          next.method,
          next.ip,
          next.ipKey,
          next.userAgent,
          next.loginMs,
          next.endedMs,
          next.endReason,
          next.sortMs,
        );
      }
    }
  }

  /** Upserts the actor unless a committed group already did; returns the key to remember after commit. */
  #upsertActor(tenant: string, entry: PreparedEvent, written: Set<string>): void {
    const c = entry.columns;
    const key = KnownActors.key(tenant, c);
    if (this.#knownActors.has(key) || written.has(key)) return;
    written.add(key);
    this.#stmt.upsertActor.run(
      tenant,
      c.actorId,
      c.actorUsername ?? '',
      c.actorUsernameFolded ?? '',
      c.actorDisplayName,
    );
  }
}

/** A hash as better-sqlite3 binds a blob: a Buffer arrives from the main thread as a plain Uint8Array. */
function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
