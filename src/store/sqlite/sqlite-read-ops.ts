import * as auth from './sqlite-auth-queries.js';
import * as events from './sqlite-event-queries.js';
import * as integrity from './sqlite-integrity-queries.js';

/**
 * Every read a SQLite store serves, as plain functions of (connection, …arguments). The same table runs on
 * the main thread's connection (CLI, verify) or in the reader threads of a server (sqlite-reader-pool.ts),
 * so a long query — a statistic over a million events — never blocks the event loop that serves ingest.
 */
export const READ_OPS = {
  listEvents: events.listEvents,
  searchEvents: events.searchEvents,
  getEvent: events.getEvent,
  eventStats: events.eventStats,
  listActors: events.listActors,
  listAuthEvents: auth.listAuthEvents,
  listSessions: auth.listSessions,
  getSession: auth.getSession,
  failureGroups: auth.failureGroups,
  failures: auth.failures,
  tenants: integrity.tenants,
  chainHead: integrity.chainHead,
  entryHashAt: integrity.entryHashAt,
  scanChain: integrity.scanChain,
  latestCheckpoint: integrity.latestCheckpoint,
  listCheckpoints: integrity.listCheckpoints,
  publicKeys: integrity.publicKeys,
} as const;

export type ReadOps = typeof READ_OPS;
export type ReadOp = keyof ReadOps;
/** The arguments of an operation after the connection. */
export type ReadArgs<K extends ReadOp> = Parameters<ReadOps[K]> extends [unknown, ...infer R] ? R : never;
export type ReadResult<K extends ReadOp> = ReturnType<ReadOps[K]>;
