import { parentPort, workerData } from 'node:worker_threads';
import { answerRequests } from '../threads/worker-pool.js';
import { createPool, translatePgError } from './postgres-connection.js';
import { PG_READER_OPS, type PgReaderOp } from './postgres-read-ops.js';

/** A reader thread of a PostgreSQL store: its own small pool, running PG_READER_OPS. */
const { url, connections, statementTimeoutMs } = workerData as {
  url: string;
  connections: number;
  statementTimeoutMs?: number;
};
const pool = createPool(url, connections, 'auditlog-reader', statementTimeoutMs);

answerRequests(
  parentPort!,
  (op, args) => (PG_READER_OPS[op as PgReaderOp] as (...a: unknown[]) => unknown)(pool, ...args),
  { translate: translatePgError, close: () => pool.end() },
);
