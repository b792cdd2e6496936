import { randomUUID } from 'node:crypto';
import {
  DEFAULT_RETRY,
  type DestinationRecord,
  errorText,
  matchesFilter,
  type RetryPolicy,
  retryDelayMs,
} from '../../domain/destination.js';
import { outgoingEntry } from '../../domain/destination-payload.js';
import type { ChainRow } from '../../domain/rows.js';
import type { Store } from '../../ports/store.js';
import type { Destinations } from '../destinations.js';
import { senderFor } from './sender.js';

export interface DeliveryOptions {
  /** How often every destination is looked at (appends also wake the delivery at once); default 500 ms. */
  pollMs?: number;
  /** How long a node's lease on a destination lasts without renewal; another node takes over after it. */
  leaseMs?: number;
  retry?: Partial<RetryPolicy>;
  /** This process's name in leases; default a random UUID. */
  nodeId?: string;
}

interface Held {
  record: DestinationRecord;
  renewedMs: number;
}

/** What the delivery reports, for /metrics. */
export interface DeliveryListener {
  delivered(d: DestinationRecord, entries: number): void;
  failed(d: DestinationRecord): void;
}

/**
 * Delivers each active destination's entries in seq order, at least once: the cursor moves (durably, in the
 * store) only after the receiver has a batch, so a crash or a failed send means the batch is sent again,
 * with the same entry ids. A failure is retried with exponential backoff and jitter; after
 * `maxFailures` in a row the destination is paused with its error. On several nodes, a lease gives each
 * destination to one node at a time, renewed every poll; when that node dies, another takes it once the lease
 * expires.
 */
export class Deliverer {
  readonly #store: Store;
  /** Opens crypto-shredded envelopes before formatting (AuditLog sets it): a destination is a read path. */
  revealRows: (tenant: string, rows: ChainRow[]) => Promise<ChainRow[]> = async (_t, rows) => rows;
  readonly #destinations: Destinations;
  readonly #now: () => number;
  readonly #running = new Map<string, Promise<void>>();
  /** A failed batch is retried as the same batch (same webhook-id), however many entries arrived since. */
  readonly #retryUpTo = new Map<string, number>();
  /** The destinations this node holds the lease of, with their latest known record. */
  readonly #owned = new Map<string, Held>();
  #options: Required<Omit<DeliveryOptions, 'retry'>> & { retry: RetryPolicy } = {
    pollMs: 500,
    leaseMs: 5000,
    nodeId: randomUUID(),
    retry: DEFAULT_RETRY,
  };
  #timer: NodeJS.Timeout | null = null;
  #polling: Promise<void> | null = null;
  #again = false;
  #stopping = false;
  /** Aborted by stop(): a send in flight ends at once, undelivered, rather than hold the shutdown up. */
  #abort = new AbortController();
  listener: DeliveryListener | null = null;

  constructor(store: Store, destinations: Destinations, now: () => number) {
    this.#store = store;
    this.#destinations = destinations;
    this.#now = now;
  }

  get running(): boolean {
    return this.#timer !== null;
  }

  start(options: DeliveryOptions = {}): void {
    if (this.#timer) return;
    this.#stopping = false;
    this.#abort = new AbortController();
    this.#options = {
      pollMs: options.pollMs ?? this.#options.pollMs,
      leaseMs: options.leaseMs ?? this.#options.leaseMs,
      nodeId: options.nodeId ?? this.#options.nodeId,
      retry: {
        baseDelayMs: options.retry?.baseDelayMs ?? DEFAULT_RETRY.baseDelayMs,
        maxDelayMs: options.retry?.maxDelayMs ?? DEFAULT_RETRY.maxDelayMs,
        maxFailures: options.retry?.maxFailures ?? DEFAULT_RETRY.maxFailures,
      },
    };
    this.#timer = setInterval(() => this.refresh(), this.#options.pollMs);
    this.#timer.unref();
    this.refresh();
  }

  /**
   * Delivers what was just appended: starts a run for every destination this node holds that is idle and due.
   * Touches no store (appends call it); the poll keeps the leases and the list fresh.
   */
  wake(): void {
    if (!this.#timer || this.#stopping) return;
    const now = this.#now();
    for (const [id, held] of this.#owned) {
      if (this.#running.has(id) || held.record.progress.nextAttemptMs > now) continue;
      const run = this.#deliver(held)
        .catch(() => {})
        .finally(() => {
          this.#running.delete(id);
          // Changed during the run: what arrived meanwhile is delivered under the new record now.
          const now = this.#owned.get(id);
          if (now && now !== held) this.wake();
        });
      this.#running.set(id, run);
    }
  }

  /** Drops what this node knew of a destination (it changed): a run stops after its batch in flight. */
  forget(id: string): void {
    this.#owned.delete(id);
  }

  /** Reads every destination and renews the leases now (after a create, resume or replay), then wakes. */
  refresh(): void {
    if (!this.#timer || this.#stopping) return;
    if (this.#polling) {
      this.#again = true;
      return;
    }
    this.#polling = this.#poll()
      .catch(() => {})
      .finally(() => {
        this.#polling = null;
        if (this.#again) {
          this.#again = false;
          this.refresh();
        } else this.wake();
      });
  }

  /**
   * Stops delivering: aborts the batches in flight (their cursor stays, so they are sent again by the next
   * start or another node: at least once), waits for the runs to end, then gives up the leases so that
   * another node takes over at once. A receiver that never answers does not hold the shutdown up.
   */
  async stop(): Promise<void> {
    this.#stopping = true;
    this.#abort.abort(new Error('The delivery stopped (the node is shutting down)'));
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    await this.#polling;
    await Promise.allSettled(this.#running.values());
    for (const id of this.#owned.keys())
      await this.#store.destinations.releaseLease(id, this.#options.nodeId).catch(() => {});
    this.#owned.clear();
  }

  /**
   * Takes or renews the lease of every active destination (a renewal once a third of the lease has passed,
   * so that an idle node writes little), lets go of paused and deleted ones, and keeps the records of the
   * destinations this node holds; a record being delivered keeps the progress its run knows.
   */
  async #poll(): Promise<void> {
    const all = await this.#store.destinations.list();
    const now = this.#now();
    const seen = new Set<string>();
    for (const d of all) {
      if (this.#stopping) return;
      seen.add(d.id);
      let held = this.#owned.get(d.id);
      // Changed since this node took its record, by any node (an edit, a secret rotated): the run in flight
      // stops after its batch and this record takes over. On the node that made the change, forget() did so at
      // once; another learns of it here, however busy its run (a run under load may never be caught up).
      if (held && held.record.updatedMs !== d.updatedMs) {
        this.#owned.delete(d.id);
        held = undefined;
      }
      if (d.state !== 'active') {
        if (held) {
          this.#owned.delete(d.id);
          await this.#store.destinations.releaseLease(d.id, this.#options.nodeId);
        }
        continue;
      }
      if (held && now - held.renewedMs < this.#options.leaseMs / 3) {
        if (!this.#running.has(d.id)) held.record = d;
        continue;
      }
      const ok = await this.#store.destinations.acquireLease(
        d.id,
        this.#options.nodeId,
        now,
        this.#options.leaseMs,
      );
      if (!ok) this.#owned.delete(d.id);
      else if (held) {
        held.renewedMs = now;
        if (!this.#running.has(d.id)) held.record = d;
      } else this.#owned.set(d.id, { record: d, renewedMs: now });
    }
    for (const id of this.#owned.keys()) if (!seen.has(id)) this.#owned.delete(id);
  }

  /** Sends batches until the destination is caught up, fails, or was changed under it. */
  async #deliver(held: Held): Promise<void> {
    // The store's record, not the poll's copy, which may be older: listed while the previous run recorded its
    // progress (from that cursor this run would send that run's entries again), or before a change (an edit, a
    // rotated secret, a replay, a pause), which the next poll then hands over.
    const current = await this.#store.destinations.get(held.record.tenant, held.record.id);
    if (this.#owned.get(held.record.id) !== held || !current || current.state !== 'active') return;
    if (current.updatedMs !== held.record.updatedMs || current.generation !== held.record.generation) return;
    held.record = current;
    const d = held.record;
    const expect = { owner: this.#options.nodeId, generation: d.generation };
    let progress = d.progress;
    let sender: ReturnType<typeof senderFor> | null = null;
    try {
      sender = senderFor(d, this.#destinations.webhookKeys(d));
      while (!this.#stopping && this.#owned.get(d.id) === held) {
        const retryUpTo = this.#retryUpTo.get(d.id);
        const limit =
          retryUpTo !== undefined ? Math.max(1, retryUpTo - progress.cursorSeq) : d.settings.batchSize;
        const scanned = await this.#store.scanChain(d.tenant, progress.cursorSeq, limit);
        if (scanned.length === 0) return;
        // Purged entries (tombstones: no content left) are skipped like entries the filter leaves out, as
        // exports leave them out: what was purged before it was delivered never reaches the receiver.
        const rows = await this.revealRows(
          d.tenant,
          scanned.filter((r) => r.digest === undefined),
        );
        // Changed while the rows were read (a secret rotated, a filter edited): they may hold entries
        // appended after the change, which the record from before it must not deliver.
        if (this.#owned.get(d.id) !== held) return;
        const lastSeq = scanned[scanned.length - 1]!.seq;
        const entries = rows
          .map((r) => outgoingEntry(d.tenant, r))
          .filter((e) => matchesFilter(d.settings.filter, e.facts));
        const now = () => this.#now();
        if (entries.length > 0) {
          try {
            const batchId = `${d.id}.${entries[0]!.seq}-${entries[entries.length - 1]!.seq}`;
            await sender.send(entries, batchId, this.#abort.signal);
          } catch (error) {
            // Aborted by stop(): not the receiver's failure; nothing recorded, the cursor stays.
            if (this.#abort.signal.aborted) return;
            this.#retryUpTo.set(d.id, lastSeq);
            throw error;
          }
        }
        this.#retryUpTo.delete(d.id);
        progress = {
          cursorSeq: lastSeq,
          deliveredMs: entries.length > 0 ? now() : progress.deliveredMs,
          lastError: null,
          failures: 0,
          nextAttemptMs: 0,
        };
        if (!(await this.#store.destinations.recordProgress(d.id, expect, progress))) {
          this.#owned.delete(d.id); // replayed, paused or taken over: the next poll knows
          return;
        }
        held.record = { ...d, progress };
        if (entries.length > 0) this.listener?.delivered(d, entries.length);
      }
    } catch (error) {
      // Whatever failed — the send, a read, an entry that cannot be formatted, keys that do not open — is the
      // destination's error, retried with backoff and paused after maxFailures: a run never just stops.
      if (this.#stopping) return;
      this.listener?.failed(d);
      held.record = { ...d, progress: await this.#failed(d, expect, progress, error) };
    } finally {
      await sender?.close();
    }
  }

  async #failed(
    d: DestinationRecord,
    expect: { owner: string; generation: number },
    progress: DestinationRecord['progress'],
    error: unknown,
  ): Promise<DestinationRecord['progress']> {
    const policy = this.#options.retry;
    const failures = progress.failures + 1;
    const lastError = errorText(error);
    const next = {
      ...progress,
      lastError,
      failures,
      nextAttemptMs: this.#now() + retryDelayMs(policy, failures, Math.random()),
    };
    const pause =
      failures >= policy.maxFailures ? `paused after ${failures} failed attempts: ${lastError}` : undefined;
    const pending = pause === undefined ? undefined : this.#destinations.automaticPause(d, pause);
    // A store that cannot record it (down) still gets the backoff here; the next poll reads the record again.
    const recorded = await this.#store.destinations
      .recordProgress(d.id, expect, next, pause, pending)
      .catch(() => false);
    if (recorded && pause) {
      this.#retryUpTo.delete(d.id);
      this.#owned.delete(d.id);
      await this.#destinations.settle();
    }
    return next;
  }
}
