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
  if (!q.serial) return (await pool.query<Row>(text, values)).rows;
  // SET LOCAL ends with the transaction: the pooled connection goes back with the server's defaults.
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('BEGIN READ ONLY; SET LOCAL max_parallel_workers_per_gather = 0');
    const { rows } = await client.query<Row>(text, values);
    await client.query('COMMIT');
    return rows;
  } catch (error) {
    // A connection that cannot even roll back is dropped, not pooled.
    await client.query('ROLLBACK').catch((e: Error) => {
      broken = e;
    });
    throw error;
  } finally {
    client.release(broken);
  }
}
