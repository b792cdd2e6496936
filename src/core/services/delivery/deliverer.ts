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
  readonly #destinations: Destinations;
  readonly #now: () => number;
  readonly #running = new Map<string, Promise<void>>();
  /** A failed batch is retried as the same batch (same webhook-id), however many entries arrived since. */
  readonly #retryUpTo = new Map<string, number>();
  readonly #owned = new Set<string>();
  #options: Required<Omit<DeliveryOptions, 'retry'>> & { retry: RetryPolicy } = {
    pollMs: 500,
    leaseMs: 5000,
    nodeId: randomUUID(),
    retry: DEFAULT_RETRY,
  };
  #timer: NodeJS.Timeout | null = null;
  #ticking: Promise<void> | null = null;
  #again = false;
  #stopping = false;
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
    this.#timer = setInterval(() => this.wake(), this.#options.pollMs);
    this.#timer.unref();
    this.wake();
  }

  /** Looks at every destination now (after an append, a resume, a replay). */
  wake(): void {
    if (!this.#timer || this.#stopping) return;
    if (this.#ticking) {
      this.#again = true;
      return;
    }
    this.#ticking = this.#tick()
      .catch(() => {})
      .finally(() => {
        this.#ticking = null;
        if (this.#again) {
          this.#again = false;
          this.wake();
        }
      });
  }

  /** Stops delivering: waits for batches in flight, then gives up the leases so another node takes over at once. */
  async stop(): Promise<void> {
    this.#stopping = true;
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    await this.#ticking;
    await Promise.allSettled(this.#running.values());
    for (const id of this.#owned)
      await this.#store.destinations.releaseLease(id, this.#options.nodeId).catch(() => {});
    this.#owned.clear();
  }

  async #tick(): Promise<void> {
    const all = await this.#store.destinations.list();
    const now = this.#now();
    for (const d of all) {
      if (this.#stopping) return;
      if (d.state !== 'active') {
        if (this.#owned.delete(d.id)) await this.#store.destinations.releaseLease(d.id, this.#options.nodeId);
        continue;
      }
      const held = await this.#store.destinations.acquireLease(
        d.id,
        this.#options.nodeId,
        now,
        this.#options.leaseMs,
      );
      if (!held) {
        this.#owned.delete(d.id);
        continue;
      }
      this.#owned.add(d.id);
      if (this.#running.has(d.id) || d.progress.nextAttemptMs > now) continue;
      const run = this.#deliver(d)
        .catch(() => {})
        .finally(() => this.#running.delete(d.id));
      this.#running.set(d.id, run);
    }
  }

  /** Sends batches until the destination is caught up, fails, or was changed under it. */
  async #deliver(d: DestinationRecord): Promise<void> {
    const expect = { owner: this.#options.nodeId, generation: d.generation };
    const keys = this.#destinations.webhookKeys(d);
    const sender = senderFor(d, keys);
    let progress = d.progress;
    try {
      while (!this.#stopping) {
        const retryUpTo = this.#retryUpTo.get(d.id);
        const limit =
          retryUpTo !== undefined ? Math.max(1, retryUpTo - progress.cursorSeq) : d.settings.batchSize;
        const rows = await this.#store.scanChain(d.tenant, progress.cursorSeq, limit);
        if (rows.length === 0) return;
        const lastSeq = rows[rows.length - 1]!.seq;
        const entries = rows
          .map((r) => outgoingEntry(d.tenant, r))
          .filter((e) => matchesFilter(d.settings.filter, e.facts));
        const now = () => this.#now();
        if (entries.length > 0) {
          try {
            await sender.send(entries, `${d.id}.${entries[0]!.seq}-${entries[entries.length - 1]!.seq}`);
          } catch (error) {
            this.#retryUpTo.set(d.id, lastSeq);
            this.listener?.failed(d);
            await this.#failed(d, expect, progress, error);
            return;
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
        if (!(await this.#store.destinations.recordProgress(d.id, expect, progress))) return;
        if (entries.length > 0) this.listener?.delivered(d, entries.length);
      }
    } finally {
      await sender.close();
    }
  }

  async #failed(
    d: DestinationRecord,
    expect: { owner: string; generation: number },
    progress: DestinationRecord['progress'],
    error: unknown,
  ): Promise<void> {
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
    const recorded = await this.#store.destinations.recordProgress(d.id, expect, next, pause);
    if (recorded && pause) {
      this.#retryUpTo.delete(d.id);
      await this.#destinations.recordAutomaticPause(d, pause);
    }
  }
}
