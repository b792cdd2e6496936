import type { AppendBatch, AppendedEntry } from '../../core/entry.js';
import { AuditError, type ErrorCode, type ErrorDetail } from '../../core/errors.js';
import type { SignedCheckpoint } from '../../core/signing.js';

/**
 * What the writer thread writes: every write to the event tables and checkpoints goes through it. A `probe`
 * commits one meta row: whether the database can be written now (after a write failed).
 */
export type WriteRequest =
  | { kind: 'append'; batch: AppendBatch }
  | { kind: 'checkpoint'; checkpoint: SignedCheckpoint }
  | { kind: 'probe' };

/** Messages between a SQLite store and its writer thread. */
export type WorkerRequest = { type: 'write'; id: number; request: WriteRequest } | { type: 'close' };

export type WorkerReply =
  | { type: 'ready' }
  | { type: 'written'; id: number; entries: AppendedEntry[] | null }
  | { type: 'failed'; id: number; error: SerializedError }
  | { type: 'closed'; error?: SerializedError };

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

export function deserializeError(e: SerializedError): AuditError {
  return new AuditError(e.code, e.message, e.details);
}
