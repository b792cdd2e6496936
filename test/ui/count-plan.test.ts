// The UI counts a query without asking when the server answers it from its rollups; it decides that itself
// (web/src/filters/count-plan.ts) from the rule the store applies (store/sql/rollups-plan.ts). The two must
// agree: for every combination of filters, the UI's choice is one the store answers from the rollups, and
// every combination the UI leaves to the button is one the store would answer by reading the events.
import { describe, expect, it } from 'vitest';
import { parseEventFilter } from '../../src/core/domain/event-query.js';
import { comboPlan } from '../../src/store/sql/combo-stats.js';
import { rollupPlan } from '../../src/store/sql/rollups-plan.js';
import type { Params } from '../../web/src/api/client.ts';
import { rollupCountGroup } from '../../web/src/filters/count-plan.js';

const DAY = 86_400_000;
const today = Date.now() - (Date.now() % DAY);
const VALUES: Params = {
  user: ['jane.admin'],
  action: ['delete'],
  category: ['telephony', 'bulk'],
  eventType: ['carrier.updated'],
  targetType: 'Carrier',
  targetId: 'trunk-1',
  target: 'trunk',
  ip: '10.0.0.0/8',
  sessionId: 's-1',
  q: 'trunk',
};

/** Every subset of up to two filters, with no range, a whole-day range and a range with ragged edges. */
function* combinations(): Generator<Params> {
  const names = Object.keys(VALUES);
  const subsets: string[][] = [[]];
  for (const a of names) subsets.push([a], ...names.filter((b) => b > a).map((b) => [a, b]));
  const ranges: Params[] = [
    {},
    { from: new Date(today - 400 * DAY).toISOString(), to: new Date(today).toISOString() },
    { from: new Date(today - 100 * DAY + 3_600_000).toISOString() },
  ];
  for (const s of subsets)
    for (const r of ranges)
      yield {
        ...r,
        ...Object.fromEntries(s.map((k) => [k, VALUES[k]])),
        user: s.includes('user') ? VALUES.user : [],
      };
}

const asRaw = (p: Params) =>
  Object.fromEntries(Object.entries(p).filter(([, v]) => !(Array.isArray(v) && v.length === 0))) as Record<
    string,
    string | string[]
  >;

/** Whether the store answers from its rollups (event-query-plan.ts, eventStats: one dimension's, or the combinations'). */
const answered = (f: ReturnType<typeof parseEventFilter>, g: 'action' | 'category' | 'eventType' | 'user') =>
  rollupPlan(f, g) !== undefined || comboPlan(f, g) !== undefined;

describe('the UI counts from the rollups exactly what the store answers from them', () => {
  it('for every combination of up to two filters and three kinds of range', () => {
    let counted = 0;
    for (const params of combinations()) {
      const filter = parseEventFilter(asRaw(params));
      const group = rollupCountGroup(params);
      if (group) {
        counted++;
        expect(answered(filter, group), JSON.stringify(params)).toBe(true);
      } else {
        for (const g of ['action', 'category', 'eventType', 'user'] as const)
          expect(answered(filter, g), `${g} ${JSON.stringify(params)}`).toBe(false);
      }
    }
    // No filter, or one of action, category, event type, user, or two of the first three; each with three ranges.
    expect(counted).toBe(3 * 5 + 3 * 3);
  });
});
