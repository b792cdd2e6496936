import { parentPort, workerData } from 'node:worker_threads';
import { openSqlite, translateSqliteError } from './sqlite-connection.js';
import { READ_OPS, type ReadOp } from './sqlite-read-ops.js';
import { serializeError } from './sqlite-writer-protocol.js';

/** A reader thread of a SQLite store: its own connection (query_only), one query at a time. */
const port = parentPort!;
const { file, readonly } = workerData as { file: string; readonly: boolean };
const db = openSqlite(file, { readonly });
db.pragma('query_only = 1');

port.on('message', (m: { id: number; op: ReadOp; args: unknown[] } | { close: true }) => {
  if ('close' in m) {
    db.close();
    port.close();
    return;
  }
  try {
    const fn = READ_OPS[m.op] as (...a: unknown[]) => unknown;
    port.postMessage({ id: m.id, ok: true, result: fn(db, ...m.args) });
  } catch (error) {
    port.postMessage({ id: m.id, ok: false, error: serializeError(translateSqliteError(error)) });
  }
});
port.postMessage({ ready: true });
