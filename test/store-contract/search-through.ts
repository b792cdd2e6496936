import { expect } from 'vitest';
import type { EventFilter, PageSpec } from '../../src/core/domain/filters.js';
import type { EntryRow } from '../../src/core/domain/rows.js';
import type { Store } from '../../src/core/ports/store.js';
import { compareIn, expected, ids, type Model } from './event-dataset.js';

const pos = (m: Model) => ({ occurredMs: m.entry.occurredMs, seq: m.seq });

/**
 * The windows a bounded keyword scan in time order may examine (Store.searchEvents): `scanLimit` entries in
 * page order of the date range alone, or of the date range and one filter of one value (user, category,
 * event type — those with B-trees of their own), or of a target walked by its B-trees.
 */
function windows(filter: EventFilter): EventFilter[] {
  const range = { fromMs: filter.fromMs, toMs: filter.toMs };
  const out: EventFilter[] = [range];
  if (filter.users?.length) out.push({ ...range, users: filter.users, usersFolded: filter.usersFolded });
  if (filter.categories?.length === 1) out.push({ ...range, categories: filter.categories });
  if (filter.eventTypes?.length === 1) out.push({ ...range, eventTypes: filter.eventTypes });
  if (filter.target !== undefined) out.push({ ...range, target: filter.target });
  return out;
}

/**
 * Pages through searchEvents and checks each page against the contract: a full page has no scannedTo; a
 * short page with scannedTo stopped at exactly the `scanLimit`-th entry of one window (the model's), and
 * holds every match up to it. Returns every row found and the number of pages cut short.
 */
export async function searchThrough(
  store: Store,
  tenant: string,
  all: Model[],
  filter: EventFilter,
  page: Omit<PageSpec, 'after'>,
  scanLimit: number,
): Promise<{ found: EntryRow[]; partial: number }> {
  const found: EntryRow[] = [];
  let after: { occurredMs: number; seq: number } | undefined;
  let partial = 0;
  for (let i = 0; i < 2000; i++) {
    const spec: PageSpec = { ...page, ...(after ? { after } : {}) };
    const { rows, scannedTo } = await store.searchEvents(tenant, filter, spec, scanLimit);
    expect(rows.length).toBeLessThanOrEqual(page.limit);
    found.push(...rows);
    if (rows.length === page.limit) {
      expect(scannedTo).toBeNull();
      after = { occurredMs: rows.at(-1)!.occurredMs, seq: rows.at(-1)!.seq };
    } else if (scannedTo) {
      partial++;
      const edges = windows(filter)
        .map((w) => expected(all, w, { ...spec, limit: scanLimit }))
        .filter((w) => w.length === scanLimit)
        .map((w) => pos(w.at(-1)!));
      expect(edges).toContainEqual(scannedTo);
      // Only matches within the window, and all of them.
      const within = expected(all, filter, { ...spec, limit: 1e9 }).filter(
        (m) => compareIn(spec, pos(m), scannedTo) <= 0,
      );
      expect(ids(rows)).toEqual(ids(within));
      after = scannedTo;
    } else {
      return { found, partial };
    }
  }
  throw new Error('searching does not end');
}
