import { AuditError } from '../domain/errors.js';
import { formatEvent } from '../domain/format-event.js';
import type { PendingRecord } from '../ports/audit-outbox.js';
import type { Store } from '../ports/store.js';

/** Records read from the outbox at a time. */
const BATCH = 100;

/**
 * Appends the log's own records that were written with their changes (core/ports/audit-outbox.ts), oldest
 * first, each under its own id, then removes it from the outbox. Run after every administrative change,
 * when the log is opened, and on a schedule in a server: a record whose append failed (or whose process
 * died) is appended by the next run, with its original content. Several runs at once — on this node or on
 * others sharing the database — append each record once: the second append of an id is a duplicate.
 */
export class AuditOutboxDrain {
  readonly #store: Store;
  readonly #append: (tenant: string, event: Record<string, unknown>) => Promise<void>;
  /** Reports a record that stays pending (or an outbox that could not be read). */
  readonly report: PendingReporter;
  #tail: Promise<unknown> = Promise.resolve();
  #timer: NodeJS.Timeout | null = null;

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
    this.#tail = run.catch(() => {});
    return run;
  }

  /** Drains every `everyMs` (a server), besides the runs after each change. */
  start(everyMs: number): void {
    this.stop();
    if (everyMs > 0)
      this.#timer = setInterval(() => void this.drain().catch((e) => this.report(e)), everyMs).unref();
  }

  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    await this.#tail;
  }

  async #drain(): Promise<number> {
    let appended = 0;
    const failed = new Set<string>();
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
