import { CachedRead, type Plan, ReadCache, type Row } from '../sql/query-plan.js';
import { compile, type Sql } from '../sql/sql-fragment.js';
import { prepared, type SqliteDb } from './sqlite-connection.js';
import { SQLITE_DIALECT } from './sqlite-dialect.js';

const cache = new ReadCache();

/** Runs a shared planner's plan (query-plan.ts) on a connection, synchronously: every read in this thread. */
export function runPlan<T>(db: SqliteDb, plan: Plan<T>): T {
  let step = plan.next();
  while (!step.done) step = plan.next(read(db, step.value));
  return step.value;
}

function read(db: SqliteDb, q: Sql | CachedRead): Row[] {
  if (!(q instanceof CachedRead)) return all(db, q);
  const hit = cache.get(db, q);
  if (hit) return hit;
  const rows = all(db, q.sql);
  cache.set(db, q, rows);
  return rows;
}

function all(db: SqliteDb, q: Sql): Row[] {
  const { text, values } = compile(q, SQLITE_DIALECT.placeholder);
  return prepared(db, text).all(...values) as Row[];
}
