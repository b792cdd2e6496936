import type { Plan, Row } from '../sql/query-plan.js';
import { compile, type Sql } from '../sql/sql-fragment.js';
import type { PgPool } from './postgres-connection.js';
import { POSTGRES_DIALECT } from './postgres-dialect.js';

/** Runs a shared planner's plan (query-plan.ts) on a pool: one statement at a time, in the plan's order. */
export async function runPlan<T>(pool: PgPool, plan: Plan<T>): Promise<T> {
  let step = plan.next();
  while (!step.done) step = plan.next(await all(pool, step.value));
  return step.value;
}

async function all(pool: PgPool, q: Sql): Promise<Row[]> {
  const { text, values } = compile(q, POSTGRES_DIALECT.placeholder);
  const { rows } = await pool.query<Row>(text, values);
  return rows;
}
