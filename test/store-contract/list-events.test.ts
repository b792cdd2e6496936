// Store.listEvents: every EventFilter field, keyword terms over indexed and not-yet-indexed entries, keyset
// paging in both orders and by seq, limits — compared with a model computed from the appended inputs.
import { beforeAll, describe, expect, it } from 'vitest';
import type { EventFilter, PageSpec } from '../../src/core/domain/filters.js';
import { type IpRange, parseIpFilter } from '../../src/core/domain/ip.js';
import type { EntryRow } from '../../src/core/domain/rows.js';
import { fold } from '../../src/core/domain/text-fold.js';
import { BASE_MS, expectRowOf, rng } from './entries.js';
import {
  appendInputs,
  compareIn,
  eventInputs,
  expected,
  ids,
  type Model,
  matches,
  pageThrough,
  RARE,
  SLOT_MS,
  specialInputs,
} from './event-dataset.js';
import { searchThrough } from './search-through.js';
import { storePerFile } from './store-under-test.js';

const sut = storePerFile();
const store = () => sut().store;

const T = 'acme';
const OTHER = 'acme-other';
let all: Model[] = [];

/** Events of the search index's first full chunk, and of the open one (the newest, not yet a full chunk). */
const CHUNK = 128;

beforeAll(async () => {
  const inputs = eventInputs(420, 1);
  const specials = specialInputs(1);
  // Half of the special-character events among the first (indexed) entries, half among the newest.
  inputs.splice(20, 0, ...specials.slice(0, 6));
  inputs.push(...specials.slice(6));
  all = await appendInputs(store(), T, inputs);
  // Another tenant with the same ids, words and values: never visible from T.
  await appendInputs(store(), OTHER, eventInputs(60, 1), [60]);
});

const ip = (text: string): IpRange => {
  const range = parseIpFilter(text);
  if (!range) throw new Error(`bad ip filter ${text}`);
  return range;
};
const users = (...values: string[]): EventFilter => ({ users: values, usersFolded: values.map(fold) });
const at = (slot: number) => BASE_MS + slot * SLOT_MS;

interface Case {
  name: string;
  filter: EventFilter;
  /** The model finds nothing: the filter must not match what it resembles. */
  none?: boolean;
}

const FILTER_CASES: Case[] = [
  { name: 'no filter', filter: {} },
  { name: 'fromMs (inclusive)', filter: { fromMs: at(100) } },
  { name: 'toMs (exclusive)', filter: { toMs: at(200) } },
  { name: 'fromMs and toMs', filter: { fromMs: at(100), toMs: at(200) } },
  { name: 'fromMs = toMs', filter: { fromMs: at(100), toMs: at(100) }, none: true },
  { name: 'a range of one millisecond', filter: { fromMs: at(200), toMs: at(200) + 1 } },
  { name: 'users: an actor id', filter: users('u-2') },
  { name: 'users: a username in other case', filter: users('JANE.ADMIN') },
  { name: 'users: a folded username and an exact id at once', filter: users('jane.admin') },
  { name: 'users: ids match exactly, not folded', filter: users('u-3'), none: true },
  { name: 'users: a non-ASCII username', filter: users('Élodie') },
  { name: 'users: several values', filter: users('u-2', 'svc_sync') },
  { name: 'users: _ is literal', filter: users('svc_sync') },
  { name: 'actions', filter: { actions: ['delete'] } },
  { name: 'actions: several', filter: { actions: ['create', 'delete'] } },
  { name: 'categories', filter: { categories: ['telephony', 'security'] } },
  { name: 'eventTypes: given ones', filter: { eventTypes: ['user.role_changed'] } },
  { name: 'eventTypes: defaulted ones', filter: { eventTypes: ['carrier.update', 'queue.create'] } },
  { name: 'targetType', filter: { targetType: 'Carrier' } },
  { name: 'targetType is exact', filter: { targetType: 'carrier' }, none: true },
  { name: 'targetType and targetId', filter: { targetType: 'User', targetId: 'user-1' } },
  { name: 'targetId alone (not a name)', filter: { targetId: 'user-1' } },
  { name: 'targetId with upper case', filter: { targetId: 'CARRIER-2' } },
  { name: 'targetId is exact', filter: { targetId: 'carrier-2' }, none: true },
  { name: 'targetId: % and _ are literal', filter: { targetId: 'q_1%' } },
  {
    name: 'targetType and targetId that do not go together',
    filter: { targetType: 'Queue', targetId: 'user-1' },
    none: true,
  },
  { name: 'target: an id or a name', filter: { target: 'user-1' } },
  { name: 'target: folded id', filter: { target: 'carrier-2' } },
  { name: 'target: folded name', filter: { target: 'acme telecom' } },
  { name: 'target: % and _ literal, id or name', filter: { target: 'q_1%' } },
  { name: 'target is not a substring match', filter: { target: 'acme' }, none: true },
  { name: 'ip: one address', filter: { ip: ip('10.0.0.200') } },
  { name: 'ip: /32', filter: { ip: ip('10.0.0.1/32') } },
  { name: 'ip: /24', filter: { ip: ip('10.0.0.0/24') } },
  { name: 'ip: /16', filter: { ip: ip('10.0.0.0/16') } },
  { name: 'ip: /8', filter: { ip: ip('10.0.0.0/8') } },
  { name: 'ip: /20 (not a whole hex digit)', filter: { ip: ip('192.168.0.0/20') } },
  { name: 'ip: all IPv4', filter: { ip: ip('0.0.0.0/0') } },
  { name: 'ip: IPv6 /32', filter: { ip: ip('2001:db8::/32') } },
  { name: 'ip: IPv6 /64', filter: { ip: ip('2001:db8::/64') } },
  { name: 'ip: one IPv6 address', filter: { ip: ip('2001:db9::1') } },
  { name: 'ip: every address', filter: { ip: ip('::/0') } },
  { name: 'ip: a block with no event', filter: { ip: ip('172.16.0.0/12') }, none: true },
  { name: 'sessionId (exact)', filter: { sessionId: 'sess-1' } },
  { name: 'maxSeq', filter: { maxSeq: 200 } },
  {
    name: 'several filters at once',
    filter: {
      fromMs: at(50),
      toMs: at(300),
      ...users('u-1', 'u-2', 'U-3'),
      actions: ['update', 'create'],
      categories: ['users', 'settings', 'telephony'],
      ip: ip('10.0.0.0/8'),
    },
  },
  {
    name: 'target, session and terms at once',
    filter: { target: 'user-1', sessionId: 'sess-2', terms: ['routine'] },
  },
  { name: 'maxSeq with a time range', filter: { maxSeq: 300, fromMs: at(150) } },
];

describe('listEvents: the data set', () => {
  it('holds what the tests need: > 3 full search chunks of events, rare words in the first, a middle and the open chunk', () => {
    expect(all.length).toBeGreaterThan(3 * CHUNK);
    const find = (word: string) => all.findIndex((m) => m.entry.search.some((s) => s.includes(word)));
    expect(find(RARE.first)).toBeLessThan(CHUNK);
    expect(find(RARE.middle)).toBeGreaterThanOrEqual(CHUNK);
    expect(find(RARE.last)).toBeGreaterThanOrEqual(Math.floor(all.length / CHUNK) * CHUNK);
    // Entries share occurredAt values and are not appended in time order.
    expect(new Set(all.map((m) => m.entry.occurredMs)).size).toBeLessThan(all.length);
    expect(all.some((m, i) => i > 0 && m.entry.occurredMs < all[i - 1]!.entry.occurredMs)).toBe(true);
  });

  it('every row carries what was appended: tenant, seq, body, times, hash', async () => {
    const rows = await store().listEvents(T, {}, { order: 'asc', limit: 1000, orderBy: 'seq' });
    expect(rows).toHaveLength(all.length);
    rows.forEach((row, i) => {
      expectRowOf(row, { tenant: T, seq: all[i]!.seq, entry: all[i]!.entry });
    });
  });

  it('another tenant, or an unknown one, sees none of these events', async () => {
    const rows = await store().listEvents(OTHER, {}, { order: 'asc', limit: 1000 });
    expect(rows).toHaveLength(60);
    for (const r of rows) expect(r.tenant).toBe(OTHER);
    expect(await store().listEvents('nobody', {}, { order: 'asc', limit: 10 })).toEqual([]);
    expect(await store().listEvents('ACME', {}, { order: 'asc', limit: 10 })).toEqual([]);
  });
});

describe('listEvents: filters', () => {
  for (const c of FILTER_CASES) {
    it(c.name, async () => {
      const want = all.filter((m) => matches(m, c.filter));
      if (c.none) expect(want).toHaveLength(0);
      else {
        expect(want.length, 'the data set must hold matches').toBeGreaterThan(0);
        if (c.name !== 'no filter') expect(want.length, 'and non-matches').toBeLessThan(all.length);
      }
      for (const order of ['desc', 'asc'] as const) {
        const page: PageSpec = { order, limit: 1000 };
        const rows = await store().listEvents(T, c.filter, page);
        expect(ids(rows), order).toEqual(ids(expected(all, c.filter, page)));
      }
      const bySeq: PageSpec = { order: 'desc', orderBy: 'seq', limit: 1000 };
      expect(ids(await store().listEvents(T, c.filter, bySeq)), 'by seq').toEqual(
        ids(expected(all, c.filter, bySeq)),
      );
    });
  }
});

describe('listEvents: keyword terms (folded, substrings of one search string, every character literal)', () => {
  const cases: { terms: string[]; count?: number }[] = [
    { terms: [RARE.first], count: 1 },
    { terms: [RARE.middle], count: 1 },
    { terms: [RARE.last], count: 1 },
    { terms: [fold('ZebraCorn')], count: 1 },
    { terms: ['routine'] },
    { terms: ['routine', 'number 4'] },
    { terms: ['number 4', 'u-2'] },
    { terms: [RARE.first, RARE.last], count: 0 },
    { terms: ['nothing-has-this'], count: 0 },
    { terms: ['jane admin'] },
    { terms: ['ne.ad'] },
    { terms: ['carrier: acme telecom'] },
    { terms: ['acme telecom'] },
    { terms: ['jane.admin jane'], count: 0 },
    { terms: ['maxchannels'] },
    { terms: ['köln'] },
    { terms: ['42'] },
    { terms: ['t-10'] },
    { terms: ['firefox/128'] },
    { terms: ['2001:db8::1'] },
    { terms: ['10.0.0.2'] },
    { terms: ['é'] },
    { terms: ['élodie'] },
    { terms: [fold('ÉCOLE')], count: 2 },
    { terms: ['%'] },
    { terms: ['_'] },
    { terms: ['a%c'], count: 1 },
    { terms: ['a_c'], count: 1 },
    { terms: ['0% d'], count: 1 },
    { terms: ["'"], count: 1 },
    { terms: ["it's"], count: 1 },
    { terms: ['"'], count: 1 },
    { terms: ['"hi"'], count: 1 },
    { terms: ['\\'], count: 1 },
    { terms: ['\\t'], count: 1 },
    { terms: ['c:\\temp\\new'], count: 1 },
    { terms: ['this or that'], count: 1 },
    { terms: ['or'] },
    { terms: ['fn(x) * 2 near y -z'], count: 1 },
    { terms: ['*'], count: 1 },
    { terms: ['-z'], count: 1 },
    { terms: ['x'] },
    { terms: ['ro'] },
    { terms: ['\u{1F600}'], count: 2 },
    { terms: ['\u{1F600}x'], count: 1 },
    { terms: ['z\u{1F600}'], count: 1 },
    { terms: ['\u{1F600} h'], count: 1 },
  ];
  for (const c of cases) {
    it(`terms ${JSON.stringify(c.terms)}`, async () => {
      const filter: EventFilter = { terms: c.terms };
      const want = all.filter((m) => matches(m, filter));
      if (c.count !== undefined) expect(want, 'the model').toHaveLength(c.count);
      else {
        expect(want.length).toBeGreaterThan(0);
        if (c.terms[0] !== 'x' && c.terms[0] !== 'routine') expect(want.length).toBeLessThan(all.length);
      }
      const page: PageSpec = { order: 'desc', limit: 1000 };
      expect(ids(await store().listEvents(T, filter, page))).toEqual(ids(expected(all, filter, page)));
    });
  }

  it('rare words are found in the first chunk, a middle one and the open chunk, and only in this tenant', async () => {
    for (const word of Object.values(RARE)) {
      const rows = await store().listEvents(T, { terms: [word] }, { order: 'asc', limit: 10 });
      expect(rows, word).toHaveLength(1);
      expect(rows[0]!.tenant).toBe(T);
      expect(rows[0]!.body.toLowerCase()).toContain(word);
    }
  });

  it('terms together with other filters, paged', async () => {
    const filters: EventFilter[] = [
      { terms: ['routine'], categories: ['security'], ip: ip('10.0.0.0/8') },
      { terms: ['v3'], ...users('jane.admin') },
      { terms: ['routine', 'sync'], fromMs: at(20), toMs: at(310) },
      { terms: ['us'], targetType: 'User', targetId: 'user-2' },
    ];
    for (const filter of filters) {
      const want = expected(all, filter, { order: 'asc', limit: 10_000 });
      expect(want.length, JSON.stringify(filter)).toBeGreaterThan(0);
      const rows = await pageThrough(store(), T, filter, { order: 'asc', limit: 16 });
      expect(ids(rows), JSON.stringify(filter)).toEqual(ids(want));
    }
  });
});

describe('listEvents: limits and keyset pages', () => {
  it('answers at most `limit` rows, the first ones in order', async () => {
    for (const limit of [1, 2, 5, 127, 128, 129]) {
      for (const order of ['asc', 'desc'] as const) {
        const page: PageSpec = { order, limit };
        expect(ids(await store().listEvents(T, {}, page)), `${order} ${limit}`).toEqual(
          ids(expected(all, {}, page)),
        );
      }
    }
  });

  const pagings: { filter: EventFilter; limit: number }[] = [
    { filter: {}, limit: 7 },
    { filter: {}, limit: 100 },
    { filter: users('jane.admin'), limit: 9 },
    { filter: { ip: ip('10.0.0.0/8') }, limit: 8 },
    { filter: { terms: ['routine'] }, limit: 33 },
    { filter: { target: 'user-1', actions: ['update', 'delete'] }, limit: 5 },
  ];
  for (const { filter, limit } of pagings) {
    for (const order of ['asc', 'desc'] as const) {
      for (const orderBy of ['time', 'seq'] as const) {
        it(`pages of ${limit}, ${order} by ${orderBy}, ${JSON.stringify(filter)}: every match exactly once`, async () => {
          const rows = await pageThrough(store(), T, filter, { order, orderBy, limit });
          expect(ids(rows)).toEqual(ids(expected(all, filter, { order, orderBy, limit: 10_000 })));
        });
      }
    }
  }

  it('`after` is a position, not necessarily a row: strictly after it in the order', async () => {
    const r = rng(7);
    for (let k = 0; k < 40; k++) {
      const after = {
        occurredMs: at(r.int(-5, 330)) + r.pick([0, 0, 1, -1]),
        seq: r.int(0, all.length + 20),
      };
      const order = r.pick(['asc', 'desc'] as const);
      const orderBy = r.pick(['time', 'seq', undefined] as const);
      const page: PageSpec = { order, limit: r.int(1, 60), after, ...(orderBy ? { orderBy } : {}) };
      const got = await store().listEvents(T, {}, page);
      expect(ids(got), JSON.stringify(page)).toEqual(ids(expected(all, {}, page)));
    }
  });

  it('with orderBy seq, only the seq of `after` counts', async () => {
    const seq = all[200]!.seq;
    for (const order of ['asc', 'desc'] as const) {
      const a = await store().listEvents(
        T,
        {},
        { order, orderBy: 'seq', limit: 50, after: { occurredMs: 0, seq } },
      );
      const b = await store().listEvents(
        T,
        {},
        { order, orderBy: 'seq', limit: 50, after: { occurredMs: 8_000_000_000_000, seq } },
      );
      expect(ids(a)).toEqual(ids(b));
      expect(ids(a)).toEqual(
        ids(expected(all, {}, { order, orderBy: 'seq', limit: 50, after: { occurredMs: 0, seq } })),
      );
    }
  });
});

describe('listEvents: paging while entries are appended', () => {
  // Each append between pages adds events before, at and after the cursor; an event appears once if it lies
  // ahead of the cursor when it is appended, never if it lies behind it, and no row is skipped or repeated.
  const runs: Pick<PageSpec, 'order' | 'orderBy'>[] = [
    { order: 'asc', orderBy: 'time' },
    { order: 'desc', orderBy: 'time' },
    { order: 'asc', orderBy: 'seq' },
    { order: 'desc', orderBy: 'seq' },
  ];
  /** Alternately one batch of three and three singles. */
  const batchSize = (n: number) => (n % 2 === 0 ? 3 : 1);
  for (const run of runs) {
    it(`${run.order} by ${run.orderBy}`, async () => {
      const t = `live-${run.order}-${run.orderBy}`;
      const known: Model[] = await appendInputs(store(), t, eventInputs(90, 11), [30, 1, 59]);
      const mustAppear: Model[] = [...known];
      let n = 0;
      const rows = await pageThrough(
        store(),
        t,
        { categories: ['users', 'settings', 'telephony', 'security'] },
        {
          ...run,
          limit: 10,
        },
        async (last) => {
          const cursor = { occurredMs: last.occurredMs, seq: last.seq };
          const times = [BASE_MS - 1000 * (n + 1), last.occurredMs, BASE_MS + 400 * SLOT_MS + n];
          const inputs = eventInputs(3, 100 + n).map((input, k) => ({
            ...input,
            id: `${t}-added-${n}-${k}`,
            occurredAt: new Date(times[k]!).toISOString(),
          }));
          n++;
          const added = await appendInputs(store(), t, inputs, [batchSize(n)]);
          for (const m of added) {
            if (compareIn(run, { occurredMs: m.entry.occurredMs, seq: m.seq }, cursor) > 0)
              mustAppear.push(m);
          }
        },
      );
      expect(n).toBeGreaterThan(3);
      const want = mustAppear.sort((a, b) =>
        compareIn(
          run,
          { occurredMs: a.entry.occurredMs, seq: a.seq },
          { occurredMs: b.entry.occurredMs, seq: b.seq },
        ),
      );
      expect(ids(rows)).toEqual(ids(want));
      expect(new Set(ids(rows)).size).toBe(rows.length);
    });
  }
});

describe('listEvents: the search index keeps up with appends', () => {
  it('an entry is found by a keyword as soon as its append resolves, before and after its chunk fills', async () => {
    const t = 'search-growing';
    const size = [1, 5, 60, 1, 70, 1, 1, 128, 3];
    let seen = 0;
    for (const [b, n] of size.entries()) {
      const inputs = eventInputs(n, 500 + b).map((input, i) => ({
        ...input,
        id: `grow-${b}-${i}`,
        reason: `marker${b}x${i} routine`,
      }));
      await appendInputs(store(), t, inputs, [n]);
      seen += n;
      for (const i of [0, n - 1]) {
        const rows: EntryRow[] = await store().listEvents(
          t,
          { terms: [`marker${b}x${i} `] },
          { order: 'asc', limit: 5 },
        );
        expect(ids(rows), `batch ${b} event ${i}`).toEqual([`grow-${b}-${i}`]);
      }
      const first = await store().listEvents(t, { terms: ['marker0x0'] }, { order: 'asc', limit: 5 });
      expect(ids(first)).toEqual(['grow-0-0']);
      const everything = await store().listEvents(t, { terms: ['routine'] }, { order: 'asc', limit: 1000 });
      expect(everything).toHaveLength(seen);
    }
  });
});

describe('searchEvents: a bounded scan for keywords the index cannot narrow', () => {
  const cases: { name: string; filter: EventFilter }[] = [
    { name: 'a rare short term', filter: { terms: ['"'] } },
    { name: 'a common short term', filter: { terms: ['x'] } },
    { name: 'a short term that matches nothing', filter: { terms: ['q\u{1F600}'] } },
    {
      name: 'short terms with other filters',
      filter: { terms: ['ro', 'u-'], categories: ['users', 'security'] },
    },
    { name: 'a short term and a user', filter: { terms: ['é'], ...users('jane.admin', 'Élodie') } },
  ];
  // A window larger than a page (pages fill, or end at the window when matches are rare) and smaller.
  const shapes = [
    { limit: 7, scanLimit: 37 },
    { limit: 20, scanLimit: 11 },
  ];
  for (const c of cases) {
    for (const order of ['desc', 'asc'] as const) {
      it(`${c.name}, ${order}: every match once, in order, each page within its window`, async () => {
        const want = expected(all, c.filter, { order, limit: 100_000 });
        for (const { limit, scanLimit } of shapes) {
          const { found, partial } = await searchThrough(
            store(),
            T,
            all,
            c.filter,
            { order, limit },
            scanLimit,
          );
          expect(ids(found), `limit ${limit}, scanLimit ${scanLimit}`).toEqual(ids(want));
          // Hundreds of entries to examine: some pages must have ended at the scan limit.
          if (want.length < 50 || scanLimit < limit) expect(partial).toBeGreaterThan(0);
        }
      });
    }
  }

  it('answers like listEvents when the index narrows the terms, or without terms (no scannedTo)', async () => {
    for (const filter of [
      { terms: [RARE.middle] },
      { terms: ['routine', 'number 4'] },
      { categories: ['users'] },
    ]) {
      const page: PageSpec = { order: 'desc', limit: 5 };
      const { rows, scannedTo } = await store().searchEvents(T, filter, page, 3);
      expect(scannedTo, JSON.stringify(filter)).toBeNull();
      expect(ids(rows)).toEqual(ids(expected(all, filter, page)));
    }
  });

  it('narrows by a target when its chunks hold fewer entries than the scan may examine', async () => {
    // Chunks on SQLite, its B-trees on PostgreSQL. The tenant's chunks hold fewer than 4 × 128 entries.
    const filter = { terms: ['x'], target: 'user-1' };
    const page: PageSpec = { order: 'desc', limit: 5 };
    const { rows, scannedTo } = await store().searchEvents(T, filter, page, 4 * CHUNK);
    expect(scannedTo).toBeNull();
    expect(ids(rows)).toEqual(ids(expected(all, filter, page)));
    // A smaller window: bounded pages (or the target's B-trees) still lead to every match once.
    for (const order of ['desc', 'asc'] as const) {
      const { found } = await searchThrough(store(), T, all, filter, { order, limit: 5 }, 20);
      expect(ids(found)).toEqual(ids(expected(all, filter, { order, limit: 1e9 })));
    }
  });

  it('stays in its tenant', async () => {
    const { rows } = await store().searchEvents(
      OTHER,
      { terms: ['"'] },
      { order: 'desc', limit: 1000 },
      100_000,
    );
    expect(rows.every((r) => r.tenant === OTHER)).toBe(true);
  });
});
