// GET /v1/events filters, ordering, limits and paging; GET /v1/events/{id}; entity history; stats.
// Expectations are computed by helpers/model.ts from the events this file posts — never copied from the server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/temp-dir.js';
import { ACTORS, CATALOG, generateEvents, postAll, queries } from './helpers/dataset.js';
import { expectedIds, matches, type Posted, type Query, toParams } from './helpers/model.js';
import { expectErrorShape, fetchAllPages, type RunningServer, startServer } from './helpers/server.js';

const dir = tempDir('auditlog-contract-query-');
let server: RunningServer;
let all: Posted[] = [];
const N = 640;
const SEED = 20240101;

beforeAll(async () => {
  server = await startServer({ dbFile: dir.file('a.db') });
  all = await postAll(server, generateEvents(N, SEED));
});

afterAll(async () => {
  await server?.stop();
  dir.remove();
});

const ids = (events: any[]) => events.map((e) => e.id);
const label = (q: Query) => JSON.stringify(q);

describe('dataset sanity (the test data really exercises the filters)', () => {
  it('has ties on occurredAt, every category and several users', () => {
    expect(all).toHaveLength(N);
    const byTime = new Map<number, number>();
    for (const p of all) byTime.set(p.at, (byTime.get(p.at) ?? 0) + 1);
    expect([...byTime.values()].some((c) => c >= 2)).toBe(true);
    expect(new Set(all.map((p) => p.input.category)).size).toBe(8);
    expect(new Set(all.map((p) => p.input.actor.id)).size).toBe(ACTORS.length);
  });

  it('assigns increasing seqs in posting order', () => {
    for (let i = 1; i < all.length; i++) expect(all[i]?.seq).toBeGreaterThan(all[i - 1]?.seq as number);
  });
});

describe('GET /v1/events filters against an independently computed expectation', () => {
  const qs = () => queries(SEED + 1, all);
  // The query list depends on the posted data (exact occurredAt boundaries), so build the tests lazily.
  it('every filter and combination, desc and asc, whole result in one page of 500', async () => {
    const failures: string[] = [];
    let nonEmpty = 0;
    for (const q of qs()) {
      for (const order of ['desc', 'asc'] as const) {
        const expected = expectedIds(all, q, order);
        if (expected.length > 0) nonEmpty++;
        const params = toParams({ ...q, order, limit: '500' });
        const { events } = await fetchAllPages(server, '/v1/events', params);
        const got = ids(events);
        if (JSON.stringify(got) !== JSON.stringify(expected)) {
          const missing = expected.filter((x) => !got.includes(x)).length;
          const extra = got.filter((x) => !expected.includes(x)).length;
          failures.push(
            `${label(q)} order=${order}: expected ${expected.length} events, got ${got.length} (missing ${missing}, extra ${extra}${
              missing === 0 && extra === 0 ? ', wrong order' : ''
            })`,
          );
        }
      }
    }
    expect(nonEmpty).toBeGreaterThan(100);
    expect(failures).toEqual([]);
  });

  it('the same queries paged with limit=37 give the same sequence, each event once', async () => {
    const failures: string[] = [];
    for (const q of qs()) {
      const expected = expectedIds(all, q, 'desc');
      const { events, pages } = await fetchAllPages(server, '/v1/events', toParams({ ...q, limit: '37' }));
      if (pages.some((p, i) => p.length > 37 || (i < pages.length - 1 && p.length !== 37))) {
        failures.push(`${label(q)}: page sizes ${pages.map((p) => p.length).join(',')}`);
      }
      const got = ids(events);
      if (JSON.stringify(got) !== JSON.stringify(expected))
        failures.push(`${label(q)}: ${got.length} vs ${expected.length} expected`);
    }
    expect(failures).toEqual([]);
  });

  // A few filters individually, so a failure names the filter.
  const single: [string, Query][] = [
    ['user by actor id', { user: 'usr_1001' }],
    ['user by username', { user: 'jose.alvarez' }],
    ['user repeated is OR', { user: ['li.wei', 'svc_dialer'] }],
    ['user "ops" matches an actor id and another actor\'s username', { user: 'ops' }],
    ['action repeated', { action: ['create', 'delete'] }],
    ['category repeated', { category: ['bulk', 'inbound'] }],
    ['eventType', { eventType: 'campaign.pacing_changed' }],
    ['targetType + targetId', { targetType: 'Carrier', targetId: 'trunk-provider-2' }],
    ['target by name, other case', { target: 'JOHN.SMITH' }],
    ['target by id, other case', { target: 'TRUNK-PROVIDER-1' }],
    ['target matching an id and a name', { target: 'main-menu' }],
    ['target is exact, not a substring', { target: 'john' }],
    ['ip IPv4 address', { ip: '10.0.0.7' }],
    ['ip IPv4 CIDR /24', { ip: '10.0.0.0/24' }],
    ['ip IPv4 CIDR /15', { ip: '10.0.0.0/15' }],
    ['ip IPv6 address', { ip: '2001:db8::2' }],
    ['ip IPv6 CIDR /64', { ip: '2001:db8::/64' }],
    ['ip IPv6 CIDR /47', { ip: '2001:db8::/47' }],
    ['sessionId', { sessionId: 'sess-cc33' }],
  ];
  for (const [name, q] of single) {
    it(`${name}: ${label(q)}`, async () => {
      const expected = expectedIds(all, q);
      // "john" is a prefix of names in the data but equals none of them: the exact filter must find nothing.
      if (q.target !== 'john') expect(expected.length).toBeGreaterThan(0);
      else expect(all.some((p) => (p.input.target.name ?? '').toLowerCase().startsWith('john'))).toBe(true);
      const { events } = await fetchAllPages(server, '/v1/events', toParams({ ...q, limit: '500' }));
      expect(ids(events)).toEqual(expected);
    });
  }

  it('ip: an IPv6 address written in another valid form finds the same events', async () => {
    const expected = expectedIds(all, { ip: '2001:db8:0:1::5' });
    expect(expected.length).toBeGreaterThan(0);
    const { events } = await fetchAllPages(
      server,
      '/v1/events',
      toParams({ ip: '2001:0DB8:0000:0001:0000:0000:0000:0005', limit: '500' }),
    );
    expect(ids(events)).toEqual(expected);
  });

  it('from is inclusive and to is exclusive, at the exact instant of an event', async () => {
    const sorted = [...all].sort((a, b) => a.at - b.at || a.seq - b.seq);
    const a = sorted[150] as Posted;
    const b = sorted[450] as Posted;
    const from = new Date(a.at).toISOString();
    const to = new Date(b.at).toISOString();
    const { events } = await fetchAllPages(
      server,
      '/v1/events',
      toParams({ from, to, order: 'asc', limit: '500' }),
    );
    const got = ids(events);
    expect(got).toContain(a.id);
    expect(got).not.toContain(b.id);
    expect(got).toEqual(expectedIds(all, { from, to }, 'asc'));
  });

  it('from/to given with a numeric offset mean the same instant', async () => {
    const sorted = [...all].sort((a, b) => a.at - b.at);
    const at = (sorted[300] as Posted).at;
    const local = new Date(at + 5.5 * 3_600_000).toISOString().slice(0, 19);
    const fromOffset = `${local}+05:30`;
    const { events } = await fetchAllPages(
      server,
      '/v1/events',
      toParams({ from: fromOffset, limit: '500' }),
    );
    expect(ids(events)).toEqual(expectedIds(all, { from: new Date(at).toISOString() }));
  });
});

describe('ordering, limit and cursor', () => {
  it('default: newest first, 50 events, with a nextCursor', async () => {
    const { status, body } = await server.getJson('/v1/events');
    expect(status).toBe(200);
    expect(ids(body.events)).toEqual(expectedIds(all, {}).slice(0, 50));
    expect(typeof body.nextCursor).toBe('string');
  });

  it('desc breaks ties on occurredAt by seq, asc is the exact reverse', async () => {
    const desc = await fetchAllPages(server, '/v1/events', toParams({ limit: '500' }));
    const asc = await fetchAllPages(server, '/v1/events', toParams({ limit: '500', order: 'asc' }));
    expect(ids(desc.events)).toEqual(expectedIds(all, {}, 'desc'));
    expect(ids(asc.events)).toEqual([...ids(desc.events)].reverse());
    for (let i = 1; i < asc.events.length; i++) {
      const [p, c] = [asc.events[i - 1], asc.events[i]];
      const dp = Date.parse(p.occurredAt);
      const dc = Date.parse(c.occurredAt);
      expect(dc > dp || (dc === dp && c.seq > p.seq)).toBe(true);
    }
  });

  it('limit=500 returns 500 events when more exist; limit=1 returns one', async () => {
    const big = await server.getJson('/v1/events?limit=500');
    expect(big.status).toBe(200);
    expect(big.body.events).toHaveLength(500);
    expect(typeof big.body.nextCursor).toBe('string');
    const one = await server.getJson('/v1/events?limit=1&order=asc');
    expect(one.status).toBe(200);
    expect(ids(one.body.events)).toEqual(expectedIds(all, {}, 'asc').slice(0, 1));
  });

  it('nextCursor is null when the page holds the rest of the result', async () => {
    const q = { category: 'ai' };
    const n = expectedIds(all, q).length;
    expect(n).toBeGreaterThan(0);
    expect(n).toBeLessThan(500);
    const { status, body } = await server.getJson(`/v1/events?${toParams({ ...q, limit: '500' })}`);
    expect(status).toBe(200);
    expect(body.events).toHaveLength(n);
    expect(body.nextCursor).toBeNull();
  });

  it('paging through everything (limit 7, both orders) returns each event exactly once', async () => {
    for (const order of ['desc', 'asc'] as const) {
      const { events } = await fetchAllPages(server, '/v1/events', toParams({ limit: '7', order }));
      const got = ids(events);
      expect(new Set(got).size).toBe(got.length);
      expect(got).toEqual(expectedIds(all, {}, order));
    }
  });

  for (const bad of ['0', '501', '-1', 'abc', '1.5', '']) {
    it(`limit=${JSON.stringify(bad)} is 400 invalid_query naming /limit`, async () => {
      const { status, body } = await server.getJson(`/v1/events?limit=${encodeURIComponent(bad)}`);
      expect(status).toBe(400);
      expectErrorShape(body);
      expect(body.error.code).toBe('invalid_query');
      expect(body.error.details.map((d: any) => d.path)).toContain('/limit');
    });
  }

  const badParams: [string, string][] = [
    ['order', 'sideways'],
    ['from', 'yesterday'],
    ['to', '2024-13-45T00:00:00Z'],
    ['action', 'destroy'],
    ['ip', 'not-an-ip'],
    ['ip', '10.0.0.0/33'],
    ['cursor', 'definitely-not-a-cursor'],
  ];
  for (const [k, v] of badParams) {
    it(`${k}=${v} is 400 invalid_query naming /${k}`, async () => {
      const { status, body } = await server.getJson(`/v1/events?${k}=${encodeURIComponent(v)}`);
      expect(status).toBe(400);
      expectErrorShape(body);
      expect(body.error.code).toBe('invalid_query');
      expect(body.error.details.map((d: any) => d.path)).toContain(`/${k}`);
    });
  }
});

describe('robustness of query strings', () => {
  it('a tampered cursor is refused with 400 or read as a valid page, never a 5xx', async () => {
    const { body } = await server.getJson('/v1/events?limit=3');
    const cursor: string = body.nextCursor;
    expect(typeof cursor).toBe('string');
    const statuses = new Set<number>();
    const alphabet = 'AZaz09-_=+/.%';
    for (let i = 0; i < cursor.length; i += Math.max(1, Math.floor(cursor.length / 25))) {
      for (const ch of alphabet.slice(0, 4)) {
        const bad = cursor.slice(0, i) + ch + cursor.slice(i + 1);
        const res = await server.request(`/v1/events?limit=3&cursor=${encodeURIComponent(bad)}`);
        statuses.add(res.status);
        expect([200, 400], `cursor ${bad}`).toContain(res.status);
      }
    }
    for (const bad of [
      cursor.slice(0, -1),
      `${cursor}x`,
      cursor.slice(0, Math.floor(cursor.length / 2)),
      Buffer.from('{"at":"x","seq":"1 OR 1=1"}').toString('base64url'),
    ]) {
      const res = await server.request(`/v1/events?cursor=${encodeURIComponent(bad)}`);
      expect([200, 400], `cursor ${bad}`).toContain(res.status);
    }
  });

  it('odd query strings give 200 or 400, never a 5xx', async () => {
    const raw = [
      'q=%ff',
      'q=%zz',
      'q=%00',
      'q=%ED%A0%80',
      `q=${'a'.repeat(5000)}`,
      `q=${'"'.repeat(101)}`,
      'user=%00',
      'target=%ff',
      'ip=::',
      'ip=::/0',
      'from=0000-00-00T00:00:00Z',
      'limit=99999999999999999999',
      'order=',
      'cursor=',
    ];
    const statuses: Record<string, number> = {};
    for (const r of raw) statuses[r.slice(0, 40)] = (await server.request(`/v1/events?${r}`)).status;
    expect(Object.entries(statuses).filter(([, st]) => st !== 200 && st !== 400)).toEqual([]);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });

  it('an id path segment with invalid percent-encoding is 400 or 404, never a 5xx', async () => {
    for (const id of ['%ff', '%zz', '%00', 'a%2Fb']) {
      const res = await server.request(`/v1/events/${id}`);
      expect([400, 404], id).toContain(res.status);
    }
  });
});

describe('returned events', () => {
  it('carry every stored field plus seq, receivedAt, tenant and changes', async () => {
    const { events } = await fetchAllPages(server, '/v1/events', toParams({ limit: '500' }));
    const byId = new Map(all.map((p) => [p.id, p]));
    for (const e of events) {
      const p = byId.get(e.id) as Posted;
      expect(p).toBeDefined();
      expect(e.seq).toBe(p.seq);
      expect(e.tenant).toBe('default');
      expect(Number.isNaN(Date.parse(e.receivedAt))).toBe(false);
      expect(Array.isArray(e.changes)).toBe(true);
      expect(Date.parse(e.occurredAt)).toBe(p.at);
      expect(e.actor).toEqual({ type: 'user', ...p.input.actor });
      for (const k of [
        'action',
        'eventType',
        'category',
        'target',
        'ip',
        'userAgent',
        'sessionId',
        'reason',
        'metadata',
      ] as const) {
        expect(e[k] ?? null, `${k} of ${e.id}`).toEqual(p.input[k] ?? null);
      }
      expect(e.oldValue ?? null).toEqual(p.input.oldValue ?? null);
      expect(e.newValue ?? null).toEqual(p.input.newValue ?? null);
    }
  });

  it('GET /v1/events/{id} returns the event itself, equal to the listed one', async () => {
    const list = (await server.getJson('/v1/events?limit=20')).body.events;
    for (const e of list) {
      const { status, body } = await server.getJson(`/v1/events/${encodeURIComponent(e.id)}`);
      expect(status).toBe(200);
      expect(body).toEqual(e);
    }
  });

  it('GET /v1/events/{id} for an unknown id is 404 not_found', async () => {
    for (const id of ['00000000-0000-7000-8000-000000000000', 'no-such-event']) {
      const { status, body } = await server.getJson(`/v1/events/${id}`);
      expect(status).toBe(404);
      expectErrorShape(body);
      expect(body.error.code).toBe('not_found');
    }
  });
});

describe('GET /v1/entities/{type}/{id}/history', () => {
  const targets = Object.values(CATALOG).flatMap((c) => c.targets);
  it('returns every event of each entity, oldest first (following nextCursor)', async () => {
    const failures: string[] = [];
    let longest = 0;
    for (const t of targets) {
      const expected = expectedIds(all, { targetType: t.type, targetId: t.id }, 'asc');
      longest = Math.max(longest, expected.length);
      const { events } = await fetchAllPages(
        server,
        `/v1/entities/${encodeURIComponent(t.type)}/${encodeURIComponent(t.id)}/history`,
        new URLSearchParams(),
      );
      if (JSON.stringify(ids(events)) !== JSON.stringify(expected)) {
        failures.push(`${t.type}/${t.id}: got ${events.length}, expected ${expected.length}`);
      }
    }
    expect(longest).toBeGreaterThan(20);
    expect(failures).toEqual([]);
  });
});

describe('GET /v1/stats', () => {
  const dayKey = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  const keyOf: Record<string, (p: Posted) => string> = {
    action: (p) => p.input.action,
    category: (p) => p.input.category,
    user: (p) => p.input.actor.id,
    eventType: (p) => p.input.eventType as string,
    day: (p) => dayKey(p.at),
  };
  const expectedGroups = (groupBy: string, q: Query) => {
    const counts = new Map<string, number>();
    for (const p of all.filter((x) => matches(x, q))) {
      const k = (keyOf[groupBy] as (p: Posted) => string)(p);
      counts.set(k, (counts.get(k) ?? 0) + 1);
    }
    return [...counts.entries()]
      .map(([key, count]) => ({ key, count }))
      .sort((a, b) => (a.key < b.key ? -1 : 1));
  };
  const filters: Query[] = [
    {},
    { user: 'jane.admin' },
    { category: 'telephony', action: 'update' },
    { from: '2024-01-20T00:00:00Z', to: '2024-02-10T00:00:00Z' },
    { ip: '10.0.0.0/8', q: 'trunk' },
    { target: 'john.smith' },
  ];
  for (const groupBy of Object.keys(keyOf)) {
    for (const q of filters) {
      it(`groupBy=${groupBy} ${label(q)}`, async () => {
        const { status, body } = await server.getJson(`/v1/stats?${toParams({ ...q, groupBy })}`);
        expect(status).toBe(200);
        expect(Array.isArray(body.groups)).toBe(true);
        const got = body.groups
          .map((g: any) => ({ key: g.key, count: g.count }))
          .sort((a: any, b: any) => (a.key < b.key ? -1 : 1));
        const expected = expectedGroups(groupBy, q);
        expect(expected.length).toBeGreaterThan(0);
        expect(got).toEqual(expected);
      });
    }
  }

  it('groupBy=user labels each actor id with its username', async () => {
    const { body } = await server.getJson('/v1/stats?groupBy=user');
    const usernames = new Map<string, string | undefined>(ACTORS.map((a) => [a.id, (a as any).username]));
    expect(body.groups.length).toBe(ACTORS.length);
    for (const g of body.groups) {
      expect(usernames.has(g.key)).toBe(true);
      const u = usernames.get(g.key);
      if (u !== undefined) expect(g.label).toBe(u);
      else expect(g.label ?? null).toBeNull();
    }
  });

  it('an unknown groupBy is 400', async () => {
    const { status, body } = await server.getJson('/v1/stats?groupBy=color');
    expect(status).toBe(400);
    expectErrorShape(body);
    expect(body.error.code).toBe('invalid_query');
  });
});
