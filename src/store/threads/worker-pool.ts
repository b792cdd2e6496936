import type { MessagePort, Worker } from 'node:worker_threads';
import { AuditError, type ErrorCode, type ErrorDetail } from '../../core/domain/errors.js';
import { startWorker } from '../../threads/start-worker.js';
import { compactHeap, compactIfGrown } from './compact-heap.js';
import { givePageBuffer, movable } from './page-buffers.js';
import { READER_LIMITS } from './thread-limits.js';

/** An error as it crosses between threads: an AuditError's fields (anything else becomes `internal`). */
export interface SerializedError {
  code: ErrorCode;
  message: string;
  details: ErrorDetail[];
}

export function serializeError(error: unknown): SerializedError {
  if (error instanceof AuditError)
    return { code: error.code, message: error.message, details: error.details };
  return { code: 'internal', message: (error as Error)?.message ?? String(error), details: [] };
}

/**
 * The AuditError a thread reported. An unexpected error (`internal`) MUST NOT carry its own message to a
 * client — it may name tables, files or values — so it is kept as the cause, which the server logs.
 */
export function deserializeError(e: SerializedError): AuditError {
  if (e.code === 'internal')
    return new AuditError('internal', undefined, [], { cause: new Error(e.message) });
  return new AuditError(e.code, e.message, e.details);
}

/**
 * An answer in two parts: `head` goes back at once, then `rest()` runs in the same thread and follows — so
 * that the caller can start its next request (on another thread) while this one is still working.
 */
export class TwoPart<H, R> {
  constructor(
    readonly head: H,
    readonly rest: () => R,
  ) {}
}

/** A two-part answer as the caller receives it. */
export interface Split<H, R> {
  head: H;
  rest: Promise<R>;
}

/** What a request resolves to: a two-part answer arrives split. */
export type Answer<T> = T extends TwoPart<infer H, infer R> ? Split<H, R> : T;

type Reply =
  | { ready: true }
  | { id: number; ok: true; result: unknown; more?: true }
  | { id: number; ok: false; error: SerializedError };

interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

interface Thread {
  worker: Worker;
  pending: Map<number, Pending>;
}

/**
 * Worker threads answering requests `{ id, op, args }` (see answerRequests). Each request goes to the
 * thread with the fewest in flight; a thread keeps the process alive only while it has requests. A thread
 * that stops fails its requests with `store_unavailable`.
 */
export class WorkerPool {
  readonly #threads: Thread[] = [];
  readonly #url: URL;
  readonly #what: string;
  /** Buffers of bytes the threads answered with: this thread owns each alone (moved or copied to it). */
  readonly #received = new WeakSet<ArrayBuffer>();
  #nextId = 1;

  /** `url`: the worker module (compiled `.js`); `what` names a thread in errors ("A SQLite reader"). */
  constructor(url: URL, what: string) {
    this.#url = url;
    this.#what = what;
  }

  get size(): number {
    return this.#threads.length;
  }

  /** Starts one more thread; resolves when it is ready, rejects when it fails before. */
  spawn(workerData: unknown): Promise<void> {
    return new Promise((resolve, reject) => {
      const thread: Thread = {
        worker: startWorker(this.#url, workerData, READER_LIMITS),
        pending: new Map(),
      };
      thread.worker.unref();
      this.#threads.push(thread);
      thread.worker.on('message', (m: Reply) => {
        if ('ready' in m) return resolve();
        const p = thread.pending.get(m.id);
        if (!p) return;
        if (m.ok && m.more) {
          // The head of a two-part answer; the rest stays pending under the same id.
          const rest = new Promise((res, rej) => thread.pending.set(m.id, { resolve: res, reject: rej }));
          return p.resolve({ head: m.result, rest });
        }
        thread.pending.delete(m.id);
        if (thread.pending.size === 0) thread.worker.unref();
        if (m.ok && m.result instanceof Uint8Array && m.result.buffer instanceof ArrayBuffer)
          this.#received.add(m.result.buffer);
        if (m.ok) p.resolve(m.result);
        else p.reject(deserializeError(m.error));
      });
      const fail = (why: string) => {
        const error = new AuditError('store_unavailable', `${this.#what} stopped: ${why}`);
        for (const p of thread.pending.values()) p.reject(error);
        thread.pending.clear();
        reject(error);
      };
      thread.worker.on('error', (e) => fail(e.message));
      thread.worker.on('exit', (code) => {
        const i = this.#threads.indexOf(thread);
        if (i !== -1) this.#threads.splice(i, 1);
        fail(`exit ${code}`);
      });
    });
  }

  /** Sends a request to the thread with the fewest in flight. */
  run(op: string, args: unknown[]): Promise<unknown> {
    if (this.#threads.length === 0)
      return Promise.reject(new AuditError('store_unavailable', `${this.#what} is not running`));
    const thread = this.#threads.reduce((a, b) => (b.pending.size < a.pending.size ? b : a));
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      thread.pending.set(id, { resolve, reject });
      thread.worker.ref();
      thread.worker.postMessage({ id, op, args });
    });
  }

  /**
   * Hands a page's bytes (see page-buffers.ts) back to a thread once nothing reads them any more — the
   * socket wrote them — so that a later page reuses their memory. Moved, not copied: `bytes` is empty after.
   * Only bytes a thread answered with move; any other (a view into Node's shared pool) stays.
   */
  recycle(bytes: Uint8Array): void {
    const buffer = bytes.buffer;
    if (this.#threads.length === 0 || !(buffer instanceof ArrayBuffer) || !this.#received.has(buffer)) return;
    this.#received.delete(buffer);
    const thread = this.#threads.reduce((a, b) => (b.pending.size < a.pending.size ? b : a));
    thread.worker.postMessage({ recycle: buffer }, [buffer]);
  }

  /** Asks each thread to finish (answerRequests' `close`), and stops the ones still running a second later. */
  async close(): Promise<void> {
    await Promise.all(
      this.#threads.map(async ({ worker }) => {
        const exited = new Promise((resolve) => worker.once('exit', resolve));
        worker.postMessage({ close: true });
        const late = setTimeout(() => void worker.terminate(), 1000);
        await exited;
        clearTimeout(late);
      }),
    );
  }
}

/**
 * The thread's side of WorkerPool: answers each request with `handle(op, args)` (or what it resolves to) —
 * a TwoPart as two messages under the request's id, the first marked `more`; movable bytes (page-buffers.ts)
 * are transferred, so the handler MUST NOT keep them — and a thrown error serialised after `translate`.
 * Buffers handed back (`recycle`) become spare page buffers. Reports ready first; on `close`, runs `close`
 * and lets the thread end.
 */
export function answerRequests(
  port: MessagePort,
  handle: (op: string, args: unknown[]) => unknown,
  options: { translate?: (error: unknown) => unknown; close?: () => unknown } = {},
): void {
  const { translate = (e: unknown) => e, close } = options;
  // Bytes are moved, not copied: the thread never touches them again.
  const post = (id: number, result: unknown) =>
    port.postMessage({ id, ok: true, result }, movable(result) ? [result.buffer] : []);
  type Message = { id: number; op: string; args: unknown[] } | { close: true } | { recycle: ArrayBuffer };
  port.on('message', async (m: Message) => {
    if ('recycle' in m) return givePageBuffer(m.recycle);
    if ('close' in m) {
      await close?.();
      port.close();
      return;
    }
    try {
      const result = await handle(m.op, m.args);
      if (result instanceof TwoPart) {
        port.postMessage({ id: m.id, ok: true, result: result.head, more: true });
        post(m.id, result.rest());
        // A two-part answer is an export's page: what formatting it promoted is let go of in time.
        compactIfGrown();
      } else {
        post(m.id, result);
      }
    } catch (error) {
      port.postMessage({ id: m.id, ok: false, error: serializeError(translate(error)) });
    }
  });
  // What loading the thread's modules left in its young generation goes back first (compact-heap.ts).
  void compactHeap().finally(() => port.postMessage({ ready: true }));
}
