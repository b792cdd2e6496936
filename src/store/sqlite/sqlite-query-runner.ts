import type { Plan, Row } from '../sql/query-plan.js';
import { compile, type Sql } from '../sql/sql-fragment.js';
import { prepared, type SqliteDb } from './sqlite-connection.js';
import { SQLITE_DIALECT } from './sqlite-dialect.js';

/** Runs a shared planner's plan (query-plan.ts) on a connection, synchronously: every read in this thread. */
export function runPlan<T>(db: SqliteDb, plan: Plan<T>): T {
  let step = plan.next();
  while (!step.done) step = plan.next(all(db, step.value));
  return step.value;
}

function all(db: SqliteDb, q: Sql): Row[] {
  const { text, values } = compile(q, SQLITE_DIALECT.placeholder);
  return prepared(db, text).all(...values) as Row[];
}
