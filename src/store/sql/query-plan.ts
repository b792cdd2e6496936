import type { Sql } from './sql-fragment.js';

export type Row = Record<string, unknown>;

/**
 * A planner's work as a generator: it yields each statement it needs answered and receives its rows, so
 * the same planning code runs synchronously on SQLite (better-sqlite3) and asynchronously on PostgreSQL
 * (pg). The engines' runners (sqlite-query-runner.ts, postgres-query-runner.ts) execute and decode.
 */
export type Plan<T> = Generator<Sql, T, Row[]>;
