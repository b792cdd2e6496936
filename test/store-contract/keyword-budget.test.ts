// A keyword search in time order whose fallback is the bounded scan (Store.searchEvents): on SQLite, where a
// chunk's rows are one contiguous read, candidate chunks past the square-root budget but within the chunks of
// `scanLimit` entries hold no more rows than that scan would read, so they are read, and the page is whole
// (no scannedTo) — a hot user with a rare word read a window of 10,000 of the user's rows instead (21–43 ms
// at 1M skewed events, issue 18). On PostgreSQL (a chunk is a range scan per partition), and past that many
// chunks on SQLite, the bounded scan answers as before. Both answer as the model, both orders.
import { beforeAll, expect, it } from 'vitest';
import type { EventFilter, PageSpec } from '../../src/core/domain/filters.js';
import { PROBE_CAP } from '../../src/store/sql/event-driver.js';
import { searchEvents } from '../../src/store/sql/event-query-plan.js';
import {
  candidateBudget,
  POSTGRES_CHUNK_ENTRIES,
  SQLITE_CHUNK_ENTRIES,
} from '../../src/store/sql/search-chunks.js';
import { appendInputs, eventInputs, expected, ids, type Model } from './event-dataset.js';
import { recorded } from './recorded-plan.js';
import { storePerFile } from './store-under-test.js';

const sut = storePerFile();
const T = 'budget';
const N = PROBE_CAP + 900;
// Every 400th entry: one per chunk on both stores (128 and 32 entries a chunk).
const RARE_EVERY = 400;
const HOT = { id: 'hot-admin', username: 'hot.admin', displayName: 'Hot Admin' };
let all: Model[] = [];

beforeAll(async () => {
  const inputs = eventInputs(N, 21).map((e, i) => ({
    ...e,
    actor: HOT,
    reason: i % RARE_EVERY === 3 ? `moved to quokkavault ${i}` : `routine ${i}`,
  }));
  all = await appendInputs(sut().store, T, inputs, [500]);
}, 240_000);

const search = async (filter: EventFilter, page: PageSpec, scanLimit: number) => {
  const statements: string[] = [];
  const result = await sut().plan((d) => recorded(searchEvents(d, T, filter, page, scanLimit), statements));
  return { ...result, statements };
};

it('reads the candidate chunks that fit in the bounded scan, past the square-root budget (SQLite)', async () => {
  const contiguous = sut().kind === 'sqlite';
  const filter: EventFilter = { users: [HOT.id], usersFolded: [HOT.id], terms: ['quokkavault'] };
  const matches = expected(all, filter, { order: 'asc', limit: 1e9 });
  const chunks = Math.ceil(N / RARE_EVERY);
  expect(matches.length).toBe(chunks);
  const entries = sut().kind === 'postgres' ? POSTGRES_CHUNK_ENTRIES : SQLITE_CHUNK_ENTRIES;
  // The case under test: more candidates than the square-root budget, fewer than the scan's chunks.
  const scanLimit = 2000;
  expect(chunks).toBeGreaterThan(candidateBudget(Math.ceil(N / entries), 20, entries));
  expect(chunks).toBeLessThanOrEqual(Math.ceil(scanLimit / entries));
  for (const order of ['asc', 'desc'] as const) {
    const page: PageSpec = { order, limit: 20 };
    const { rows, scannedTo, statements } = await search(filter, page, scanLimit);
    const chunksRead = statements.some((s) => /json_each\(\?\) r CROSS JOIN|unnest\(/.test(s));
    expect(chunksRead).toBe(contiguous);
    if (contiguous) {
      expect(ids(rows)).toEqual(ids(expected(all, filter, page)));
      expect(scannedTo).toBeNull();
    } else {
      expect(scannedTo).not.toBeNull();
      expect(ids(rows)).toEqual(ids(within(filter, page, scannedTo!)));
    }
  }
});

it('scans a bounded window when the candidates are more than the scan reads', async () => {
  const filter: EventFilter = { users: [HOT.id], usersFolded: [HOT.id], terms: ['quokkavault'] };
  const page: PageSpec = { order: 'desc', limit: 20 };
  // Fewer entries than one chunk per match: the scan reads less.
  const { rows, scannedTo } = await search(filter, page, 100);
  expect(scannedTo).not.toBeNull();
  expect(ids(rows)).toEqual(ids(within(filter, page, scannedTo!)));
});

/** The matches from the page's start up to and including where the scan stopped, in page order. */
function within(filter: EventFilter, page: PageSpec, to: { occurredMs: number; seq: number }) {
  const sign = page.order === 'desc' ? -1 : 1;
  return expected(all, filter, { ...page, limit: 1e9 }).filter(
    (m) => sign * (m.entry.occurredMs - to.occurredMs || m.seq - to.seq) <= 0,
  );
}
