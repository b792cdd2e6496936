// A plan's statements (a username resolved to actors, then their events; probes, then the chosen walk) must
// all see one snapshot of the storage: a commit between two of them would otherwise show in the second and
// not the first, an answer of no state the log was ever in. The engines' runners hold one read transaction
// for the whole plan; this test commits a row from another connection between two statements of one plan.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Row } from '../../src/store/sql/query-plan.js';
import { sql } from '../../src/store/sql/sql-fragment.js';
import { storePerFile } from './store-under-test.js';

const sut = storePerFile();

beforeAll(async () => {
  await sut().exec('CREATE TABLE snapshot_probe (n integer)');
});
afterAll(async () => {
  await sut().exec('DROP TABLE snapshot_probe');
});

const count = sql`SELECT count(*) AS n FROM snapshot_probe`;

describe('a plan on either engine', () => {
  it('reads one snapshot, whatever another connection commits between its statements', async () => {
    let written = false;
    let write: Promise<void> | undefined;
    const seen = await sut().plan(function* () {
      const before = ((yield count) as Row[])[0]!.n;
      // SQLite: written through a connection of its own before execNow returns. PostgreSQL: committed by
      // another connection while this plan's sleeps.
      const probe = 'INSERT INTO snapshot_probe (n) VALUES (1)';
      const { execNow } = sut();
      if (execNow) {
        execNow(probe);
        written = true;
      } else
        write = sut()
          .exec(probe)
          .then(() => {
            written = true;
          });
      yield execNow ? sql`SELECT 1` : sql`SELECT pg_sleep(0.5)`;
      const committedBetween = written;
      const after = ((yield count) as Row[])[0]!.n;
      return { before, after, committedBetween };
    });
    await write;
    expect(seen).toEqual({ before: 0, after: 0, committedBetween: true });
    // The row is there for the next plan.
    expect(
      await sut().plan(function* () {
        return ((yield count) as Row[])[0]!.n;
      }),
    ).toBe(1);
  });
});
