import { parentPort, workerData } from 'node:worker_threads';
import { answerRequests } from '../../core/worker-pool.js';
import { openSqlite, translateSqliteError } from './sqlite-connection.js';
import { READ_OPS, type ReadOp } from './sqlite-read-ops.js';

/** A reader thread of a SQLite store: its own connection (query_only), one query at a time. */
const { file, readonly } = workerData as { file: string; readonly: boolean };
const db = openSqlite(file, { readonly });
db.pragma('query_only = 1');

answerRequests(
  parentPort!,
  (op, args) => (READ_OPS[op as ReadOp] as (...a: unknown[]) => unknown)(db, ...args),
  { translate: translateSqliteError, close: () => db.close() },
);
