// Statistics over whole days read the rollups from their primary key alone (migration 17 adds the count to
// it): every arm of the statement the planner writes is an index-only scan once the planner is kept from a
// sequential or bitmap scan, which it would pick on this tiny table. Without `INCLUDE (n)` each would be an
// index scan fetching every row from the heap (~60% of a ~6-month range's time at 10M events).
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { EventFilter, StatsKey } from '../../src/core/domain/filters.js';
import { POSTGRES_DIALECT } from '../../src/store/postgres/postgres-dialect.js';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import { rollupStats } from '../../src/store/sql/rollup-stats.js';
import { rollupPlan } from '../../src/store/sql/rollups-plan.js';
import { compile, sql } from '../../src/store/sql/sql-fragment.js';
import { createTestDatabase, describePostgres, type TestDatabase, withClient } from '../helpers/postgres.js';
import { tempDir } from '../helpers/temp-dir.js';

const DAY = 86_400_000;

describePostgres('PostgreSQL statistics rollups', () => {
  const dir = tempDir();
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
    await (await PostgresStore.open({ url: db.url, keyFile: dir.file('key.pem') })).close();
  });
  afterAll(async () => {
    await db?.drop();
    dir.remove();
  });

  /** The scans of event_rollups in the plan of the planner's statement for `f`, grouped by `key`. */
  async function rollupScans(f: EventFilter, key: StatsKey): Promise<string[]> {
    const plan = rollupPlan(f, key)!;
    expect(plan.edges).toEqual([]); // whole days: every arm reads the rollups
    const statement = rollupStats(POSTGRES_DIALECT, 'default', key, plan, () => sql`false`).next().value;
    const { text, values } = compile(statement as never, POSTGRES_DIALECT.placeholder);
    return withClient(db.url, async (c) => {
      await c.query('SET enable_seqscan = off; SET enable_bitmapscan = off');
      const [row] = (await c.query(`EXPLAIN (FORMAT JSON) ${text}`, values)).rows;
      const scans: string[] = [];
      const walk = (node: Record<string, unknown>) => {
        if (node['Relation Name'] === 'event_rollups') scans.push(node['Node Type'] as string);
        for (const child of (node.Plans as Record<string, unknown>[] | undefined) ?? []) walk(child);
      };
      walk((row['QUERY PLAN'] as { Plan: Record<string, unknown> }[])[0]!.Plan);
      return scans;
    });
  }

  it('are read by index-only scans, for every period a range is made of', async () => {
    const today = Date.now() - (Date.now() % DAY);
    const ranges: EventFilter[] = [
      {},
      { fromMs: today - 365 * DAY, toMs: today },
      { fromMs: today - 200 * DAY, toMs: today - 17 * DAY },
      { fromMs: today - 9 * DAY, toMs: today - 2 * DAY },
    ];
    for (const [f, key] of ranges.flatMap((r) =>
      (['user', 'category'] as const).map((k) => [r, k] as const),
    )) {
      const scans = await rollupScans(f, key);
      expect(scans.length, JSON.stringify(f)).toBeGreaterThan(0);
      expect(new Set(scans), `${key} ${JSON.stringify(f)}`).toEqual(new Set(['Index Only Scan']));
    }
  });
});
