// `from`/`to` finer than a millisecond. Events are stored to the millisecond and every range is half-open
// (occurredAt ≥ from, < to), so a bound between two milliseconds is rounded up, which keeps it exact: `from`
// …00.0005 leaves out an event at …00.000, `to` …00.0005 takes it in. Both were truncated, so `from` took
// in an event before it and `to` left out one before it. Every endpoint with from/to, both stores.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, sampleEvent, startTestServer, type TestServer } from '../helpers/test-server.js';

let server: TestServer;
const enc = encodeURIComponent;
const T = '2026-06-01T09:00:00';
const at = (ms: number) => `${T}.${String(ms).padStart(3, '0')}Z`;

beforeAll(async () => {
  server = await startTestServer();
  const events = [0, 1, 2].map((ms) => sampleEvent({ id: `at-${ms}`, occurredAt: at(ms) }));
  expect((await server.request('/v1/events', { method: 'POST', json: { events } })).status).toBeLessThan(300);
  const auth = [0, 1, 2].flatMap((ms) => [
    {
      id: `in-${ms}`,
      type: 'login_success',
      user: { id: `u${ms}`, username: `user${ms}` },
      method: 'password',
      sessionId: `s-${ms}`,
      ip: '192.0.2.1',
      occurredAt: at(ms),
    },
    {
      id: `fail-${ms}`,
      type: 'login_failure',
      user: { username: 'x' },
      reason: 'bad_password',
      ip: '192.0.2.9',
      occurredAt: at(ms),
    },
  ]);
  const res = await server.request('/v1/auth-events', { method: 'POST', json: { events: auth } });
  expect(res.status, JSON.stringify(await json(res))).toBeLessThan(300);
});
afterAll(async () => server?.close());

const range = (from?: string, to?: string) =>
  [from && `from=${enc(from)}`, to && `to=${enc(to)}`].filter(Boolean).join('&');

async function eventIds(q: string): Promise<string[]> {
  const body = await json(await server.request(`/v1/events?order=asc&${q}`));
  return body.events.map((e: { id: string }) => e.id);
}

/** [bounds, the events at .000/.001/.002 they hold] */
const CASES: [string | undefined, string | undefined, number[]][] = [
  [`${T}.0005Z`, undefined, [1, 2]],
  [`${T}.0000001Z`, undefined, [1, 2]],
  [`${T}.000000000Z`, undefined, [0, 1, 2]],
  [`${T}.001000Z`, undefined, [1, 2]],
  [undefined, `${T}.0005Z`, [0]],
  [undefined, `${T}.0015Z`, [0, 1]],
  [undefined, `${T}.001000Z`, [0]],
  [`${T}.0005Z`, `${T}.0019999Z`, [1]],
  // An offset moves whole minutes: the fraction still rounds up.
  ['2026-06-01T10:00:00.0005+01:00', undefined, [1, 2]],
];

describe('from/to finer than a millisecond are exact', () => {
  it('GET /v1/events', async () => {
    for (const [from, to, held] of CASES)
      expect(await eventIds(range(from, to)), `${from} ${to}`).toEqual(held.map((ms) => `at-${ms}`));
  });

  it('GET /v1/stats and GET /v1/export', async () => {
    // (category: an export records itself, as an event of now.)
    for (const [from, to, held] of CASES) {
      const stats = await json(
        await server.request(`/v1/stats?groupBy=action&category=telephony&${range(from, to)}`),
      );
      expect(stats.groups, `${from} ${to}`).toEqual([{ key: 'update', count: held.length }]);
      const text = await (
        await server.request(`/v1/export?format=ndjson&category=telephony&${range(from, to)}`)
      ).text();
      const ids = text
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l))
        .filter((l) => typeof l.id === 'string')
        .map((l) => l.id);
      expect(ids, `${from} ${to}`).toEqual(held.map((ms) => `at-${ms}`));
    }
  });

  it('GET /v1/auth-events and GET /v1/sessions', async () => {
    for (const [from, to, held] of CASES) {
      const auth = await json(
        await server.request(`/v1/auth-events?order=asc&type=login_success&${range(from, to)}`),
      );
      expect(
        auth.events.map((e: { id: string }) => e.id),
        `${from} ${to}`,
      ).toEqual(held.map((ms) => `in-${ms}`));
      const sessions = await json(await server.request(`/v1/sessions?order=asc&${range(from, to)}`));
      expect(
        sessions.sessions.map((s: { sessionId: string }) => s.sessionId),
        `${from} ${to}`,
      ).toEqual(held.map((ms) => `s-${ms}`));
    }
  });

  it('GET /v1/auth/failures: the window ends exactly at `to`', async () => {
    for (const [to, count] of [
      [`${T}.0005Z`, 1],
      [`${T}.0015Z`, 2],
      [`${T}.002Z`, 2],
    ] as const) {
      const body = await json(await server.request(`/v1/auth/failures?window=1h&to=${enc(to)}`));
      expect(body.groups, to).toEqual([expect.objectContaining({ key: 'x', count })]);
    }
  });

  it('a legal hold keeps the bound it holds by: `from` .0005 reads back as .001', async () => {
    const res = await server.request('/v1/legal-holds', {
      method: 'POST',
      json: { reason: 'precision', from: `${T}.0005Z`, to: `${T}.0015Z` },
    });
    const hold = await json(res);
    expect(res.status, JSON.stringify(hold)).toBe(201);
    expect([hold.from, hold.to]).toEqual([at(1), at(2)]);
  });
});
