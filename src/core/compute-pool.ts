import { alertPage } from './attack-detection.js';
import { csvRecords } from './csv-format.js';
import { WorkerPool } from './worker-pool.js';

/** The core's heavy pure work over plain data, by name, so that another thread can run it. */
export const COMPUTE_TASKS = { csvRecords, alertPage } as const;
type Tasks = typeof COMPUTE_TASKS;

/**
 * Worker threads for COMPUTE_TASKS, for a store whose rows arrive on the caller's thread (PostgreSQL):
 * formatting an export page or detecting attacks in millions of failures there would hold the event loop.
 * Started on first use, so that a process that never needs them starts none.
 */
export class ComputePool {
  readonly #threads = new WorkerPool(new URL('./compute-worker.js', import.meta.url), 'A compute worker');
  readonly #size: number;

  constructor(size = 2) {
    this.#size = size;
  }

  run<K extends keyof Tasks>(task: K, ...args: Parameters<Tasks[K]>): Promise<ReturnType<Tasks[K]>> {
    // A thread that failed to start has already failed its request; the next request starts another.
    while (this.#threads.size < this.#size) this.#threads.spawn(undefined).catch(() => {});
    return this.#threads.run(task, args) as Promise<ReturnType<Tasks[K]>>;
  }

  close(): Promise<void> {
    return this.#threads.close();
  }
}
