import type { AppendBatch, AppendedEntry, PreparedAuthEvent, PreparedEvent } from '../../core/entry.js';
import { idempotencyConflict } from '../../core/errors.js';
import { type ChainHead, sealEntries } from '../../core/hash-chain.js';
import { isSameContent } from '../../core/idempotency.js';
import { formatTimestamp } from '../../core/time.js';

/** A stored (or earlier in this group) entry with a given id. */
export interface KnownEntry {
  seq: number;
  receivedMs: number;
  body: string;
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

/**
 * One group commit worked out in memory, between locking the tenants' chain heads and writing: which
 * entries are new, their seqs and hashes, and each batch's answer. A batch that fails (an idempotency
 * conflict) leaves no trace in the plan, so the others still commit — the same all-or-nothing per batch as
 * the SQLite writer's savepoints, without a savepoint round trip.
 */
export class AppendPlan {
  readonly events: SealedEvent[] = [];
  readonly auth: SealedAuth[] = [];
  readonly #heads: Map<string, ChainHead>;
  readonly #known: Map<string, KnownEntry>;

  constructor(heads: Map<string, ChainHead>, known: Map<string, KnownEntry>) {
    this.#heads = heads;
    this.#known = known;
  }

  head(tenant: string): ChainHead {
    return this.#heads.get(tenant)!;
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
      const existing = this.#known.get(key);
      if (existing) {
        if (!isSameContent(existing.body, entry)) throw idempotencyConflict(i, entry.id);
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
    freshEntries.forEach((entry, k) => {
      const link = links[k]!;
      const sealed = { tenant, seq: link.seq, prevHash: link.prevHash, hash: link.hash };
      if (entry.stream === 'event') this.events.push({ ...sealed, entry });
      else this.auth.push({ ...sealed, entry });
      this.#known.set(idKey(tenant, entry.stream, entry.id), {
        seq: link.seq,
        receivedMs: entry.receivedMs,
        body: entry.body,
      });
      results[fresh[k]!] = {
        id: entry.id,
        seq: link.seq,
        receivedAt: formatTimestamp(entry.receivedMs),
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
}
