import { parentPort } from 'node:worker_threads';
import { duplicateKeyIn } from '../core/domain/duplicate-keys.js';
import { authSizeError } from '../core/domain/prepare-auth-event.js';
import { eventsSizeError } from '../core/domain/prepare-event.js';

/** A request to the body-check thread (large-bodies.ts): the raw bytes of one large ingest body. */
export interface BodyCheck {
  id: number;
  kind: 'events' | 'auth';
  bytes: Uint8Array;
}

/**
 * Its answer: the pointer of a repeated member name (the parser's 400, which comes first at any size), else
 * the 413 the core would throw for the body (message and details), if any.
 */
export interface BodyVerdict {
  id: number;
  duplicate: string | null;
  tooLarge: { message: string; details: { path: string; message: string }[] } | null;
}

const decoder = new TextDecoder();
const port = parentPort!;

port.on('message', ({ id, kind, bytes }: BodyCheck) => {
  let tooLarge: BodyVerdict['tooLarge'] = null;
  let duplicate: string | null = null;
  try {
    // Invalid JSON is the event loop's parser's to answer, as for any body.
    const text = decoder.decode(bytes);
    const value = JSON.parse(text);
    duplicate = duplicateKeyIn(bytes, value, text) ?? null;
    const error = duplicate ? undefined : kind === 'events' ? eventsSizeError(value) : authSizeError(value);
    if (error) tooLarge = { message: error.message, details: error.details };
  } catch {}
  port.postMessage({ id, duplicate, tooLarge } satisfies BodyVerdict);
});
