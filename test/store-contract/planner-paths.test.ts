// The event planner's cost-based choice (event-driver.ts): a filter whose index holds fewer than PROBE_CAP
// entries in the date range drives the read through that index; when every candidate holds more, the engine's
// own plan stands. A skewed tenant puts filters on both sides of the cap, alone and combined, and every answer
// must equal the model whichever path produced it, in both orders, paged, with keywords and without.
import { beforeAll, describe, expect, it } from 'vitest';
import type { EventFilter } from '../../src/core/domain/filters.js';
import { fold } from '../../src/core/domain/text-fold.js';
import { PROBE_CAP } from '../../src/store/sql/event-driver.js';
import { eventStats, listEvents } from '../../src/store/sql/event-query-plan.js';
import { BASE_MS, rng } from './entries.js';
import {
  ACTORS,
  appendInputs,
  eventInputs,
  expected,
  ids,
  type Model,
  pageThrough,
  SLOT_MS,
} from './event-dataset.js';
import { recorded } from './recorded-plan.js';
import { searchThrough } from './search-through.js';
import { storePerFile } from './store-under-test.js';

const sut = storePerFile();
const store = () => sut().store;
const T = 'skewed';
let all: Model[] = [];

const users = (...values: string[]): EventFilter => ({ users: values, usersFolded: values.map(fold) });
const at = (slot: number) => BASE_MS + slot * SLOT_MS;

beforeAll(async () => {
  // One hot actor and one huge category past the cap, rarely together; a third category past the cap that
  // only the hot actor uses, with an event type of its own (past the cap too); rare actors, rare
  // categories, a rare event type.
  const r = rng(18);
  const inputs = eventInputs(2 * PROBE_CAP + 1200, 18).map((e) => {
    const hot = r.chance(0.5);
    const category = hot
      ? r.chance(0.02)
        ? 'telephony'
        : 'campaigns'
      : r.chance(0.96)
        ? 'telephony'
        : r.pick(['security', 'users']);
    return {
      ...e,
      actor: hot ? ACTORS[0]! : r.pick(ACTORS.slice(1)),
      category,
      ...(category === 'campaigns' ? { eventType: 'campaign.renamed' } : {}),
    };
  });
  all = await appendInputs(store(), T, inputs, [500]);
}, 240_000);

const CASES: { name: string; filter: EventFilter }[] = [
  { name: 'hot user alone (past the cap: the engine plans)', filter: users('u-1') },
  {
    name: 'hot user + huge category + from (every candidate past the cap)',
    filter: { ...users('u-1'), categories: ['telephony'], fromMs: at(20) },
  },
  {
    name: 'hot user + rare category (category drives)',
    filter: { ...users('Jane.Admin'), categories: ['security'] },
  },
  {
    name: 'rare user + huge category (actor drives)',
    filter: { ...users('u-2'), categories: ['telephony'] },
  },
  {
    name: 'huge category + event type (type drives)',
    filter: { categories: ['telephony'], eventTypes: ['user.role_changed'], toMs: at(150) },
  },
  { name: 'rare user + keyword (actor drives, no chunks)', filter: { ...users('bob'), terms: ['routine'] } },
  {
    name: 'hot user + keyword + target (chunks or engine)',
    filter: { ...users('u-1'), terms: ['change'], target: 'user-1' },
  },
  {
    name: 'rare category + target + date range (category drives, target checked)',
    filter: { categories: ['users'], target: 'carrier-1', fromMs: at(40), toMs: at(300) },
  },
  {
    name: 'hot user + huge category, rare together (their intersection drives)',
    filter: { ...users('u-1'), categories: ['telephony'] },
  },
  {
    name: 'huge category + an event type of another category (an empty intersection)',
    filter: { categories: ['telephony'], eventTypes: ['campaign.renamed'], fromMs: at(10) },
  },
  {
    name: 'hot user + its category + its event type (common together: the engine plans)',
    filter: { ...users('u-1'), categories: ['campaigns'], eventTypes: ['campaign.renamed'] },
  },
  {
    name: "a target that is one id and another target's name (its two B-trees merged in page order)",
    filter: { target: 'user-1' },
  },
  {
    name: 'a target by its name + an action (its name B-tree walked, the action checked)',
    filter: { target: fold('Acme Telecom'), actions: ['update'], fromMs: at(30) },
  },
  {
    name: 'a target + the hot user + a keyword (chunks first, else its B-trees)',
    filter: { ...users('u-1'), target: 'user-1', terms: ['routine'] },
  },
  {
    name: 'a target type + id, upper case, + an action (SQLite: its folded id B-tree, type and id checked)',
    filter: { targetType: 'Carrier', targetId: 'CARRIER-2', actions: ['update'] },
  },
  {
    name: 'a target id alone + the hot user (the folded id B-tree or the user drives)',
    filter: { ...users('u-1'), targetId: 'user-1' },
  },
  {
    name: 'several categories, one rare (sorted after the driving index)',
    filter: { categories: ['security', 'users'], actions: ['delete'] },
  },
];

describe('planner paths: the same answers whichever index drives', () => {
  it('holds values on both sides of the cap', () => {
    const count = (f: EventFilter) => expected(all, f, { order: 'asc', limit: 1e9 }).length;
    expect(count(users('u-1'))).toBeGreaterThanOrEqual(PROBE_CAP);
    expect(count({ categories: ['telephony'] })).toBeGreaterThanOrEqual(PROBE_CAP);
    expect(count({ categories: ['security'] })).toBeLessThan(PROBE_CAP);
    expect(count(users('u-2'))).toBeLessThan(PROBE_CAP);
    expect(count({ eventTypes: ['campaign.renamed'] })).toBeGreaterThanOrEqual(PROBE_CAP);
    expect(count({ categories: ['campaigns'] })).toBeGreaterThanOrEqual(PROBE_CAP);
    const together = count({ ...users('u-1'), categories: ['telephony'] });
    expect(together).toBeGreaterThan(0);
    expect(together).toBeLessThan(PROBE_CAP);
  });

  for (const c of CASES) {
    for (const order of ['desc', 'asc'] as const) {
      it(`${c.name}, ${order}: listEvents pages equal the model`, async () => {
        const want = expected(all, c.filter, { order, limit: 1e9 });
        expect(ids(await pageThrough(store(), T, c.filter, { order, limit: 97 }))).toEqual(ids(want));
      });
    }
    it(`${c.name}: by seq, and searchEvents with a wide scan, equal the model`, async () => {
      const bySeq = expected(all, c.filter, { order: 'desc', orderBy: 'seq', limit: 1e9 });
      const rows = await pageThrough(store(), T, c.filter, { order: 'desc', orderBy: 'seq', limit: 500 });
      expect(ids(rows)).toEqual(ids(bySeq));
      const page = { order: 'asc' as const, limit: 40 };
      const { rows: found, scannedTo } = await store().searchEvents(T, c.filter, page, 1e9);
      expect(scannedTo).toBeNull();
      expect(ids(found)).toEqual(ids(expected(all, c.filter, page)));
    });
  }

  // A keyword the chunks cannot narrow: each page examines at most scanLimit entries of one index — the
  // user's, the category's or the event type's, whichever reaches farthest — or of the date range.
  const SHORT: { name: string; filter: EventFilter }[] = [
    {
      name: 'hot user + huge category',
      filter: { ...users('u-1'), categories: ['telephony'], terms: ['e'] },
    },
    {
      name: 'rare user + huge category',
      filter: { ...users('u-2'), categories: ['telephony'], terms: ['o'] },
    },
    {
      name: 'huge category + event type + from',
      filter: { categories: ['telephony'], eventTypes: ['user.role_changed'], terms: ['a'], fromMs: at(30) },
    },
    {
      name: 'huge category + an event type of none',
      filter: { categories: ['telephony'], eventTypes: ['nothing.at_all'], terms: ['e'] },
    },
    { name: 'two users (the date range bounds)', filter: { ...users('u-1', 'u-3'), terms: ['z'] } },
  ];
  for (const c of SHORT) {
    for (const order of ['desc', 'asc'] as const) {
      it(`${c.name} + a short keyword, ${order}: bounded pages lead to every match once`, async () => {
        const want = expected(all, c.filter, { order, limit: 1e9 });
        const { found } = await searchThrough(store(), T, all, c.filter, { order, limit: 30 }, 700);
        expect(ids(found)).toEqual(ids(want));
      });
    }
  }

  it('ends at once when one filter of the scan has no entry left (a contradiction)', async () => {
    const filter = {
      ...users('u-1'),
      categories: ['telephony'],
      eventTypes: ['nothing.at_all'],
      terms: ['e'],
    };
    const page = await store().searchEvents(T, filter, { order: 'desc', limit: 10 }, 50);
    expect(page).toEqual({ rows: [], scannedTo: null });
  });

  it('answers a category with an event type of another category from the facets alone, no event read', async () => {
    // Every campaign.renamed event is a campaigns one: event_facets (event-facets.ts) knows that the two
    // contradict, so no statement touches the events (before it, the intersection of their B-trees walked
    // every entry of the type, probing the category's index for each).
    const filter = { categories: ['telephony'], eventTypes: ['campaign.renamed'], fromMs: at(10) };
    const statements: string[] = [];
    const rows = await sut().plan((d) =>
      recorded(listEvents(d, T, filter, { order: 'desc', limit: 50 }), statements),
    );
    expect(rows).toEqual([]);
    expect(statements).toHaveLength(1);
    expect(statements[0]).toMatch(/FROM event_facets/);
    expect(await store().eventStats(T, filter, 'action')).toEqual([]);
  });

  it('walks a dense intersection in page order after a sample, without counting it', async () => {
    // u-1 and campaigns are each past PROBE_CAP and nearly the same events: a page-order sample of SAMPLE
    // entries of one index finds a page, so that index is walked in page order (event-intersect.ts) and the
    // intersection is neither counted nor read by seq.
    const filter = { ...users('u-1'), categories: ['campaigns'] };
    for (const order of ['asc', 'desc'] as const) {
      const statements: string[] = [];
      const page = { order, limit: 50 };
      const rows = await sut().plan((d) => recorded(listEvents(d, T, filter, page), statements));
      expect(ids(rows)).toEqual(ids(expected(all, filter, page)));
      // The sample: its other filter a probe, or a column of the sampled index (SqlDialect.covers).
      expect(statements.filter((s) => s.includes('WHERE TRUE AND'))).toHaveLength(1);
      expect(statements.filter((s) => s.includes('SELECT a.seq') || s.includes(' q0'))).toEqual([]);
    }
  });

  it('walks an index that holds the other filters without a probe per entry (SQLite), or intersects', async () => {
    // u-1 and telephony are each past PROBE_CAP and rarely together. SQLite's actor index holds the category
    // and the action (SqlDialect.covers): walked in page order, it checks both on its own entries. PostgreSQL's
    // B-trees hold their keys only: the intersection is walked with a probe of the category's per entry.
    const sqlite = sut().kind === 'sqlite';
    for (const actions of [undefined, ['update']]) {
      const filter: EventFilter = { ...users('u-1'), categories: ['telephony'], fromMs: at(20), actions };
      // A page of 50: more than the sample finds (~2% of u-1's SAMPLE entries are telephony), but at that
      // density the covering walk reaches it within INTERSECT_CAP entries, so the sample decides. A page of
      // 1,000 is past that: the counts decide, and the actor's index, the cheapest, holds the others.
      for (const [limit, counted] of [
        [50, false],
        [1000, true],
      ] as const) {
        for (const order of ['asc', 'desc'] as const) {
          const statements: string[] = [];
          const page = { order, limit };
          const rows = await sut().plan((d) => recorded(listEvents(d, T, filter, page), statements));
          expect(ids(rows)).toEqual(ids(expected(all, filter, page)));
          const intersected = statements.filter((s) => s.includes('SELECT a.seq'));
          // PostgreSQL: counted, then read by the intersection (run again as the read's subquery).
          if (!sqlite) expect(intersected.length).toBeGreaterThan(0);
          if (sqlite) {
            expect(intersected).toEqual([]);
            expect(statements.filter((s) => s.includes('EXISTS'))).toEqual([]);
            expect(statements.some((s) => s.includes(' q0'))).toBe(counted);
            expect(statements.at(-1)).toMatch(/INDEXED BY events_actor/);
          }
        }
      }
      // With a keyword, the intersection bounds the rows read: counted, on SQLite without a probe.
      const keyword: EventFilter = { ...filter, terms: ['routine'] };
      const statements: string[] = [];
      const page = { order: 'desc' as const, limit: 20 };
      const rows = await sut().plan((d) => recorded(listEvents(d, T, keyword, page), statements));
      expect(ids(rows)).toEqual(ids(expected(all, keyword, page)));
      const intersected = statements.filter((s) => s.includes('SELECT a.seq'));
      expect(intersected).toHaveLength(1);
      expect(intersected[0]!.includes('EXISTS')).toBe(!sqlite);
    }
  });

  it('drops a category the event type implies, with the same answer as the model', async () => {
    // campaign.renamed implies campaigns: the type alone drives, and the category is not probed.
    const filter = {
      categories: ['campaigns', 'security'],
      eventTypes: ['campaign.renamed'],
      fromMs: at(10),
    };
    const statements: string[] = [];
    const page = { order: 'desc' as const, limit: 50 };
    const rows = await sut().plan((d) => recorded(listEvents(d, T, filter, page), statements));
    expect(ids(rows)).toEqual(ids(expected(all, filter, page).slice(0, page.limit)));
    expect(rows.length).toBe(50);
    expect(statements.join('\n')).not.toMatch(/events_category|category IN/);
  });

  it('walks a cold target in page order, without intersecting the dense filters first', async () => {
    // u-1 and telephony are each past PROBE_CAP: their intersection would be counted and walked before the
    // target's 40 entries were read (27 ms of statements at 1M skewed events).
    const cold = { type: 'Carrier', id: 'cold-carrier' };
    const extra = eventInputs(40, 77).map((e) => ({
      ...e,
      actor: ACTORS[0]!,
      category: 'telephony',
      target: cold,
    }));
    all = [...all, ...(await appendInputs(store(), T, extra, [40]))];
    for (const target of [{ target: cold.id }, { targetType: cold.type, targetId: cold.id }]) {
      const filter: EventFilter = { ...users('u-1'), categories: ['telephony'], fromMs: at(20), ...target };
      for (const order of ['asc', 'desc'] as const) {
        const statements: string[] = [];
        const page = { order, limit: 20 };
        const rows = await sut().plan((d) => recorded(listEvents(d, T, filter, page), statements));
        expect(ids(rows)).toEqual(ids(expected(all, filter, page)));
        expect(rows.length).toBeGreaterThan(0);
        // PostgreSQL walks `target` so; type + id has a B-tree of its own there, which its engine reads.
        if (sut().kind === 'postgres' && 'targetId' in target) continue;
        expect(statements.filter((s) => /SELECT a\.seq| q0\)|EXISTS/.test(s))).toEqual([]);
        if (sut().kind === 'sqlite') expect(statements.at(-1)).toMatch(/INDEXED BY events_target_id_f/);
      }
    }
  });

  it('stats count the same through a driving index as the model', async () => {
    const filter = { ...users('u-1'), categories: ['security'] };
    const groups = await store().eventStats(T, filter, 'action');
    const want = new Map<string, number>();
    for (const m of expected(all, filter, { order: 'asc', limit: 1e9 }))
      want.set(m.input.action!, (want.get(m.input.action!) ?? 0) + 1);
    expect(new Map(groups.map((g) => [g.key, g.count]))).toEqual(want);
  });

  it('stats of every case and grouping equal the model; past the cap SQLite counts through the smallest index', async () => {
    // Statistics count every match. Left to itself SQLite read the index in the GROUP BY's order and checked
    // every row (category for one hot user, 300k events: 3–5 s); the smallest candidate index now drives,
    // and a user named by id is decided by the actor index alone, no row read.
    for (const { filter } of CASES) {
      for (const groupBy of ['category', 'action', 'user', 'day'] as const) {
        const want = new Map<string, number>();
        for (const m of expected(all, filter, { order: 'asc', limit: 1e9 })) {
          const i = m.input;
          const key = {
            category: i.category,
            action: i.action,
            user: i.actor!.id,
            day: i.occurredAt!.slice(0, 10),
          }[groupBy]!;
          want.set(key, (want.get(key) ?? 0) + 1);
        }
        const groups = await store().eventStats(T, filter, groupBy);
        expect(
          new Map(groups.map((g) => [g.key, g.count])),
          `${JSON.stringify(filter)} by ${groupBy}`,
        ).toEqual(want);
      }
    }
    const statements: string[] = [];
    await sut().plan((d) => recorded(eventStats(d, T, users('u-1'), 'category'), statements));
    if (sut().kind === 'sqlite') {
      expect(statements.at(-1)).toMatch(/INDEXED BY events_actor/);
      // Named by id: the actor's entries need no username check.
      expect(statements.at(-1)).not.toMatch(/actor_username_f/);
    }
    statements.length = 0;
    const mixed = { ...users('u-1'), categories: ['telephony'], fromMs: at(20) };
    await sut().plan((d) => recorded(eventStats(d, T, mixed, 'action'), statements));
    if (sut().kind === 'sqlite') expect(statements.at(-1)).toMatch(/INDEXED BY events_(actor|category)/);
  });

  it('stats by a username count only the events that carried it; by the id, all of the actor', async () => {
    const R = 'renamed';
    const base = eventInputs(60, 5);
    const actor = (username: string) => ({ id: 'r-1', username, displayName: 'Renamed' });
    await appendInputs(
      store(),
      R,
      base.map((e, i) => ({
        ...e,
        actor: i < 20 ? actor('Old.Name') : i < 50 ? actor('new.name') : ACTORS[1]!,
      })),
      [60],
    );
    const count = async (f: EventFilter) =>
      (await store().eventStats(R, f, 'category')).reduce((n, g) => n + g.count, 0);
    expect(await count(users('NEW.NAME'))).toBe(30);
    expect(await count(users('old.name'))).toBe(20);
    expect(await count(users('r-1'))).toBe(50);
    expect(await count(users('r-1', 'new.name'))).toBe(50);
    expect(await count(users('new.name', 'bob'))).toBe(40);
  });
});
