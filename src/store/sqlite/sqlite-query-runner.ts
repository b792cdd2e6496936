import type { Plan, Row } from '../sql/query-plan.js';
import { compile, type Sql } from '../sql/sql-fragment.js';
import { prepared, type SqliteDb } from './sqlite-connection.js';
import { SQLITE_DIALECT } from './sqlite-dialect.js';

/**
 * Runs a shared planner's plan (query-plan.ts) on a connection, synchronously: every read in this thread, in
 * one read transaction, so that all its statements see one snapshot — a plan that resolves a username to
 * actors, then reads their events, must not miss those of an actor the writer commits in between.
 */
export function runPlan<T>(db: SqliteDb, plan: Plan<T>): T {
  if (db.inTransaction) return steps(db, plan);
  prepared(db, 'BEGIN').run();
  try {
    const out = steps(db, plan);
    prepared(db, 'COMMIT').run();
    return out;
  } catch (error) {
    if (db.inTransaction) prepared(db, 'ROLLBACK').run();
    throw error;
  }
}

function steps<T>(db: SqliteDb, plan: Plan<T>): T {
  let step = plan.next();
  while (!step.done) step = plan.next(all(db, step.value));
  return step.value;
}

function all(db: SqliteDb, q: Sql): Row[] {
  const { text, values } = compile(q, SQLITE_DIALECT.placeholder);
  return prepared(db, text).all(...values) as Row[];
}
