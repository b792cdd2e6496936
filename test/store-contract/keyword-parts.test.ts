// A rare word made of common trigrams (`tok77777x` among thousands of `tok…x` words) is looked up in the
// chunks by its rarest part on SQLite (store/sql/keyword-trigrams.ts): FTS5 reads the doclist of every
// trigram of a phrase, and `tok`'s is every chunk. The part finds a superset of the word's chunks; the rows
// are checked for the whole word, so pages equal the model's on both stores.
import { beforeAll, expect, it } from 'vitest';
import type { EventFilter } from '../../src/core/domain/filters.js';
import { listEvents } from '../../src/store/sql/event-query-plan.js';
import { appendInputs, eventInputs, expected, ids, type Model } from './event-dataset.js';
import { withLookups } from './recorded-plan.js';
import { storePerFile } from './store-under-test.js';

const sut = storePerFile();
const T = 'keyword-parts';
let all: Model[] = [];

beforeAll(async () => {
  const inputs = eventInputs(1500, 4).map((e, i) => ({
    ...e,
    // `tok77777x` three times; `xtok77777xy` holds it too; `ok77777x` holds its rarest part, not it.
    reason:
      i % 500 === 17
        ? `escalated tok77777x ${i}`
        : i === 900
          ? `see xtok77777xy`
          : i === 901
            ? `ticket ok77777x`
            : `ticket tok${(i * 7919) % 100_000}x`,
  }));
  all = await appendInputs(sut().store, T, inputs, [500]);
}, 120_000);

it('finds a rare word of common trigrams by its rarest part, and checks the rows for the whole word', async () => {
  const filter: EventFilter = { terms: ['tok77777x'] };
  for (const order of ['asc', 'desc'] as const) {
    const page = { order, limit: 20 };
    const { result: rows, lookups } = await withLookups(sut().plan, (d) => listEvents(d, T, filter, page));
    expect(ids(rows)).toEqual(ids(expected(all, filter, page)));
    expect(rows).toHaveLength(4);
    if (sut().kind !== 'sqlite') continue;
    expect(lookups).toHaveLength(1);
    expect(lookups[0]).toContain('77777x');
    expect(lookups[0]).not.toContain('tok77777x');
  }
});
