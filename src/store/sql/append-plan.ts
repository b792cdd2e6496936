import type {
  AppendBatch,
  AppendedEntry,
  PreparedAuthEvent,
  PreparedEvent,
  Stream,
} from '../../core/domain/entry.js';
import { idempotencyConflict } from '../../core/domain/errors.js';
import { type ChainHead, sealEntries } from '../../core/domain/hash-chain.js';
import { isSameContent } from '../../core/domain/idempotency.js';
import { formatTimestamp } from '../../core/domain/time.js';

/** A stored (or earlier in this group) entry with a given id. */
export interface KnownEntry {
  seq: number;
  receivedMs: number;
  body: string;
  /**
   * Purged: only its tombstone is left (no body to compare), so a re-sent entry with its id is answered
   * as the duplicate it most likely is — a retry from before the purge — rather than stored again.
   */
  purged?: boolean;
}

export interface SealedEvent {
  tenant: string;
  entry: PreparedEvent;
  seq: number;
  prevHash: string;
  hash: string;
}

export interface SealedAuth {
  tenant: string;
  entry: PreparedAuthEvent;
  seq: number;
  prevHash: string;
  hash: string;
}

export const idKey = (tenant: string, stream: string, id: string) => `${tenant}\u0000${stream}\u0000${id}`;

/** What a plan reads from its store: a tenant's head before the group, and a stored entry by id. */
export interface PlanSource {
  head(tenant: string): ChainHead;
  find(tenant: string, stream: Stream, id: string): KnownEntry | undefined;
}

/**
 * One group commit worked out in memory, shared by both stores' writers: which entries are new (idempotency
 * against the store and against earlier batches of the group), their seqs and hashes, and each batch's
 * answer. A batch that fails (an idempotency conflict) leaves no trace in the plan, so the others still
 * commit; the writer persists `events` and `auth` as they grow.
 */
export class AppendPlan {
  readonly events: SealedEvent[] = [];
  readonly auth: SealedAuth[] = [];
  readonly #source: PlanSource;
  readonly #heads = new Map<string, ChainHead>();
  readonly #added = new Map<string, KnownEntry>();
  /** What the last successful `add` changed, so that `undoLast` can take it back. */
  #last:
    | { tenant: string; head: ChainHead | undefined; keys: string[]; events: number; auth: number }
    | undefined;

  constructor(source: PlanSource) {
    this.#source = source;
  }

  /** The tenant's head after the batches planned so far. */
  head(tenant: string): ChainHead {
    return this.#heads.get(tenant) ?? this.#source.head(tenant);
  }

  /** Heads of the tenants this plan appended to. */
  get heads(): ReadonlyMap<string, ChainHead> {
    return this.#heads;
  }

  /** Plans one batch; throws (changing nothing) when it conflicts. */
  add(batch: AppendBatch): AppendedEntry[] {
    const { tenant, entries } = batch;
    const results: AppendedEntry[] = new Array(entries.length);
    const firstById = new Map<string, number>();
    const fresh: number[] = [];
    entries.forEach((entry, i) => {
      const key = idKey(tenant, entry.stream, entry.id);
      const first = firstById.get(key);
      if (first !== undefined) {
        if (!isSameContent(entries[first]!.body, entry)) throw idempotencyConflict(i, entry.id);
        return;
      }
      firstById.set(key, i);
      const existing =
        this.#added.get(key) ??
        (entry.idProvided ? this.#source.find(tenant, entry.stream, entry.id) : undefined);
      if (existing) {
        if (!existing.purged && !isSameContent(existing.body, entry)) throw idempotencyConflict(i, entry.id);
        results[i] = {
          id: entry.id,
          seq: existing.seq,
          receivedAt: formatTimestamp(existing.receivedMs),
          duplicate: true,
        };
        return;
      }
      fresh.push(i);
    });

    const head = this.head(tenant);
    // A batch's entries share their receive time: written once, not twice per entry.
    let stamp: [number, string] = [Number.NaN, ''];
    const receivedAt = (ms: number) => {
      if (stamp[0] !== ms) stamp = [ms, formatTimestamp(ms)];
      return stamp[1];
    };
    this.#last = {
      tenant,
      head: this.#heads.get(tenant),
      keys: [],
      events: this.events.length,
      auth: this.auth.length,
    };
    const freshEntries = fresh.map((i) => entries[i]!);
    const links = sealEntries(
      head,
      tenant,
      freshEntries.map((e) => ({
        stream: e.stream,
        receivedAt: receivedAt(e.receivedMs),
        body: e.body,
        digest: e.digest,
      })),
    );
    freshEntries.forEach((entry, k) => {
      const link = links[k]!;
      const sealed = { tenant, seq: link.seq, prevHash: link.prevHash, hash: link.hash };
      if (entry.stream === 'event') this.events.push({ ...sealed, entry });
      else this.auth.push({ ...sealed, entry });
      this.#last!.keys.push(idKey(tenant, entry.stream, entry.id));
      this.#added.set(idKey(tenant, entry.stream, entry.id), {
        seq: link.seq,
        receivedMs: entry.receivedMs,
        body: entry.body,
      });
      results[fresh[k]!] = {
        id: entry.id,
        seq: link.seq,
        receivedAt: receivedAt(entry.receivedMs),
        duplicate: false,
      };
    });
    entries.forEach((entry, i) => {
      if (results[i] === undefined) {
        const first = results[firstById.get(idKey(tenant, entry.stream, entry.id))!]!;
        results[i] = { ...first, duplicate: true };
      }
    });
    const last = links[links.length - 1];
    if (last) this.#heads.set(tenant, { seq: last.seq, hash: last.hash });
    return results;
  }

  /**
   * Takes back the last `add`, whose rows the store could not write (a batch rolled back to its savepoint):
   * its entries, the ids it planned and its tenant's head, which would otherwise be stored past the chain.
   */
  undoLast(): void {
    const last = this.#last;
    if (!last) return;
    this.#last = undefined;
    this.events.length = last.events;
    this.auth.length = last.auth;
    for (const key of last.keys) this.#added.delete(key);
    if (last.head) this.#heads.set(last.tenant, last.head);
    else this.#heads.delete(last.tenant);
  }
}
