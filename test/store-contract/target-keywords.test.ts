// A hot target (more than PROBE_CAP entries) with a rare keyword: walking the target's B-trees in page order
// would read every one of its entries to find the few matches (820 ms at 10M events on PostgreSQL), so the
// keyword's chunks are asked first; a cold target is still walked. Both answer as the model, both orders.
import { beforeAll, expect, it } from 'vitest';
import type { EventFilter } from '../../src/core/domain/filters.js';
import { parseIpFilter } from '../../src/core/domain/ip.js';
import { PROBE_CAP } from '../../src/store/sql/event-driver.js';
import { listEvents } from '../../src/store/sql/event-query-plan.js';
import { appendInputs, eventInputs, expected, ids, type Model } from './event-dataset.js';
import { recorded, withLookups } from './recorded-plan.js';
import { searchThrough } from './search-through.js';
import { storePerFile } from './store-under-test.js';

const sut = storePerFile();
const T = 'targets';
let all: Model[] = [];
const HOT = { type: 'Carrier', id: 'hot-trunk' };
const COLD = { type: 'Carrier', id: 'cold-trunk' };
const RARE_IP = '203.0.113.77';

beforeAll(async () => {
  const inputs = eventInputs(PROBE_CAP + 600, 9).map((e, i) => ({
    ...e,
    target: i % 100 === 7 ? COLD : HOT,
    reason: i % 1500 === 11 ? `moved to zanzibarvault ${i}` : `routine ${i}`,
    ...(i % 700 === 5 ? { ip: RARE_IP } : {}),
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

it('walks a cold target with the same keyword, without asking the chunks', async () => {
  for (const order of ['asc', 'desc'] as const) {
    for (const terms of [['zanzibarvault'], ['routine']]) {
      const statements = await run({ target: COLD.id, terms }, order);
      expect(statements.some((s) => /FROM event_search_chunks|MATCH/.test(s))).toBe(false);
    }
  }
});

it('walks a cold target type + id with a keyword too (SQLite: by the folded id B-tree)', async () => {
  for (const order of ['asc', 'desc'] as const) {
    const filter: EventFilter = { targetType: COLD.type, targetId: COLD.id, terms: ['routine'] };
    const statements = await run(filter, order);
    if (sut().kind === 'sqlite') expect(statements.some((s) => /MATCH/.test(s))).toBe(false);
  }
});

it('asks the chunks for a rare IP before its common keyword (SQLite: no IP B-tree)', async () => {
  // The tag is specific, the keyword in every chunk: the IP's own chunks are few, so they are read and the
  // keyword is checked on their rows. PostgreSQL reads its IP B-tree.
  const ip = parseIpFilter(RARE_IP)!;
  for (const order of ['asc', 'desc'] as const) {
    const filter: EventFilter = { ip, terms: ['routine'] };
    const page = { order, limit: 20 };
    const { result: rows, lookups } = await withLookups(sut().plan, (d) => listEvents(d, T, filter, page));
    expect(ids(rows)).toEqual(ids(expected(all, filter, page)));
    expect(rows.length).toBeGreaterThan(1);
    if (sut().kind === 'sqlite') {
      expect(lookups).toHaveLength(1);
      expect(lookups[0]).not.toContain('routine');
    }
  }
});

it('asks a rare keyword’s chunks without a hot target’s tag (SQLite)', async () => {
  // The hot tag's own chunks are too many to read: the keyword's are asked alone, and their rows checked
  // for the target — FTS5 matched the tag's long phrase of common trigrams with the word at 3× the cost.
  for (const filter of [
    { targetType: HOT.type, targetId: HOT.id, terms: ['zanzibarvault'] },
    { target: HOT.id, terms: ['zanzibarvault'] },
  ] satisfies EventFilter[]) {
    for (const order of ['asc', 'desc'] as const) {
      const page = { order, limit: 20 };
      const { result: rows, lookups } = await withLookups(sut().plan, (d) => listEvents(d, T, filter, page));
      expect(ids(rows)).toEqual(ids(expected(all, filter, page)));
      expect(rows.length).toBeGreaterThan(1);
      if (sut().kind !== 'sqlite') continue;
      expect(lookups).toHaveLength(2); // the tag's own chunks (too many), then the keyword's
      expect(lookups[0]).not.toContain('zanzibarvault');
      expect(lookups[1]).toContain('zanzibarvault');
      expect(lookups[1]).not.toContain('hot-trunk');
    }
  }
});

it('walks a hot target with a keyword in every chunk at most scanLimit entries a page', async () => {
  // `cold-trunk` is in every chunk (one event in a hundred) and in none of the hot target's events: the walk
  // of the hot target would read all of them for an empty page; bounded, it answers with scannedTo.
  const filter: EventFilter = { target: HOT.id, terms: ['cold-trunk'] };
  for (const order of ['asc', 'desc'] as const) {
    const first = await sut().store.searchEvents(T, filter, { order, limit: 20 }, 500);
    expect(first.rows).toEqual([]);
    expect(first.scannedTo).not.toBeNull();
    const { found, partial } = await searchThrough(sut().store, T, all, filter, { order, limit: 20 }, 500);
    expect(found).toEqual([]);
    expect(partial).toBeGreaterThanOrEqual(
      Math.floor(expected(all, { target: HOT.id }, { order, limit: 1e9 }).length / 500),
    );
  }
  // With matches: every one found once, in order, through the bounded pages.
  const some: EventFilter = { target: HOT.id, terms: ['routine 1'] };
  const { found } = await searchThrough(sut().store, T, all, some, { order: 'desc', limit: 20 }, 500);
  expect(ids(found)).toEqual(ids(expected(all, some, { order: 'desc', limit: 1e9 })));
});

it('finds a hot target with a common keyword as the model', async () => {
  for (const order of ['asc', 'desc'] as const) await run({ target: HOT.id, terms: ['routine'] }, order);
});
