// The facets (src/store/sql/event-facets.ts): an event type's categories and actions, as the tenant's
// events have had them, let the planner answer a contradiction without reading events and drop a condition
// the type implies. Neither may change an answer: random filters of types, categories and actions equal
// the model, and a combination appended a moment ago is found at once.
import { beforeAll, describe, expect, it } from 'vitest';
import type { EventFilter } from '../../src/core/domain/filters.js';
import { BASE_MS, ev, iso, rng } from './entries.js';
import {
  ACTIONS,
  appendInputs,
  CATEGORIES,
  expected,
  ids,
  type Model,
  pageThrough,
  SLOT_MS,
} from './event-dataset.js';
import { storePerFile } from './store-under-test.js';

const sut = storePerFile();
const store = () => sut().store;
const T = 'facets';
const TYPES = ['user.created', 'user.deleted', 'carrier.rate_updated', 'setting.changed', 'mixed.thing'];
let all: Model[] = [];

beforeAll(async () => {
  // Each type has its usual category and action; one event in twenty does not, and `mixed.thing` never does.
  const usual: Record<string, [string, string]> = {
    'user.created': ['users', 'create'],
    'user.deleted': ['users', 'delete'],
    'carrier.rate_updated': ['telephony', 'update'],
    'setting.changed': ['settings', 'update'],
  };
  const r = rng(7);
  const inputs = Array.from({ length: 600 }, (_, i) => {
    const eventType = r.pick(TYPES);
    const odd = eventType === 'mixed.thing' || r.chance(0.05);
    const [category, action] = odd ? [r.pick(CATEGORIES), r.pick([...ACTIONS])] : usual[eventType]!;
    return ev({
      id: `f-${i}`,
      occurredAt: iso(BASE_MS + r.int(0, 320) * SLOT_MS),
      eventType,
      category,
      action,
    }) as Model['input'];
  });
  all = await appendInputs(store(), T, inputs, [1, 40, 200, 7]);
}, 120_000);

describe('facets', () => {
  it('random filters of types, categories and actions answer as the model', async () => {
    const r = rng(11);
    const some = <V>(values: readonly V[], max: number): V[] | undefined => {
      const n = r.int(0, max);
      return n === 0 ? undefined : [...new Set(Array.from({ length: n }, () => r.pick(values)))];
    };
    for (let k = 0; k < 60; k++) {
      const filter: EventFilter = {
        eventTypes: some(TYPES, 2) ?? [r.pick(TYPES)],
        ...(r.chance(0.7) ? { categories: some(CATEGORIES, 2) } : {}),
        ...(r.chance(0.7) ? { actions: some([...ACTIONS], 2) } : {}),
        ...(r.chance(0.3) ? { fromMs: BASE_MS + r.int(0, 320) * SLOT_MS } : {}),
      };
      const order = r.chance(0.5) ? ('asc' as const) : ('desc' as const);
      const want = expected(all, filter, { order, limit: 1e9 });
      const rows = await pageThrough(store(), T, filter, { order, limit: 37 });
      expect(ids(rows), JSON.stringify(filter)).toEqual(ids(want));
      const byAction = new Map<string, number>();
      for (const m of want) byAction.set(m.input.action!, (byAction.get(m.input.action!) ?? 0) + 1);
      const stats = await store().eventStats(T, filter, 'action');
      expect(new Map(stats.map((g) => [g.key, g.count])), JSON.stringify(filter)).toEqual(byAction);
    }
  });

  it('finds a combination appended a moment ago (read your writes)', async () => {
    const tenant = 'facets-new';
    const filter: EventFilter = { eventTypes: ['user.created'], categories: ['security'] };
    const first = { eventType: 'user.created', category: 'users', action: 'create' };
    await appendInputs(store(), tenant, [ev({ id: 'n-1', ...first }) as Model['input']], [1]);
    expect(await store().listEvents(tenant, filter, { order: 'desc', limit: 10 })).toEqual([]);
    const odd = ev({ id: 'n-2', eventType: 'user.created', category: 'security', action: 'delete' });
    await appendInputs(store(), tenant, [odd as Model['input']], [1]);
    expect(ids(await store().listEvents(tenant, filter, { order: 'desc', limit: 10 }))).toEqual(['n-2']);
    const search = await store().searchEvents(
      tenant,
      { ...filter, actions: ['delete'] },
      { order: 'asc', limit: 10 },
      20_000,
    );
    expect(ids(search.rows)).toEqual(['n-2']);
    const stats = await store().eventStats(tenant, { ...filter, actions: ['create'] }, 'category');
    expect(stats).toEqual([]);
  });
});
