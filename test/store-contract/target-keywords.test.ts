// A hot target (more than PROBE_CAP entries) with a rare keyword: walking the target's B-trees in page order
// would read every one of its entries to find the few matches (820 ms at 10M events on PostgreSQL), so the
// keyword's chunks are asked first; a cold target is still walked. Both answer as the model, both orders.
import { beforeAll, expect, it } from 'vitest';
import type { EventFilter } from '../../src/core/domain/filters.js';
import { PROBE_CAP } from '../../src/store/sql/event-driver.js';
import { listEvents } from '../../src/store/sql/event-query-plan.js';
import { appendInputs, eventInputs, expected, ids, type Model } from './event-dataset.js';
import { recorded } from './recorded-plan.js';
import { storePerFile } from './store-under-test.js';

const sut = storePerFile();
const T = 'targets';
let all: Model[] = [];
const HOT = { type: 'Carrier', id: 'hot-trunk' };
const COLD = { type: 'Carrier', id: 'cold-trunk' };

beforeAll(async () => {
  const inputs = eventInputs(PROBE_CAP + 600, 9).map((e, i) => ({
    ...e,
    target: i % 100 === 7 ? COLD : HOT,
    reason: i % 1500 === 11 ? `moved to zanzibarvault ${i}` : `routine ${i}`,
  }));
  all = await appendInputs(sut().store, T, inputs, [500]);
}, 240_000);

const run = async (filter: EventFilter, order: 'asc' | 'desc') => {
  const statements: string[] = [];
  const page = { order, limit: 20 };
  const rows = await sut().plan((d) => recorded(listEvents(d, T, filter, page), statements));
  expect(ids(rows)).toEqual(ids(expected(all, filter, page)));
  return statements;
};

it('reads a hot target with a rare keyword through the keyword chunks', async () => {
  const filter: EventFilter = { target: HOT.id, terms: ['zanzibarvault'] };
  expect(expected(all, filter, { order: 'asc', limit: 100 }).length).toBeGreaterThan(1);
  for (const order of ['asc', 'desc'] as const) {
    const statements = await run(filter, order);
    expect(statements.some((s) => /FROM event_search_chunks|MATCH/.test(s))).toBe(true);
  }
});

it('walks a cold target with the same keyword', async () => {
  for (const order of ['asc', 'desc'] as const) {
    await run({ target: COLD.id, terms: ['zanzibarvault'] }, order);
    await run({ target: COLD.id, terms: ['routine'] }, order);
  }
});

it('finds a hot target with a common keyword as the model', async () => {
  for (const order of ['asc', 'desc'] as const) await run({ target: HOT.id, terms: ['routine'] }, order);
});
