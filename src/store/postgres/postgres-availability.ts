import { AuditError } from '../../core/domain/errors.js';
import type { StoreHealth } from '../../core/ports/store.js';
import { isConnectionLost, translatePgError } from './postgres-connection.js';

export interface AvailabilityOptions {
  /** Whether the database answers now (a fresh connection); rejects when it does not. */
  probe: () => Promise<void>;
  /** Backoff between probes while the database is away: from `minDelayMs`, doubling, up to `maxDelayMs`. */
  minDelayMs?: number;
  maxDelayMs?: number;
}

/** A successful call this recent answers a health check without asking the database again. */
const FRESH_MS = 1_000;

/**
 * Whether this node can reach PostgreSQL, and its reconnection when it cannot. A lost or refused connection
 * starts a probe loop (a fresh connection, `SELECT 1`) with exponential backoff until the database answers.
 * From the first failed probe until then, every call fails at once with `store_unavailable` naming the cause,
 * instead of each request waiting for a connection attempt of its own. The pools need no reset: pg drops a
 * client whose connection broke and the next checkout opens a new one.
 *
 * A call MUST go through `run` (or `guard` + `succeeded` / `failed`) so that its failure is noticed; an error
 * of a working connection (a constraint, a cancelled statement) never marks the database away.
 */
export class PostgresAvailability {
  readonly #probe: () => Promise<void>;
  readonly #minDelayMs: number;
  readonly #maxDelayMs: number;
  #down: AuditError | null = null;
  #reconnecting = false;
  #lastOkMs = 0;
  /** The health check's probe under way, shared by concurrent checks. */
  #checking: Promise<void> | null = null;
  #closed = false;
  #wake: (() => void) | null = null;

  constructor(options: AvailabilityOptions) {
    this.#probe = options.probe;
    this.#minDelayMs = options.minDelayMs ?? 100;
    this.#maxDelayMs = options.maxDelayMs ?? 1_000;
  }

  /** Runs `fn` unless the database is known to be away; driver errors come back translated. */
  async run<T>(fn: () => Promise<T>): Promise<T> {
    this.guard();
    try {
      const result = await fn();
      this.succeeded();
      return result;
    } catch (error) {
      throw this.failed(error);
    }
  }

  /** Throws `store_unavailable` (with the cause) while the database is known to be away. */
  guard(): void {
    if (this.#down) throw this.#down;
  }

  succeeded(): void {
    this.#lastOkMs = Date.now();
  }

  /** Translates a driver error; a lost or refused connection starts reconnecting. */
  failed(error: unknown): unknown {
    if (isConnectionLost(error)) this.#reconnect();
    return translatePgError(error);
  }

  /** Ready, or why not: from the last call when it is recent, else from a probe. */
  async health(): Promise<StoreHealth> {
    if (this.#down) return { ready: false, reason: this.#down.message };
    if (Date.now() - this.#lastOkMs < FRESH_MS) return { ready: true };
    this.#checking ??= this.#probe().finally(() => {
      this.#checking = null;
    });
    try {
      await this.#checking;
      this.succeeded();
      return { ready: true };
    } catch (error) {
      this.#reconnect();
      return { ready: false, reason: unavailable(error).message };
    }
  }

  /** Stops reconnecting (the store is closing). */
  close(): void {
    this.#closed = true;
    this.#wake?.();
  }

  #reconnect(): void {
    if (this.#reconnecting || this.#closed) return;
    this.#reconnecting = true;
    void (async () => {
      for (let delay = this.#minDelayMs; !this.#closed; delay = Math.min(delay * 2, this.#maxDelayMs)) {
        try {
          await this.#probe();
          this.#down = null;
          this.succeeded();
          return;
        } catch (error) {
          this.#down = unavailable(error);
        }
        await new Promise<void>((resolve) => {
          this.#wake = resolve;
          setTimeout(resolve, delay).unref();
        });
      }
    })().finally(() => {
      this.#reconnecting = false;
      this.#wake = null;
    });
  }
}

function unavailable(error: unknown): AuditError {
  const e = error as { message?: string; code?: string };
  return new AuditError(
    'store_unavailable',
    `PostgreSQL is unavailable (${e.message || e.code || 'no answer'}); reconnecting`,
    [],
    { cause: error },
  );
}
