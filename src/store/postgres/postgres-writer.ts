import type { AppendBatch, AppendedEntry } from '../../core/domain/entry.js';
import { AuditError } from '../../core/domain/errors.js';
import { type ChainHead, GENESIS_HASH } from '../../core/domain/hash-chain.js';
import type { SignedCheckpoint } from '../../core/domain/signing.js';
import { AppendPlan, idKey, type KnownEntry } from '../sql/append-plan.js';
import { KnownActors } from '../sql/known-actors.js';
import { GroupCommitter, type Outcome } from '../threads/group-commit.js';
import type { PostgresAvailability } from './postgres-availability.js';
import { isConnectionLost, type PgClient, type PgPool, translatePgError } from './postgres-connection.js';
import { indexChunks } from './postgres-search-index.js';
import * as rows from './postgres-writer-rows.js';

type WriteRequest =
  | { kind: 'append'; batch: AppendBatch }
  | { kind: 'checkpoint'; checkpoint: SignedCheckpoint };

interface LockedHead extends ChainHead {
  indexedSeq: number;
  unindexed: number;
}

/**
 * The append path of a PostgreSQL store. Requests that arrive together share one transaction and one
 * durable COMMIT (group commit, one at a time per process). Several processes stay on one linear chain per
 * tenant because each transaction first locks its tenants' `chain_heads` rows (FOR UPDATE, in tenant order
 * so two nodes never deadlock), then checks ids, assigns the next seqs and links hashes from the locked head.
 * Another node's append to the same tenant waits for the lock and then continues from the new head.
 *
 * A failed group fails every request in it with `store_unavailable`, and nothing of it is stored — except
 * when the connection is lost while COMMIT is under way: the outcome is then unknown, and the answer says so.
 * Retrying such a batch with the same ids is safe either way (a stored id answers `duplicate: true`).
 */
export class PostgresWriter {
  readonly #pool: PgPool;
  readonly #availability: PostgresAvailability;
  readonly #committer: GroupCommitter<WriteRequest, AppendedEntry[] | null>;
  /** Actors written recently (never an erasable one, which another node may erase: known-actors.ts). */
  readonly #knownActors = new KnownActors();

  constructor(pool: PgPool, availability: PostgresAvailability, maxGroupEntries = 2000) {
    this.#pool = pool;
    this.#availability = availability;
    this.#committer = new GroupCommitter((requests) => this.#commitGroup(requests), {
      maxWeight: maxGroupEntries,
      weight: (r) => (r.kind === 'append' ? r.batch.entries.length : 1),
    });
  }

  append(batch: AppendBatch): Promise<AppendedEntry[]> {
    return this.#committer.submit({ kind: 'append', batch }) as Promise<AppendedEntry[]>;
  }

  async putCheckpoint(checkpoint: SignedCheckpoint): Promise<void> {
    await this.#committer.submit({ kind: 'checkpoint', checkpoint });
  }

  flush(): Promise<void> {
    return this.#committer.drain();
  }

  async #commitGroup(requests: WriteRequest[]): Promise<Outcome<AppendedEntry[] | null>[]> {
    let client: PgClient;
    try {
      client = await this.#availability.run(() => this.#pool.connect());
    } catch (error) {
      const failure = storeFailure(error);
      return requests.map(() => ({ ok: false, error: failure }));
    }
    let broken: Error | undefined;
    let committing = false;
    try {
      const tenants = [
        ...new Set(
          requests.flatMap((r) => (r.kind === 'append' && r.batch.entries.length ? [r.batch.tenant] : [])),
        ),
      ].sort();
      const heads = await lockHeads(client, tenants);
      const known = await findKnown(client, requests);
      const plan = new AppendPlan({
        head: (tenant) => heads.get(tenant)!,
        find: (tenant, stream, id) => known.get(idKey(tenant, stream, id)),
      });
      const checkpoints: SignedCheckpoint[] = [];
      const outcomes: Outcome<AppendedEntry[] | null>[] = requests.map((r) => {
        if (r.kind === 'checkpoint') {
          checkpoints.push(r.checkpoint);
          return { ok: true, value: null };
        }
        try {
          return { ok: true, value: plan.add(r.batch) };
        } catch (error) {
          return { ok: false, error };
        }
      });
      await rows.insertEvents(client, plan.events);
      await rows.insertAuthEvents(client, plan.auth);
      await rows.upsertSessions(client, plan.auth);
      const actors = await rows.upsertActors(client, plan.events, this.#knownActors);
      const heads2 = await indexChunks(client, heads, plan);
      await rows.insertCheckpoints(client, checkpoints);
      committing = true;
      await rows.updateHeadsAndCommit(client, heads2);
      this.#availability.succeeded();
      this.#knownActors.add(actors);
      return outcomes;
    } catch (error) {
      broken = error as Error;
      const translated = this.#availability.failed(error);
      if (!isConnectionLost(error)) await client.query('ROLLBACK').catch(() => {});
      const failure =
        committing && isConnectionLost(error) ? commitOutcomeUnknown(error) : storeFailure(translated);
      return requests.map(() => ({ ok: false, error: failure }));
    } finally {
      // A client whose transaction failed is discarded: its connection may be in an unknown state.
      client.release(broken);
    }
  }
}

/** The connection broke while COMMIT was under way: the group may or may not be stored. */
function commitOutcomeUnknown(error: unknown): AuditError {
  return new AuditError(
    'store_unavailable',
    `The connection to PostgreSQL was lost during the commit (${(error as Error).message}): the batch may or may not be stored; retry it with the same ids, which stores it at most once`,
    [],
    { cause: error },
  );
}

function storeFailure(error: unknown): AuditError {
  const failure = translatePgError(error);
  return failure instanceof AuditError
    ? failure
    : new AuditError('store_unavailable', `Commit failed: ${(error as Error).message}`, [], { cause: error });
}

/**
 * BEGIN, create missing heads and lock every head of the group, in one round trip (a simple query: the
 * tenant names travel as escaped literals).
 */
async function lockHeads(client: PgClient, tenants: string[]): Promise<Map<string, LockedHead>> {
  if (tenants.length === 0) {
    await client.query('BEGIN');
    return new Map();
  }
  const list = tenants.map((t) => client.escapeLiteral(t)).join(', ');
  const values = tenants.map((t) => `(${client.escapeLiteral(t)}, 0, '${GENESIS_HASH}')`).join(', ');
  const results = (await client.query(`BEGIN;
    INSERT INTO chain_heads (tenant, seq, hash) VALUES ${values} ON CONFLICT (tenant) DO NOTHING;
    SELECT tenant, seq, hash, indexed_seq, unindexed FROM chain_heads WHERE tenant IN (${list})
      ORDER BY tenant FOR UPDATE`)) as unknown as {
    rows: { tenant: string; seq: number; hash: string; indexed_seq: number; unindexed: number }[];
  }[];
  const locked = results[2]!.rows;
  return new Map(
    locked.map((r) => [
      r.tenant,
      { seq: r.seq, hash: r.hash, indexedSeq: r.indexed_seq, unindexed: r.unindexed },
    ]),
  );
}

/** The stored entries whose ids the group's batches name (only ids the clients chose can collide). */
async function findKnown(client: PgClient, requests: WriteRequest[]): Promise<Map<string, KnownEntry>> {
  const wanted = new Map<string, { tenant: string; table: string; stream: string; ids: Set<string> }>();
  for (const r of requests) {
    if (r.kind !== 'append') continue;
    for (const e of r.batch.entries) {
      if (!e.idProvided) continue;
      const key = `${r.batch.tenant}\u0000${e.stream}`;
      let w = wanted.get(key);
      if (!w) {
        w = {
          tenant: r.batch.tenant,
          stream: e.stream,
          table: e.stream === 'event' ? 'events' : 'auth_events',
          ids: new Set(),
        };
        wanted.set(key, w);
      }
      w.ids.add(e.id);
    }
  }
  const known = new Map<string, KnownEntry>();
  for (const w of wanted.values()) {
    // A purged entry's id is still taken: its tombstone answers (append-plan.ts). One snapshot for both.
    const found = await client.query<{
      id: string;
      seq: number;
      received_ms: number;
      body: string;
      purged: boolean;
    }>({
      name: `auditlog_known_${w.table}`,
      text: `SELECT id, seq, received_ms, body, false AS purged FROM ${w.table} WHERE tenant = $1 AND id = ANY($2::text[])
             UNION ALL
             SELECT id, seq, received_ms, '', true FROM purged_entries
              WHERE tenant = $1 AND stream = '${w.stream}' AND id = ANY($2::text[])`,
      values: [w.tenant, [...w.ids]],
    });
    for (const row of found.rows) {
      const key = idKey(w.tenant, w.stream, row.id);
      if (row.purged && known.has(key)) continue;
      known.set(key, { seq: row.seq, receivedMs: row.received_ms, body: row.body, purged: row.purged });
    }
  }
  return known;
}
