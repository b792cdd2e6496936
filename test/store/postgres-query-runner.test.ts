// A plan runs in one read-only REPEATABLE READ transaction (one snapshot for all its statements); a statement
// marked `serial` (sql-fragment.ts) runs without parallel workers, and the statements after it, in the plan
// and on the pooled connection afterwards, with the server's setting again — after a failed statement too.
import { afterAll, expect, it } from 'vitest';
import { createPool } from '../../src/store/postgres/postgres-connection.js';
import { runPlan } from '../../src/store/postgres/postgres-query-runner.js';
import type { Plan, Row } from '../../src/store/sql/query-plan.js';
import { serial, sql } from '../../src/store/sql/sql-fragment.js';
import { describePostgres, postgresUrl } from '../helpers/postgres.js';

const SHOW = sql`SELECT current_setting('max_parallel_workers_per_gather') AS v,
  current_setting('transaction_isolation') AS isolation, current_setting('transaction_read_only') AS ro,
  now()::text AS began`;

describePostgres('the PostgreSQL plan runner', () => {
  // One connection: every statement below runs on the same session, so a leaked setting would show.
  const pool = createPool(postgresUrl(), 1, 'auditlog-test');
  afterAll(() => pool.end());

  function* twice(first: ReturnType<typeof sql>): Plan<Row[]> {
    const a = yield first;
    const b = yield SHOW;
    return [...a, ...b];
  }

  it('runs a plan in one read-only repeatable-read transaction', async () => {
    const [a, b] = await runPlan(pool, twice(SHOW));
    expect(a).toMatchObject({ isolation: 'repeatable read', ro: 'on' });
    // now() is the transaction's start: the same for both statements.
    expect(b!.began).toBe(a!.began);
    const [c] = await runPlan(pool, twice(SHOW));
    expect(c!.began).not.toBe(a!.began);
  });

  it('runs a serial statement without parallel workers, and the rest with the server setting', async () => {
    const server = (await runPlan(pool, twice(SHOW)))[0]!.v;
    expect(server).not.toBe('0'); // the server's default (2), else this test could not tell
    const [inside, after] = await runPlan(pool, twice(serial(SHOW)));
    expect(inside!.v).toBe('0');
    expect(after!.v).toBe(server);
    expect((await runPlan(pool, twice(SHOW)))[0]!.v).toBe(server);
  });

  it('rolls a failed serial statement back and gives the connection back usable', async () => {
    await expect(runPlan(pool, twice(serial(sql`SELECT 1 / ${0}::int AS v`)))).rejects.toThrow(
      /division by zero/,
    );
    const [after] = await runPlan(pool, twice(SHOW));
    expect(after!.v).not.toBe('0');
    expect(after!.ro).toBe('on');
  });

  it('does not pass the mark on to a statement that interpolates a marked one', () => {
    expect(sql`SELECT * FROM (${serial(SHOW)}) s`.serial).toBe(false);
  });
});
