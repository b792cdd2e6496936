import { WorkerPool } from '../threads/worker-pool.js';
import type { ReadArgs, ReadOp, ReadResult } from './sqlite-read-ops.js';

/**
 * Operations that may read the whole log (statistics over every matching event). They queue on their own
 * reader, so two people counting a million events never stall everyone's page loads.
 */
const SLOW_OPS: ReadonlySet<ReadOp> = new Set(['eventStats']);

/**
 * Reader threads of a SQLite store: `size` readers for queries that stay small (a page, an event, a
 * session), each going to the reader with the fewest in flight, plus one reader for SLOW_OPS. WAL lets them
 * read while the writer thread writes. A reader that dies fails its queries with `store_unavailable`.
 *
 * The reader for SLOW_OPS starts with the first of them (and again after it stopped): statistics that scan
 * are rare since the rollups, and an idle thread costs ~10 MB of the server's resident memory.
 */
export class SqliteReaderPool {
  readonly #fast = new WorkerPool(new URL('./sqlite-reader-worker.js', import.meta.url), 'A SQLite reader');
  readonly #slow = new WorkerPool(new URL('./sqlite-reader-worker.js', import.meta.url), 'A SQLite reader');
  readonly #data: { file: string; readonly: boolean };
  #slowStarting: Promise<void> | null = null;

  private constructor(data: { file: string; readonly: boolean }) {
    this.#data = data;
  }

  static async start(file: string, size: number, readonly = false): Promise<SqliteReaderPool> {
    const pool = new SqliteReaderPool({ file, readonly });
    try {
      await Promise.all(Array.from({ length: size }, () => pool.#fast.spawn(pool.#data)));
    } catch (error) {
      await pool.close();
      throw error;
    }
    return pool;
  }

  /** How many reader threads run now (the slow one only once started). */
  get threads(): number {
    return this.#fast.size + this.#slow.size;
  }

  run<K extends ReadOp>(op: K, ...args: ReadArgs<K>): Promise<ReadResult<K>> {
    if (SLOW_OPS.has(op))
      return this.#slowLane().then((lane) => lane.run(op, args) as Promise<ReadResult<K>>);
    const lane = this.#fast.size > 0 ? this.#fast : this.#slow;
    return lane.run(op, args) as Promise<ReadResult<K>>;
  }

  /** Hands a page's written bytes back to a fast reader (WorkerPool.recycle), where exports read. */
  recycle(bytes: Uint8Array): void {
    this.#fast.recycle(bytes);
  }

  /** The slow reader, started now if it is not running; the fast ones when it cannot start. */
  async #slowLane(): Promise<WorkerPool> {
    if (this.#slow.size === 0) {
      this.#slowStarting ??= this.#slow.spawn(this.#data).finally(() => {
        this.#slowStarting = null;
      });
      await this.#slowStarting.catch(() => {});
    }
    return this.#slow.size > 0 ? this.#slow : this.#fast;
  }

  async close(): Promise<void> {
    await this.#slowStarting?.catch(() => {});
    await Promise.all([this.#fast.close(), this.#slow.close()]);
  }
}
