import { AuditError } from '../domain/errors.js';
import { formatEvent } from '../domain/format-event.js';
import type { PendingRecord } from '../ports/audit-outbox.js';
import type { Store } from '../ports/store.js';

/** Records read from the outbox at a time. */
const BATCH = 100;
/** The backoff of the runs after one that left a record pending. */
const RETRY_MIN_MS = 1_000;
const RETRY_MAX_MS = 30_000;

/**
 * Appends the log's own records that were written with their changes (core/ports/audit-outbox.ts), oldest
 * first, each under its own id, then removes it from the outbox. Run after every administrative change and
 * when the log is opened; a run that leaves a record pending runs again after a backoff (RETRY_MIN_MS,
 * doubling up to RETRY_MAX_MS) until one leaves none, so a record whose append failed is appended once the
 * store takes appends again, with no further change. A record left by a process that died is appended when
 * a log is next opened or changed. Several runs at once — on this node or on others sharing the database —
 * append each record once: the second append of an id is a duplicate.
 *
 * No blind polling: a run reads the outbox on the main thread (SQLite's is synchronous), and a server
 * polling it every 30 s once hung its shutdown in the full-disk fault test; only a known failure retries.
 */
export class AuditOutboxDrain {
  readonly #store: Store;
  readonly #append: (tenant: string, event: Record<string, unknown>) => Promise<void>;
  /** Reports a record that stays pending (or an outbox that could not be read). */
  readonly report: PendingReporter;
  #tail: Promise<unknown> = Promise.resolve();
  #timer: NodeJS.Timeout | null = null;
  #retry: NodeJS.Timeout | null = null;
  #retryDelayMs = RETRY_MIN_MS;
  #stopped = false;
  /** Whether the last run left a record pending (its append or removal failed). */
  #leftPending = false;

  constructor(
    store: Store,
    append: (tenant: string, event: Record<string, unknown>) => Promise<void>,
    report: PendingReporter = reportPending,
  ) {
    this.#store = store;
    this.#append = append;
    this.report = report;
  }

  /**
   * Appends every pending record; returns how many. One whose append fails stays pending and is reported;
   * the run stops there when the store is away (the rest would fail alike), else goes on with the next.
   * Runs of this process are queued, so one change's run does not append what another's is appending.
   * Rejects when the outbox cannot be read.
   */
  drain(): Promise<number> {
    const run = this.#tail.then(() => this.#drain());
    // An outbox that cannot be read because the store is away is retried like a failed append; one that
    // cannot be read otherwise (a role without access, a read-only older copy) is not: that would only repeat
    // the error. The next change or open tries again.
    this.#tail = run.then(
      () => this.#scheduleRetry(),
      (error: unknown) => {
        this.#leftPending = error instanceof AuditError && error.code === 'store_unavailable';
        this.#scheduleRetry();
      },
    );
    return run;
  }

  /** After a run that left a record pending, one more run later (unless one is due or the log closes). */
  #scheduleRetry(): void {
    if (!this.#leftPending) {
      this.#retryDelayMs = RETRY_MIN_MS;
      return;
    }
    if (this.#retry || this.#stopped) return;
    const delay = this.#retryDelayMs;
    this.#retryDelayMs = Math.min(delay * 2, RETRY_MAX_MS);
    this.#retry = setTimeout(() => {
      this.#retry = null;
      void this.drain().catch((e) => this.report(e));
    }, delay).unref();
  }

  /** Also drains every `everyMs` (for an embedder that wants polling; `serve` relies on the retries). */
  start(everyMs: number): void {
    this.#stopped = false;
    if (this.#timer) clearInterval(this.#timer);
    if (everyMs > 0)
      this.#timer = setInterval(() => void this.drain().catch((e) => this.report(e)), everyMs).unref();
  }

  /** Stops the schedule and the retries (the log is closing), after the run under way. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    await this.#tail;
    if (this.#retry) clearTimeout(this.#retry);
    this.#retry = null;
  }

  async #drain(): Promise<number> {
    let appended = 0;
    const failed = new Set<string>();
    this.#leftPending = false;
    for (;;) {
      const batch = (await this.#store.outbox.pending(BATCH + failed.size)).filter(
        (p) => !failed.has(key(p)),
      );
      if (batch.length === 0) return appended;
      for (const p of batch) {
        try {
          await this.#appendOnce(p);
          await this.#store.outbox.remove(p.tenant, p.id);
          appended++;
        } catch (error) {
          this.report(error, p);
          this.#leftPending = true;
          if (error instanceof AuditError && error.code === 'store_unavailable') return appended;
          failed.add(key(p));
        }
      }
    }
  }

  /** Appends the record; one stored under its id already (an earlier run, another node) counts as done. */
  async #appendOnce(p: PendingRecord): Promise<void> {
    try {
      await this.#append(p.tenant, p.event);
    } catch (error) {
      if (!(error instanceof AuditError && error.code === 'idempotency_conflict')) throw error;
      // Same id, other bytes: personal data sealed again (fresh IVs) differs from the stored record. The id
      // is one this process made for this record; the stored event must at least be of its type.
      const row = await this.#store.getEvent(p.tenant, p.id);
      if (!row || formatEvent(row).eventType !== p.event.eventType) throw error;
    }
  }
}

export type PendingReporter = (error: unknown, record?: PendingRecord) => void;

function reportPending(error: unknown, record?: PendingRecord): void {
  const what = record
    ? `record ${record.id} (${String(record.event.eventType)}, tenant ${record.tenant})`
    : 'records';
  process.stderr.write(
    `auditlog: the log's own ${what} could not be appended yet, kept pending: ${(error as Error).message}\n`,
  );
}

const key = (p: PendingRecord) => `${p.tenant}\u0000${p.id}`;
