import { parentPort, workerData } from 'node:worker_threads';
import type { PageSpec } from '../../core/domain/filters.js';
import { answerRequests } from '../threads/worker-pool.js';
import { openSqlite, readerMmapBytes, type SqliteDb, translateSqliteError } from './sqlite-connection.js';
import { READ_OPS, type ReadOp, SCAN_OPS } from './sqlite-read-ops.js';

/**
 * A reader thread of a SQLite store: its own connection (query_only), one query at a time. SCAN_OPS read
 * through a second connection with a small page cache: an export reads each page once, and through the
 * first it would fill a 64 MB cache per reader with pages nobody reads again, evicting those that the
 * other queries reuse.
 */
const { file, readonly } = workerData as { file: string; readonly: boolean };
const open = (cacheKb: number) => {
  const db = openSqlite(file, { readonly });
  db.pragma('query_only = 1');
  db.pragma(`cache_size = -${cacheKb}`);
  return db;
};
const db = open(65536);
// Queries read through a memory map: a keyword scan checks up to 5,000 rows scattered over the file, and
// each one a read() call costs 3× more (40 → 12 ms median at 1M events). Not the scan connection: an
// export would map the whole file into this process's resident pages (file-backed, but counted).
db.pragma(`mmap_size = ${readerMmapBytes(process.env.AUDITLOG_SQLITE_MMAP_MB)}`);
let scanDb: SqliteDb | undefined;
const scanConnection = () => {
  scanDb ??= open(2048);
  return scanDb;
};

answerRequests(
  parentPort!,
  (op, args) => {
    // A page in seq order is an NDJSON export's (or verify's): read once, like SCAN_OPS.
    const scan =
      SCAN_OPS.has(op as ReadOp) || (op === 'listEvents' && (args[2] as PageSpec).orderBy === 'seq');
    const conn = scan ? scanConnection() : db;
    return (READ_OPS[op as ReadOp] as (...a: unknown[]) => unknown)(conn, ...args);
  },
  {
    translate: translateSqliteError,
    close: () => {
      scanDb?.close();
      db.close();
    },
  },
);
