// Which rollup rows a stats-by-user query reads (rollups-plan.ts): whole quarters, months, weeks and days,
// and for a ragged part a month less its days outside the range when that reads fewer rows. The answers
// themselves are compared with counts of the events in test/store-contract/stats-actor-months.test.ts.
import { describe, expect, it } from 'vitest';
import { rollupPlan } from '../../src/store/sql/rollups-plan.js';

const DAY = 86_400_000;
const at = (y: number, m: number, d: number) => Date.UTC(y, m - 1, d);
// Monday 7 December 2026, 10:00 UTC.
const now = at(2026, 12, 7) + 10 * 3_600_000;

describe('the stats-by-user rollup plan', () => {
  it('reads a range ending now as its last month so far, less today, and today from the events', () => {
    const plan = rollupPlan({ fromMs: at(2026, 9, 8), toMs: now }, 'user', now)!;
    expect(plan.edges).toEqual([[at(2026, 12, 7), now]]);
    expect(plan.spans).toContainEqual({ dim: 'U', from: at(2026, 12, 1), to: at(2026, 12, 1) + DAY });
    // December after the range: its weeks from today's Monday, its last days; nothing of them has rows yet
    // but today's. September's part (8–30: two weeks, nine days) as September less its first seven days.
    expect(plan.spans.filter((s) => s.minus)).toEqual([
      { dim: 'u', from: at(2026, 9, 1), to: at(2026, 9, 8), minus: true },
      { dim: 'W', from: at(2026, 12, 7), to: at(2026, 12, 28), minus: true },
      { dim: 'u', from: at(2026, 12, 28), to: at(2027, 1, 1), minus: true },
    ]);
    expect(plan.spans).toContainEqual({ dim: 'U', from: at(2026, 9, 1), to: at(2026, 9, 1) + DAY });
    // October and November from their monthly rows.
    expect(plan.spans).toContainEqual({ dim: 'U', from: at(2026, 10, 1), to: at(2026, 12, 1) });
  });

  it('reads the ragged days themselves when a month less its other days would not save a day’s rows', () => {
    // 1–13 November: a week and six days inside; the month less 17 days (two weeks, three days) outside.
    const plan = rollupPlan({ fromMs: at(2026, 5, 1), toMs: at(2026, 11, 14) }, 'user', now)!;
    expect(plan.spans.some((s) => s.minus)).toBe(false);
    expect(plan.spans).toContainEqual({ dim: 'W', from: at(2026, 11, 2), to: at(2026, 11, 9) });
  });

  it('never takes rows off for other dimensions, nor for whole months', () => {
    for (const key of ['category', 'action', 'eventType', 'day'] as const)
      expect(rollupPlan({ fromMs: at(2026, 9, 8), toMs: now }, key, now)!.spans.some((s) => s.minus)).toBe(
        false,
      );
    expect(rollupPlan({ fromMs: at(2026, 4, 1), toMs: at(2026, 12, 1) }, 'user', now)!.spans).toEqual([
      { dim: 'Q', from: at(2026, 4, 1), to: at(2026, 10, 1) },
      { dim: 'U', from: at(2026, 10, 1), to: at(2026, 12, 1) },
    ]);
  });
});
