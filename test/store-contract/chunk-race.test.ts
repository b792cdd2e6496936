// A keyword query reads the tenant's indexed_seq, then asks the chunks which can match. A chunk completed by
// an append between the two is named by the lookup although its entries are past the indexed_seq read, so
// the newest arm (seq > indexed_seq) reads them too: each entry must still come back once, and none lost.
// The interleaving is made exact by answering the indexed_seq statement with the value it had one chunk
// earlier, as a query that read it just before that chunk's commit would have.
import { beforeAll, expect, it } from 'vitest';
import type { EventFilter } from '../../src/core/domain/filters.js';
import { listEvents } from '../../src/store/sql/event-query-plan.js';
import type { Plan } from '../../src/store/sql/query-plan.js';
import { POSTGRES_CHUNK_ENTRIES, SQLITE_CHUNK_ENTRIES } from '../../src/store/sql/search-chunks.js';
import { compile } from '../../src/store/sql/sql-fragment.js';
import { appendInputs, eventInputs, expected, ids, type Model } from './event-dataset.js';
import { storePerFile } from './store-under-test.js';

const sut = storePerFile();
const T = 'race';
let all: Model[] = [];
const entries = () => (sut().kind === 'postgres' ? POSTGRES_CHUNK_ENTRIES : SQLITE_CHUNK_ENTRIES);

beforeAll(async () => {
  // Three full chunks and a few open entries; every event holds the keyword.
  const inputs = eventInputs(3 * entries() + 5, 4).map((e, i) => ({ ...e, reason: `quokka ${i}` }));
  all = await appendInputs(sut().store, T, inputs, [entries(), 7, 200]);
}, 120_000);

/** `plan`, with the indexed_seq it reads set back by `by` entries. */
function* earlierIndexedSeq<T>(plan: Plan<T>, by: number, seen: number[]): Plan<T> {
  let step = plan.next();
  while (!step.done) {
    const rows = yield step.value;
    const isHead = /\bindexed_seq\b/.test(compile(step.value, () => '?').text);
    if (isHead && rows[0]) seen.push(Number(rows[0].indexed_seq));
    step = plan.next(
      isHead && rows[0] ? [{ ...rows[0], indexed_seq: Number(rows[0].indexed_seq) - by }] : rows,
    );
  }
  return step.value;
}

it('gives each entry once when a chunk completes between reading indexed_seq and the lookup', async () => {
  const filter: EventFilter = { terms: ['quokka'] };
  for (const order of ['desc', 'asc'] as const) {
    const page = { order, limit: 1000 };
    const seen: number[] = [];
    const rows = await sut().plan((d) => earlierIndexedSeq(listEvents(d, T, filter, page), entries(), seen));
    // The plan did read the head once (it went through the chunks), past at least two full chunks.
    expect(seen).toHaveLength(1);
    expect(seen[0]).toBeGreaterThanOrEqual(2 * entries());
    expect(ids(rows)).toEqual(ids(expected(all, filter, page)));
    expect(rows).toHaveLength(all.length);
  }
});

it('finds the same through the store as the model', async () => {
  const rows = await sut().store.listEvents(T, { terms: ['quokka'] }, { order: 'desc', limit: 1000 });
  expect(ids(rows)).toEqual(ids(expected(all, { terms: ['quokka'] }, { order: 'desc', limit: 1000 })));
});
