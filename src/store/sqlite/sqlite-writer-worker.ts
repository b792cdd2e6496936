import { parentPort, workerData } from 'node:worker_threads';
import type { AppendedEntry } from '../../core/domain/entry.js';
import { compactHeap } from '../threads/compact-heap.js';
import { GroupCommitter } from '../threads/group-commit.js';
import { fileIdentity, openSqlite } from './sqlite-connection.js';
import { SqliteWriter } from './sqlite-writer.js';
import {
  serializeError,
  type WorkerReply,
  type WorkerRequest,
  type WriteRequest,
} from './sqlite-writer-protocol.js';

/**
 * The writer thread of a SQLite store. Writes run here so that the main thread keeps parsing, validating
 * and hashing requests while this one inserts and waits for fsync; both cores work. Messages that arrive
 * while a commit runs form the next group.
 */
const port = parentPort!;
const { file, maxGroupEntries } = workerData as { file: string; maxGroupEntries: number };
const db = openSqlite(file);
// The WAL is copied back into the database every 4,000 pages (16 MB) instead of SQLite's 1,000: a group of
// 500 events dirties ~700 pages, so at 1,000 nearly every commit ran a checkpoint, and the pages every group
// touches again (index leaves, the table's last pages) were written to the file once per group. HTTP batches:
// 12.3k against 11.2k events/s in five alternated runs; in the bench 0.99–1.12× (batches) and 1.05–1.13× (single
// events, p99 18.7–19.8 against 16.2–18.1 ms) the build before, three runs (BENCHMARKS.md).
db.pragma('wal_autocheckpoint = 4000');
const writer = new SqliteWriter(db, fileIdentity(file));
const committer = new GroupCommitter<WriteRequest, AppendedEntry[] | null>(
  (requests) => writer.commitGroup(requests),
  {
    maxWeight: maxGroupEntries,
    weight: (r) =>
      r.kind === 'append'
        ? r.batch.entries.length
        : r.kind === 'purge'
          ? r.step.seqs.length
          : r.kind === 'merkle'
            ? Math.ceil(r.nodes.length / 8)
            : 1,
  },
);

port.on('message', (message: WorkerRequest) => {
  if (message.type === 'write') {
    committer.submit(message.request).then(
      (entries) => port.postMessage({ type: 'written', id: message.id, entries } satisfies WorkerReply),
      (error: unknown) =>
        port.postMessage({
          type: 'failed',
          id: message.id,
          error: serializeError(error),
        } satisfies WorkerReply),
    );
  } else if (message.type === 'close') {
    committer
      .drain()
      .then(() => {
        db.pragma('optimize');
        db.pragma('wal_checkpoint(TRUNCATE)');
        db.close();
        port.postMessage({ type: 'closed' } satisfies WorkerReply);
      })
      .catch((error: unknown) => {
        port.postMessage({ type: 'closed', error: serializeError(error) } satisfies WorkerReply);
      });
  }
});

// What opening the store left in the young generation goes back first (compact-heap.ts).
void compactHeap().finally(() => port.postMessage({ type: 'ready' } satisfies WorkerReply));
