import type {
  AppendBatch,
  AppendedEntry,
  PreparedAuthEvent,
  PreparedEntry,
  PreparedEvent,
} from '../../core/entry.js';
import { AuditError, idempotencyConflict } from '../../core/errors.js';
import type { Outcome } from '../../core/group-commit.js';
import { type ChainHead, EMPTY_HEAD, sealEntries } from '../../core/hash-chain.js';
import { isSameContent } from '../../core/idempotency.js';
import { mergeSession, type SessionRow } from '../../core/session-merge.js';
import { formatTimestamp } from '../../core/time.js';
import { SESSION_COLUMNS } from './sqlite-auth-queries.js';
import { type SqliteDb, translateSqliteError } from './sqlite-connection.js';
import { SqliteSearchIndex } from './sqlite-search-index.js';
import type { WriteRequest } from './sqlite-writer-protocol.js';

/**
 * The single writer of a SQLite store (it runs in a worker thread, see sqlite-writer-worker.ts). One call of
 * `commitGroup` is one transaction and one fsync for many client batches; each batch sits in a savepoint,
 * so a batch that fails (an idempotency conflict) rolls back alone and the others still commit.
 */
export class SqliteWriter {
  readonly #db: SqliteDb;
  readonly #stmt;
  readonly #search: SqliteSearchIndex;
  /** Actors written recently; bounded, so a restart or eviction only costs a redundant upsert. */
  readonly #knownActors = new Set<string>();

  constructor(db: SqliteDb) {
    this.#db = db;
    this.#search = new SqliteSearchIndex(db);
    this.#stmt = {
      head: db.prepare('SELECT seq, hash FROM chain_heads WHERE tenant = ?'),
      putHead: db.prepare(
        'INSERT INTO chain_heads (tenant, seq, hash) VALUES (?, ?, ?) ON CONFLICT (tenant) DO UPDATE SET seq = excluded.seq, hash = excluded.hash',
      ),
      eventById: db.prepare('SELECT seq, received_ms, body FROM events WHERE tenant = ? AND id = ?'),
      insertEvent: db.prepare(INSERT_EVENT_SQL),
      authById: db.prepare('SELECT seq, received_ms, body FROM auth_events WHERE tenant = ? AND id = ?'),
      insertAuth:
        db.prepare(`INSERT INTO auth_events (tenant, seq, id, occurred_ms, received_ms, type, user_id, username,
        username_f, method, reason, session_id, ip_key, body, search, prev_hash, hash)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
      session: db.prepare(`SELECT ${SESSION_COLUMNS} FROM sessions WHERE tenant = ? AND session_id = ?`),
      putSession:
        db.prepare(`INSERT OR REPLACE INTO sessions (tenant, session_id, user_id, username, username_f,
        display_name, method, ip, ip_key, user_agent, login_ms, ended_ms, end_reason, sort_ms)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
      upsertActor: db.prepare(`INSERT INTO actors (tenant, actor_id, username, username_f, display_name)
        VALUES (?, ?, ?, ?, ?) ON CONFLICT (tenant, actor_id, username) DO UPDATE SET display_name = excluded.display_name`),
      putCheckpoint: db.prepare(`INSERT INTO checkpoints (tenant, seq, hash, signed_at, key_id, signature)
        VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`),
    };
  }

  commitGroup(requests: WriteRequest[]): Outcome<AppendedEntry[] | null>[] {
    const outcomes: Outcome<AppendedEntry[] | null>[] = [];
    const heads = new Map<string, ChainHead>();
    const actors = new Set<string>();
    try {
      this.#db.exec('BEGIN IMMEDIATE');
      for (const request of requests) {
        if (request.kind === 'checkpoint') {
          const c = request.checkpoint;
          this.#stmt.putCheckpoint.run(c.tenant, c.seq, c.hash, c.signedAt, c.keyId, c.signature);
          outcomes.push({ ok: true, value: null });
          continue;
        }
        const { batch } = request;
        this.#db.exec('SAVEPOINT batch');
        try {
          const head = heads.get(batch.tenant) ?? this.#readHead(batch.tenant);
          const { results, head: next, indexed, actors: batchActors } = this.#appendBatch(batch, head);
          this.#db.exec('RELEASE batch');
          for (const a of batchActors) actors.add(a);
          heads.set(batch.tenant, next);
          for (const x of indexed) this.#search.add(batch.tenant, x.rid, x.seq, x.entry);
          outcomes.push({ ok: true, value: results });
        } catch (error) {
          this.#db.exec('ROLLBACK TO batch');
          this.#db.exec('RELEASE batch');
          outcomes.push({ ok: false, error: translateSqliteError(error) });
        }
      }
      for (const [tenant, head] of heads) this.#stmt.putHead.run(tenant, head.seq, head.hash);
      this.#search.writeFullChunks();
      this.#db.exec('COMMIT');
      this.#search.committed();
      if (this.#knownActors.size + actors.size > 50_000) this.#knownActors.clear();
      for (const a of actors) this.#knownActors.add(a);
    } catch (error) {
      if (this.#db.inTransaction) this.#db.exec('ROLLBACK');
      this.#search.rolledBack();
      const failure = translateSqliteError(error);
      const storeError =
        failure instanceof AuditError
          ? failure
          : new AuditError('store_unavailable', `Commit failed: ${(error as Error).message}`, [], {
              cause: error,
            });
      return requests.map(() => ({ ok: false, error: storeError }));
    }
    return outcomes;
  }

  #readHead(tenant: string): ChainHead {
    const row = this.#stmt.head.get(tenant) as { seq: number; hash: string } | undefined;
    return row ?? EMPTY_HEAD;
  }

  #appendBatch(
    batch: AppendBatch,
    head: ChainHead,
  ): {
    results: AppendedEntry[];
    head: ChainHead;
    indexed: { rid: number; seq: number; entry: PreparedEvent }[];
    actors: Set<string>;
  } {
    const { tenant, entries } = batch;
    const actors = new Set<string>();
    const results: AppendedEntry[] = new Array(entries.length);
    const firstById = new Map<string, number>();
    const fresh: number[] = [];
    entries.forEach((entry, i) => {
      const key = `${entry.stream}\u0000${entry.id}`;
      const first = firstById.get(key);
      if (first !== undefined) {
        if (!isSameContent(entries[first]!.body, entry)) throw idempotencyConflict(i, entry.id);
        return;
      }
      firstById.set(key, i);
      const existing = entry.idProvided ? this.#findExisting(tenant, entry) : undefined;
      if (existing) {
        if (!isSameContent(existing.body, entry)) throw idempotencyConflict(i, entry.id);
        results[i] = {
          id: entry.id,
          seq: existing.seq,
          receivedAt: formatTimestamp(existing.received_ms),
          duplicate: true,
        };
        return;
      }
      fresh.push(i);
    });

    const freshEntries = fresh.map((i) => entries[i]!);
    const links = sealEntries(
      head,
      tenant,
      freshEntries.map((e) => ({
        stream: e.stream,
        receivedAt: formatTimestamp(e.receivedMs),
        body: e.body,
      })),
    );
    const indexed: { rid: number; seq: number; entry: PreparedEvent }[] = [];
    freshEntries.forEach((entry, k) => {
      const link = links[k]!;
      const rid = this.#insert(tenant, entry, link.seq, link.prevHash, link.hash);
      if (entry.stream === 'event') {
        indexed.push({ rid, seq: link.seq, entry });
        this.#upsertActor(tenant, entry, actors);
      }
      results[fresh[k]!] = {
        id: entry.id,
        seq: link.seq,
        receivedAt: formatTimestamp(entry.receivedMs),
        duplicate: false,
      };
    });
    // Repeats of an id inside the batch answer like the first occurrence, marked duplicate.
    entries.forEach((entry, i) => {
      if (results[i] === undefined) {
        const first = results[firstById.get(`${entry.stream}\u0000${entry.id}`)!]!;
        results[i] = { ...first, duplicate: true };
      }
    });
    const last = links[links.length - 1];
    return { results, head: last ? { seq: last.seq, hash: last.hash } : head, indexed, actors };
  }

  #findExisting(
    tenant: string,
    entry: PreparedEntry,
  ): { seq: number; received_ms: number; body: string } | undefined {
    const stmt = entry.stream === 'event' ? this.#stmt.eventById : this.#stmt.authById;
    return stmt.get(tenant, entry.id) as { seq: number; received_ms: number; body: string } | undefined;
  }

  #insert(tenant: string, entry: PreparedEntry, seq: number, prevHash: string, hash: string): number {
    if (entry.stream === 'auth') return this.#insertAuth(tenant, entry, seq, prevHash, hash);
    const info = this.#stmt.insertEvent.run(...eventRowValues(tenant, entry, seq, prevHash, hash));
    return Number(info.lastInsertRowid);
  }

  #insertAuth(tenant: string, entry: PreparedAuthEvent, seq: number, prevHash: string, hash: string): number {
    const c = entry.columns;
    const info = this.#stmt.insertAuth.run(
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
    return Number(info.lastInsertRowid);
  }

  /** Upserts the actor unless a committed group already did; returns the key to remember after commit. */
  #upsertActor(tenant: string, entry: PreparedEvent, written: Set<string>): void {
    const c = entry.columns;
    const key = `${tenant}\u0000${c.actorId}\u0000${c.actorUsername ?? ''}\u0000${c.actorDisplayName ?? ''}`;
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

/** The events row of an entry, in the column order of INSERT_EVENT_SQL (also the benchmark's raw ceiling). */
export const INSERT_EVENT_SQL = `INSERT INTO events (tenant, seq, id, occurred_ms, received_ms, actor_id, actor_username,
  actor_username_f, actor_display_name, action, category, event_type, target_type, target_id, target_id_f,
  target_name_f, ip_key, session_id, body, search, prev_hash, hash)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;

export function eventRowValues(
  tenant: string,
  entry: PreparedEvent,
  seq: number,
  prevHash: string,
  hash: string,
): unknown[] {
  const c = entry.columns;
  return [
    tenant,
    seq,
    entry.id,
    entry.occurredMs,
    entry.receivedMs,
    c.actorId,
    c.actorUsername,
    c.actorUsernameFolded,
    c.actorDisplayName,
    c.action,
    c.category,
    c.eventType,
    c.targetType,
    c.targetId,
    c.targetIdFolded,
    c.targetNameFolded,
    c.ipKey,
    c.sessionId,
    entry.body,
    entry.search.join('\u001f'),
    prevHash,
    hash,
  ];
}
