import { CachedRead, type Plan, ReadCache, type Row } from '../sql/query-plan.js';
import { compile, type Sql } from '../sql/sql-fragment.js';
import type { PgPool } from './postgres-connection.js';
import { POSTGRES_DIALECT } from './postgres-dialect.js';

const cache = new ReadCache();

/** Runs a shared planner's plan (query-plan.ts) on a pool: one statement at a time, in the plan's order. */
export async function runPlan<T>(pool: PgPool, plan: Plan<T>): Promise<T> {
  let step = plan.next();
  while (!step.done) step = plan.next(await read(pool, step.value));
  return step.value;
}

async function read(pool: PgPool, q: Sql | CachedRead): Promise<Row[]> {
  if (!(q instanceof CachedRead)) return all(pool, q);
  const hit = cache.get(pool, q);
  if (hit) return hit;
  const rows = await all(pool, q.sql);
  cache.set(pool, q, rows);
  return rows;
}

async function all(pool: PgPool, q: Sql): Promise<Row[]> {
  const { text, values } = compile(q, POSTGRES_DIALECT.placeholder);
  const { rows } = await pool.query<Row>(text, values);
  return rows;
}
