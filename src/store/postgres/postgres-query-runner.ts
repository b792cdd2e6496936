import type { Plan, Row } from '../sql/query-plan.js';
import { compile, type Sql } from '../sql/sql-fragment.js';
import type { PgClient, PgPool } from './postgres-connection.js';
import { POSTGRES_DIALECT } from './postgres-dialect.js';

/**
 * Runs a shared planner's plan (query-plan.ts) on one pooled connection, one statement at a time in the plan's
 * order, in one read-only REPEATABLE READ transaction: all its statements see one snapshot — a plan that
 * resolves a username to actors, then reads their events, must not miss those of an actor another node
 * commits in between. (A read-only transaction never fails to serialize.)
 */
export async function runPlan<T>(pool: PgPool, plan: Plan<T>): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    let step = plan.next();
    while (!step.done) step = plan.next(await all(client, step.value));
    await client.query('COMMIT');
    return step.value;
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

async function all(client: PgClient, q: Sql): Promise<Row[]> {
  const { text, values } = compile(q, POSTGRES_DIALECT.placeholder);
  if (!q.serial) return (await client.query<Row>(text, values)).rows;
  // Without parallel workers for this statement only; SET LOCAL would otherwise last to the transaction's end.
  await client.query('SET LOCAL max_parallel_workers_per_gather = 0');
  const { rows } = await client.query<Row>(text, values);
  await client.query('SET LOCAL max_parallel_workers_per_gather TO DEFAULT');
  return rows;
}
