import { type AlertQuery, type AlertRules, alertPage } from '../../core/domain/attack-detection.js';
import { csvBytes, pageEnd } from '../../core/domain/csv-format.js';
import { exportLineBytes } from '../../core/domain/export-lines.js';
import type { EventFilter, PageSpec } from '../../core/domain/filters.js';
import { takePageBuffer } from '../threads/page-buffers.js';
import { type Answer, TwoPart } from '../threads/worker-pool.js';
import * as auth from './sqlite-auth-queries.js';
import type { SqliteDb } from './sqlite-connection.js';
import * as events from './sqlite-event-queries.js';
import * as integrity from './sqlite-integrity-queries.js';

/**
 * Every read a SQLite store serves, as plain functions of (connection, …arguments). The same table runs on
 * the main thread's connection (CLI, verify) or in the reader threads of a server (sqlite-reader-pool.ts),
 * so a long query — a statistic over a million events — never blocks the event loop that serves ingest.
 * The last two finish their read with the core's work on it, so that only the result leaves the thread.
 */
export const READ_OPS = {
  listEvents: events.listEvents,
  searchEvents: events.searchEvents,
  getEvent: events.getEvent,
  eventStats: events.eventStats,
  listActors: events.listActors,
  listAuthEvents: auth.listAuthEvents,
  getAuthEvent: auth.getAuthEvent,
  listSessions: auth.listSessions,
  getSession: auth.getSession,
  failureGroups: auth.failureGroups,
  failures: auth.failures,
  tenants: integrity.tenants,
  chainHead: integrity.chainHead,
  entryHashAt: integrity.entryHashAt,
  scanChain: (db: SqliteDb, tenant: string, afterSeq: number, limit: number) =>
    integrity.scanChain(db, tenant, afterSeq, limit),
  chainLinks: integrity.chainLinks,
  latestCheckpoint: integrity.latestCheckpoint,
  listCheckpoints: integrity.listCheckpoints,
  publicKeys: integrity.publicKeys,
  csvPage: (db: SqliteDb, tenant: string, filter: EventFilter, page: PageSpec) => {
    const rows = events.listBodies(db, tenant, filter, page);
    return new TwoPart(pageEnd(rows), () => csvBytes(rows, takePageBuffer));
  },
  ndjsonPage: (db: SqliteDb, tenant: string, filter: EventFilter, page: PageSpec) => {
    const rows = events.listEvents(db, tenant, filter, page);
    return new TwoPart({ seqs: rows.map((r) => r.seq) }, () => exportLineBytes(rows, takePageBuffer));
  },
  alertPage: (db: SqliteDb, tenant: string, rules: AlertRules, q: AlertQuery) =>
    alertPage(auth.failures(db, tenant, q.fromMs - rules.windowMs, q.toMs), rules, q),
} as const;

/** Operations that pass over many rows once (an export): a reader runs them on a connection with a small cache. */
export const SCAN_OPS: ReadonlySet<ReadOp> = new Set(['csvPage', 'ndjsonPage', 'scanChain', 'chainLinks']);

export type ReadOps = typeof READ_OPS;
export type ReadOp = keyof ReadOps;
/** The arguments of an operation after the connection. */
export type ReadArgs<K extends ReadOp> = Parameters<ReadOps[K]> extends [unknown, ...infer R] ? R : never;
export type ReadResult<K extends ReadOp> = Answer<ReturnType<ReadOps[K]>>;

/** Runs an operation on `db` in this thread; a two-part answer's rest runs on a later turn. */
export function runReadOp<K extends ReadOp>(db: SqliteDb, op: K, args: ReadArgs<K>): ReadResult<K> {
  const result = (READ_OPS[op] as (db: SqliteDb, ...a: unknown[]) => unknown)(db, ...args);
  if (!(result instanceof TwoPart)) return result as ReadResult<K>;
  return { head: result.head, rest: Promise.resolve().then(result.rest) } as ReadResult<K>;
}
