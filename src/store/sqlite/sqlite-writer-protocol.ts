import type { AppendBatch, AppendedEntry } from '../../core/entry.js';
import { AuditError, type ErrorCode, type ErrorDetail } from '../../core/errors.js';

/** Messages between a SQLite store and its writer thread. */
export type WorkerRequest = { type: 'append'; id: number; batch: AppendBatch } | { type: 'close' };

export type WorkerReply =
  | { type: 'ready' }
  | { type: 'appended'; id: number; entries: AppendedEntry[] }
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
