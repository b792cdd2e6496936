import type { AppendBatch, AppendedEntry } from '../../core/domain/entry.js';
import type { StoredNode } from '../../core/domain/merkle/merkle-proofs.js';
import type { SignedCheckpoint } from '../../core/domain/signing.js';
import type { PurgeStep } from '../../core/ports/lifecycle-repository.js';
import type { SerializedError } from '../threads/worker-pool.js';

/**
 * What the writer thread writes: every write to the event tables, checkpoints and Merkle nodes goes through
 * it. A `probe` commits one meta row: whether the database can be written now (after a write failed). A
 * `vacuum` rewrites the file after its group commits and empties the WAL (an erasure: no page keeps a key).
 */
export type WriteRequest =
  | { kind: 'append'; batch: AppendBatch }
  | { kind: 'checkpoint'; checkpoint: SignedCheckpoint }
  | { kind: 'purge'; step: PurgeStep }
  | { kind: 'merkle'; tenant: string; size: number; nodes: readonly StoredNode[] }
  | { kind: 'probe' }
  | { kind: 'vacuum' };

/** Messages between a SQLite store and its writer thread. */
export type WorkerRequest = { type: 'write'; id: number; request: WriteRequest } | { type: 'close' };

export type WorkerReply =
  | { type: 'ready' }
  | { type: 'written'; id: number; entries: AppendedEntry[] | null }
  | { type: 'failed'; id: number; error: SerializedError }
  | { type: 'closed'; error?: SerializedError };

export { deserializeError, type SerializedError, serializeError } from '../threads/worker-pool.js';
