// A statement marked `serial` (sql-fragment.ts) runs without parallel workers, in a transaction of its own
// whose SET LOCAL ends with it: the pooled connection goes back with the server's setting, after a failed
// statement too.
import { afterAll, expect, it } from 'vitest';
import { createPool } from '../../src/store/postgres/postgres-connection.js';
import { runPlan } from '../../src/store/postgres/postgres-query-runner.js';
import type { Plan, Row } from '../../src/store/sql/query-plan.js';
import { serial, sql } from '../../src/store/sql/sql-fragment.js';
import { describePostgres, postgresUrl } from '../helpers/postgres.js';

const SHOW = sql`SELECT current_setting('max_parallel_workers_per_gather') AS v, now() = statement_timestamp() AS alone`;

describePostgres('the PostgreSQL plan runner', () => {
  // One connection: every statement below runs on the same session, so a leaked setting would show.
  const pool = createPool(postgresUrl(), 1, 'auditlog-test');
  afterAll(() => pool.end());

  function* twice(first: ReturnType<typeof sql>): Plan<Row[]> {
    const a = yield first;
    const b = yield SHOW;
    return [...a, ...b];
  }

  it('runs a serial statement without parallel workers, in its own transaction, and restores the session', async () => {
    const server = (await runPlan(pool, twice(SHOW)))[0]!.v;
    expect(server).not.toBe('0'); // the server's default (2), else this test could not tell
    const [inside, after] = await runPlan(pool, twice(serial(SHOW)));
    // In a transaction, now() is its start, before this statement's own start.
    expect(inside).toEqual({ v: '0', alone: false });
    expect(after).toEqual({ v: server, alone: true });
  });

  it('rolls a failed serial statement back and gives the connection back usable', async () => {
    await expect(runPlan(pool, twice(serial(sql`SELECT 1 / ${0}::int AS v`)))).rejects.toThrow(
      /division by zero/,
    );
    const [after] = await runPlan(pool, twice(SHOW));
    expect(after!.v).not.toBe('0');
    expect(after!.alone).toBe(true);
  });

  it('does not pass the mark on to a statement that interpolates a marked one', () => {
    expect(sql`SELECT * FROM (${serial(SHOW)}) s`.serial).toBe(false);
  });
});
