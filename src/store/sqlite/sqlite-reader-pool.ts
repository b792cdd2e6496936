import type { Worker } from 'node:worker_threads';
import { AuditError } from '../../core/errors.js';
import { startWorker } from '../../core/start-worker.js';
import type { ReadArgs, ReadOp, ReadResult } from './sqlite-read-ops.js';
import { deserializeError, type SerializedError } from './sqlite-writer-protocol.js';

/**
 * Operations that may read the whole log (statistics over every matching event). They queue on their own
 * reader, so two people counting a million events never stall everyone's page loads.
 */
const SLOW_OPS: ReadonlySet<ReadOp> = new Set(['eventStats']);

interface Reader {
  lane: 'fast' | 'slow';
  worker: Worker;
  pending: Map<number, { resolve: (v: unknown) => void; reject: (e: unknown) => void }>;
}

type Reply =
  | { ready: true }
  | { id: number; ok: true; result: unknown }
  | { id: number; ok: false; error: SerializedError };

/**
 * Reader threads of a SQLite store: `size` readers for queries that stay small (a page, an event, a
 * session), each going to the reader with the fewest in flight, plus one reader for SLOW_OPS. WAL lets them
 * read while the writer thread writes. A reader that dies fails its queries with `store_unavailable`.
 */
export class SqliteReaderPool {
  readonly #readers: Reader[] = [];
  #nextId = 1;

  private constructor() {}

  static async start(file: string, size: number, readonly = false): Promise<SqliteReaderPool> {
    const pool = new SqliteReaderPool();
    await Promise.all([
      ...Array.from({ length: size }, () => pool.#spawn(file, 'fast', readonly)),
      pool.#spawn(file, 'slow', readonly),
    ]);
    return pool;
  }

  run<K extends ReadOp>(op: K, ...args: ReadArgs<K>): Promise<ReadResult<K>> {
    if (this.#readers.length === 0)
      return Promise.reject(new AuditError('store_unavailable', 'No SQLite reader is running'));
    const lane = SLOW_OPS.has(op) ? 'slow' : 'fast';
    const candidates = this.#readers.filter((r) => r.lane === lane);
    const reader = (candidates.length > 0 ? candidates : this.#readers).reduce((a, b) =>
      b.pending.size < a.pending.size ? b : a,
    );
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      reader.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      reader.worker.postMessage({ id, op, args });
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.#readers.map((r) => r.worker.terminate()));
  }

  #spawn(file: string, lane: Reader['lane'], readonly: boolean): Promise<void> {
    return new Promise((resolve, reject) => {
      const worker = startWorker(new URL('./sqlite-reader-worker.js', import.meta.url), { file, readonly });
      const reader: Reader = { lane, worker, pending: new Map() };
      worker.on('message', (m: Reply) => {
        if ('ready' in m) {
          this.#readers.push(reader);
          resolve();
          return;
        }
        const p = reader.pending.get(m.id);
        if (!p) return;
        reader.pending.delete(m.id);
        if (m.ok) p.resolve(m.result);
        else p.reject(deserializeError(m.error));
      });
      const fail = (why: string) => {
        const error = new AuditError('store_unavailable', `A SQLite reader stopped: ${why}`);
        for (const p of reader.pending.values()) p.reject(error);
        reader.pending.clear();
        reject(error);
      };
      worker.on('error', (e) => fail(e.message));
      worker.on('exit', (code) => {
        const i = this.#readers.indexOf(reader);
        if (i !== -1) this.#readers.splice(i, 1);
        if (reader.pending.size > 0) fail(`exit ${code}`);
      });
    });
  }
}
