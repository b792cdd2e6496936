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
 */
export class SqliteReaderPool {
  readonly #fast = new WorkerPool(new URL('./sqlite-reader-worker.js', import.meta.url), 'A SQLite reader');
  readonly #slow = new WorkerPool(new URL('./sqlite-reader-worker.js', import.meta.url), 'A SQLite reader');

  private constructor() {}

  static async start(file: string, size: number, readonly = false): Promise<SqliteReaderPool> {
    const pool = new SqliteReaderPool();
    try {
      await Promise.all([
        ...Array.from({ length: size }, () => pool.#fast.spawn({ file, readonly })),
        pool.#slow.spawn({ file, readonly }),
      ]);
    } catch (error) {
      await pool.close();
      throw error;
    }
    return pool;
  }

  run<K extends ReadOp>(op: K, ...args: ReadArgs<K>): Promise<ReadResult<K>> {
    const preferred = SLOW_OPS.has(op) ? this.#slow : this.#fast;
    const lane = preferred.size > 0 ? preferred : preferred === this.#slow ? this.#fast : this.#slow;
    return lane.run(op, args) as Promise<ReadResult<K>>;
  }

  async close(): Promise<void> {
    await Promise.all([this.#fast.close(), this.#slow.close()]);
  }
}
