import { join } from 'node:path';
import { type AuthLogHelpers, authLogHelpers } from './auth-log.js';
import { backoffDelay } from './backoff.js';
import { appendDeadLetter, type DeadLetter } from './dead-letters.js';
import { checkOptions } from './options.js';
import { type AuthRecordInput, prepareAuthEvent, prepareEvent } from './prepare.js';
import { type EntryKind, type Position, Spool, type SpoolEntry } from './spool.js';
import { sendBatch, type TransportOptions } from './transport.js';
import type { RecordInput } from './types.js';

export interface AuditClientOptions {
  /** The audit service, e.g. http://127.0.0.1:8080. */
  url: string;
  /** A token with the `ingest` scope. */
  token: string;
  /** The spool directory: one per process, on a disk that survives a restart. */
  spoolDir: string;
  /** Bytes waiting to be sent at most (default 256 MiB); past it `record()` throws SpoolFullError. */
  maxSpoolBytes?: number;
  /** Spool segment size (default 4 MiB). */
  segmentBytes?: number;
  /** Events per request (default 500, at most 1000). */
  batchSize?: number;
  /** Bytes per request, about (default 1 MiB). */
  batchBytes?: number;
  /** First retry delay (default 200 ms), doubled per failed attempt with jitter up to `maxRetryDelayMs`. */
  initialRetryDelayMs?: number;
  /** Default 30 s. A Retry-After from the service is honoured even when longer. */
  maxRetryDelayMs?: number;
  /** Per request (default 10 s). */
  requestTimeoutMs?: number;
  /** An event the service refused for good; it is also in `<spoolDir>/dead-letters.ndjson`. */
  onDeadLetter?: (letter: DeadLetter) => void;
  /** A send failed and will be retried after `delayMs`. */
  onRetry?: (info: RetryInfo) => void;
  /** The sender hit an unexpected local error (e.g. reading the spool); it keeps trying. */
  onError?: (error: unknown) => void;
}

export interface RetryInfo {
  /** Failed attempts in a row, 1 for the first. */
  attempt: number;
  delayMs: number;
  status?: number;
  retryAfterMs?: number;
  reason: string;
}

/**
 * The platform's side of the audit log. `record()` resolves once the event is durable in the local spool;
 * a background sender delivers the spool in order, in batches, exactly once (client-side ids make retries
 * idempotent), through outages of any length.
 */
export class AuditClient {
  readonly auth: AuthLogHelpers;
  readonly deadLetterFile: string;
  private readonly transport: TransportOptions;
  private readonly batchSize: number;
  private readonly batchBytes: number;
  private attempt = 0;
  /** Entries still to be sent one by one, after a batch was refused, to find the refused ones. */
  private isolating = 0;
  private stopping = false;
  private closed = false;
  private appended = false;
  private wakeUp: (() => void) | undefined;
  private waiters: { target: Position; resolve: () => void }[] = [];
  private loop: Promise<void> = Promise.resolve();
  /** Aborts the request in flight when close() has waited its flush time. */
  private readonly inFlight = new AbortController();

  private constructor(
    private readonly spool: Spool,
    private readonly options: AuditClientOptions,
  ) {
    this.transport = {
      url: options.url,
      token: options.token,
      timeoutMs: options.requestTimeoutMs ?? 10_000,
      signal: this.inFlight.signal,
    };
    this.batchSize = Math.min(1000, Math.max(1, options.batchSize ?? 500));
    this.batchBytes = Math.min(4 * 1024 * 1024, options.batchBytes ?? 1024 * 1024);
    this.deadLetterFile = join(options.spoolDir, 'dead-letters.ndjson');
    this.auth = authLogHelpers((event) => this.recordAuth(event));
    spool.onAppend = () => {
      this.appended = true;
      this.wakeUp?.();
    };
  }

  /** Opens (or takes over after a crash) the spool and starts sending what it holds. */
  static async open(options: AuditClientOptions): Promise<AuditClient> {
    checkOptions(options);
    const spool = await Spool.open({
      dir: options.spoolDir,
      maxBytes: options.maxSpoolBytes ?? 256 * 1024 * 1024,
      segmentBytes: options.segmentBytes ?? 4 * 1024 * 1024,
    });
    const client = new AuditClient(spool, options);
    client.loop = client.run();
    return client;
  }

  /**
   * Records an administrative event: resolves with its id once it is on disk (fsynced), so a crash after
   * this cannot lose it. Throws SpoolFullError when the spool is full, TypeError for an event that can never
   * be accepted (no actor, no target, …).
   */
  async record(event: RecordInput): Promise<{ id: string }> {
    this.refuseWhenClosed();
    const prepared = prepareEvent(event);
    await this.spool.append('event', prepared as unknown as Record<string, unknown>);
    return { id: prepared.id! };
  }

  /** Records an authentication event (see also the `auth` helpers). */
  async recordAuth(event: AuthRecordInput): Promise<{ id: string }> {
    this.refuseWhenClosed();
    const prepared = prepareAuthEvent(event);
    await this.spool.append('auth', prepared as unknown as Record<string, unknown>);
    return { id: prepared.id! };
  }

  private refuseWhenClosed(): void {
    if (this.closed) throw new Error('the audit client is closed: the event was NOT recorded');
  }

  /** Bytes recorded and not yet delivered. */
  get pendingBytes(): number {
    return this.spool.pendingBytes;
  }

  /**
   * Resolves once everything recorded before the call is delivered (or dead-lettered); rejects after
   * `timeoutMs` (default: wait as long as it takes).
   */
  async flush(timeoutMs?: number): Promise<void> {
    const target = await this.spool.end();
    if (this.spool.reached(target)) return;
    await new Promise<void>((resolve, reject) => {
      const waiter = {
        target,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      };
      const timer =
        timeoutMs === undefined
          ? undefined
          : setTimeout(() => {
              this.waiters = this.waiters.filter((w) => w !== waiter);
              reject(
                new Error(`flush: ${this.spool.pendingBytes} bytes still to be sent after ${timeoutMs} ms`),
              );
            }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  /**
   * Stops recording, tries to deliver what is spooled for up to `flushTimeoutMs` (default 5 s), then stops
   * the sender, aborting a request still in flight (its events stay spooled: the next client on this
   * directory resends them, and the service answers any it did store as duplicates).
   */
  async close(options: { flushTimeoutMs?: number } = {}): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const flushTimeoutMs = options.flushTimeoutMs ?? 5000;
    if (flushTimeoutMs > 0) await this.flush(flushTimeoutMs).catch(() => {});
    this.stopping = true;
    this.inFlight.abort();
    this.wakeUp?.();
    await this.loop;
    await this.spool.close();
  }

  private async run(): Promise<void> {
    while (!this.stopping) {
      try {
        this.appended = false;
        const entries = await this.spool.read(this.isolating > 0 ? 1 : this.batchSize, this.batchBytes);
        if (entries.length === 0) {
          this.resolveWaiters(); // the cursor may have moved past a finished segment
          await this.wait(undefined, true);
        } else await this.deliver(entries);
      } catch (error) {
        this.options.onError?.(error);
        await this.wait(1000, false);
      }
    }
  }

  private async deliver(entries: SpoolEntry[]): Promise<void> {
    const head = entries[0]!;
    if (head.kind === 'unreadable') {
      await this.deadLetter(head, {
        status: 0,
        code: 'unreadable',
        reason: 'a spool line could not be read',
      });
      return;
    }
    const outcome = await sendBatch(
      this.transport,
      head.kind as EntryKind,
      entries.map((e) => e.body),
    );
    if (outcome.kind === 'sent') {
      this.attempt = 0;
      this.isolating = Math.max(0, this.isolating - entries.length);
      await this.acknowledge(entries.at(-1)!.end);
    } else if (outcome.kind === 'refused') {
      this.attempt = 0;
      // A batch is all or nothing: send its events one by one to set aside only the refused ones.
      if (entries.length > 1) this.isolating = entries.length;
      else {
        this.isolating = Math.max(0, this.isolating - 1);
        await this.deadLetter(head, outcome);
      }
    } else if (!this.stopping) {
      this.attempt++;
      const delayMs = outcome.retryAfterMs ?? backoffDelay(this.attempt, this.backoffOptions());
      this.options.onRetry?.({
        attempt: this.attempt,
        delayMs,
        status: outcome.status,
        retryAfterMs: outcome.retryAfterMs,
        reason: outcome.reason,
      });
      await this.wait(delayMs, false);
    }
  }

  private backoffOptions() {
    return {
      initialDelayMs: this.options.initialRetryDelayMs ?? 200,
      maxDelayMs: this.options.maxRetryDelayMs ?? 30_000,
    };
  }

  private async deadLetter(
    entry: SpoolEntry,
    why: { status: number; code: string; reason: string },
  ): Promise<void> {
    const letter: DeadLetter = {
      kind: entry.kind,
      event: entry.body,
      status: why.status,
      code: why.code,
      reason: why.reason,
      at: new Date().toISOString(),
    };
    await appendDeadLetter(this.deadLetterFile, letter);
    await this.acknowledge(entry.end);
    try {
      this.options.onDeadLetter?.(letter);
    } catch (error) {
      this.options.onError?.(error);
    }
  }

  private async acknowledge(position: Position): Promise<void> {
    await this.spool.ack(position);
    this.resolveWaiters();
  }

  private resolveWaiters(): void {
    this.waiters = this.waiters.filter((w) => {
      if (!this.spool.reached(w.target)) return true;
      w.resolve();
      return false;
    });
  }

  /**
   * Waits `ms` (undefined: no limit), or less when closing, or when `orAppend` and something was appended.
   * The timer does not keep the process alive: a script that records and ends without close() exits, and
   * what it recorded waits in the spool for the next client.
   */
  private wait(ms: number | undefined, orAppend: boolean): Promise<void> {
    return new Promise((resolve) => {
      const timer = ms === undefined ? undefined : setTimeout(() => finish(), ms).unref();
      const finish = () => {
        clearTimeout(timer);
        this.wakeUp = undefined;
        resolve();
      };
      this.wakeUp = () => {
        if (this.stopping || (orAppend && this.appended)) finish();
      };
      this.wakeUp();
    });
  }
}
