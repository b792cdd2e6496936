import { isUtf8 } from 'node:buffer';
import { Readable } from 'node:stream';
import type { Worker } from 'node:worker_threads';
import { errorCodes, type FastifyInstance } from 'fastify';
import { AuditError } from '../../core/domain/errors.js';
import { LIMITS } from '../../core/domain/schemas/event-schema.js';
import { startWorker } from '../../threads/start-worker.js';
import type { BodyCheck, BodyVerdict } from '../body-check-worker.js';
import { duplicateKey, notUtf8 } from './json-body.js';

/** Ingest bodies larger than this are checked off the event loop before it parses them. */
export const OFF_LOOP_BYTES = 1024 * 1024;
const INGEST: Record<string, BodyCheck['kind']> = { '/v1/events': 'events', '/v1/auth-events': 'auth' };

/**
 * A large ingest body is parsed first by a thread of its own, which answers whether the core will refuse it
 * as too large (413) — the one refusal that depends on nothing but the body, and the one a hostile client
 * reaches with the most bytes. Parsing 8 MB of one event's huge array held the event loop for 180–260 ms
 * (BENCHMARKS.md, Responsiveness); a body to refuse is now refused without being parsed there. Any other
 * body goes on to the usual parser, from the same bytes (a repeated member name found there is answered
 * first, as the parser would): the thread adds latency to a large request, never
 * a different answer (the verdict is the core's own, `eventsSizeError` / `authSizeError`). A chunked body is
 * read whole first (within the body limit) to learn its size; compressed bodies go to the parser as they are.
 */
export function installLargeBodyCheck(app: FastifyInstance): void {
  const checker = new BodyChecker();
  app.addHook('onClose', async () => checker.close());
  app.addHook('preParsing', async (request, _reply, payload) => {
    const kind = request.method === 'POST' ? INGEST[request.routeOptions.url ?? ''] : undefined;
    if (kind === undefined || request.headers['content-encoding'] !== undefined) return payload;
    const declared = request.headers['content-length'];
    if (declared !== undefined) {
      const length = Number(declared);
      if (!(length > OFF_LOOP_BYTES) || length > LIMITS.requestBytes) return payload;
    }
    // A declared length is delivered exactly; a chunked body's size is known only once read. Either is read
    // within the body limit (past it, the 413 Fastify's parser gives); 1 MiB or less goes on unchecked.
    const bytes = await readWithin(payload, LIMITS.requestBytes);
    if (bytes === undefined) throw new errorCodes.FST_ERR_CTP_BODY_TOO_LARGE();
    if (bytes.byteLength <= OFF_LOOP_BYTES) return asStream(bytes);
    // The parser's first refusal (json-body.ts), before the thread's: the same answer at any size.
    if (!isUtf8(bytes)) throw notUtf8();
    const verdict = await checker.check(kind, bytes);
    if (verdict?.duplicate) throw duplicateKey(verdict.duplicate);
    if (verdict?.tooLarge)
      throw new AuditError('payload_too_large', verdict.tooLarge.message, verdict.tooLarge.details);
    return asStream(bytes);
  });
}

function asStream(bytes: Uint8Array): Readable {
  return Readable.from([Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)], {
    objectMode: false,
  });
}

/**
 * A body's bytes, or undefined once they pass `limit`: then reading pauses, the rest left
 * for the error handler to drain (leaving a `for await` early would destroy the request, and the answer).
 */
function readWithin(payload: NodeJS.ReadableStream, limit: number): Promise<Uint8Array | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    const stop = () => {
      payload.removeListener('data', onData);
      payload.removeListener('end', onEnd);
      payload.removeListener('error', onError);
    };
    const onData = (chunk: Buffer) => {
      total += chunk.length;
      if (total <= limit) return void chunks.push(chunk);
      stop();
      payload.pause();
      resolve(undefined);
    };
    const onEnd = () => {
      stop();
      resolve(Buffer.concat(chunks, total));
    };
    const onError = (error: unknown) => {
      stop();
      reject(error);
    };
    payload.on('data', onData);
    payload.on('end', onEnd);
    payload.on('error', onError);
  });
}

/** The checking thread, started by the first large body; its requests answered in order. */
class BodyChecker {
  #worker: Worker | undefined;
  #next = 0;
  readonly #pending = new Map<number, (v: BodyVerdict | undefined) => void>();

  check(kind: BodyCheck['kind'], bytes: Uint8Array): Promise<BodyVerdict | undefined> {
    const worker = this.#start();
    const id = this.#next++;
    return new Promise((resolve) => {
      this.#pending.set(id, resolve);
      // A copy (~2 ms for 8 MB): should the thread fail, the body goes on from the event loop's bytes.
      worker.postMessage({ id, kind, bytes } satisfies BodyCheck);
    });
  }

  async close(): Promise<void> {
    const worker = this.#worker;
    this.#worker = undefined;
    await worker?.terminate();
  }

  #start(): Worker {
    if (this.#worker) return this.#worker;
    const worker = startWorker(new URL('../body-check-worker.js', import.meta.url));
    worker.unref();
    worker.on('message', (v: BodyVerdict) => {
      this.#pending.get(v.id)?.(v);
      this.#pending.delete(v.id);
    });
    // A thread that fails answers nothing: each body waiting on it goes on to the usual parser unchecked.
    const fail = () => {
      if (this.#worker === worker) this.#worker = undefined;
      for (const resolve of this.#pending.values()) resolve(undefined);
      this.#pending.clear();
    };
    worker.on('error', fail);
    worker.on('exit', fail);
    this.#worker = worker;
    return worker;
  }
}
