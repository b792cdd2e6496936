import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CATALOG } from '../../src/core/domain/catalog.js';
import { json, sampleEvent, startTestServer, type TestServer } from '../helpers/test-server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => server?.close());

describe('endpoints for clients such as the UI', () => {
  it('GET /v1/me describes the calling token, for any scope', async () => {
    const token = await server.token('acme', ['ingest'], 'platform');
    const me = await json(await server.request('/v1/me', { token }));
    expect(me).toMatchObject({
      tenant: 'acme',
      name: 'platform',
      scopes: ['ingest'],
      kind: 'api',
      expiresAt: null,
    });
    expect(token).toContain(me.tokenId);
    const viewer = await json(
      await server.request('/v1/viewer-sessions', { method: 'POST', json: { ttlSeconds: 120 } }),
    );
    const viewerMe = await json(await server.request('/v1/me', { token: viewer.token }));
    expect(viewerMe).toMatchObject({ kind: 'viewer', scopes: ['read'], expiresAt: viewer.expiresAt });
  });

  it('GET /v1/catalog lists the categories with labels', async () => {
    const catalog = await json(await server.request('/v1/catalog'));
    expect(catalog.categories.map((c: any) => [c.key, c.label])).toEqual(
      DEFAULT_CATALOG.map((c) => [c.key, c.label]),
    );
  });

  it('GET /v1/events?afterSeq returns what was recorded after, in recording order', async () => {
    const first = await json(await server.request('/v1/events', { method: 'POST', json: sampleEvent() }));
    const seq = first.events[0].seq;
    // Recorded later, but occurred earlier: a live view must still see it.
    await server.request('/v1/events', {
      method: 'POST',
      json: {
        events: [
          sampleEvent({ occurredAt: '2020-01-01T00:00:00Z', reason: 'late' }),
          sampleEvent({ reason: 'new' }),
        ],
      },
    });
    const live = await json(await server.request(`/v1/events?afterSeq=${seq}&category=telephony`));
    expect(live.events.map((e: any) => e.reason)).toEqual(['late', 'new']);
    expect(live.events.map((e: any) => e.seq)).toEqual([seq + 1, seq + 2]);
    expect(live.highSeq).toBe(seq + 2);
    // A filter with no new match still moves the poll forward.
    const none = await json(await server.request(`/v1/events?afterSeq=${seq}&category=ai`));
    expect(none.events).toEqual([]);
    expect(none.highSeq).toBe(seq + 2);
    const page = await json(await server.request(`/v1/events?afterSeq=${seq}&limit=1`));
    expect(page.highSeq).toBe(seq + 1);
    expect((await server.request(`/v1/events?afterSeq=${seq}&order=desc`)).status).toBe(400);
    expect((await server.request('/v1/events?afterSeq=-1')).status).toBe(400);
  });

  it('GET /v1/auth/failures?bucket splits the window', async () => {
    const to = Date.parse('2026-03-01T12:00:00Z');
    const at = (minutesBefore: number) => new Date(to - minutesBefore * 60_000).toISOString();
    await server.request('/v1/auth-events', {
      method: 'POST',
      json: {
        events: [130, 125, 50, 10, 5].map((m, i) => ({
          type: 'login_failure',
          user: { username: i < 2 ? 'kim' : 'lee' },
          reason: 'bad_password',
          ip: '192.0.2.9',
          occurredAt: at(m),
        })),
      },
    });
    const r = await json(
      await server.request(`/v1/auth/failures?window=3h&bucket=1h&to=${new Date(to).toISOString()}`),
    );
    expect(r.groups.map((g: any) => [g.key, g.count])).toEqual([
      ['lee', 3],
      ['kim', 2],
    ]);
    expect(r.buckets.map((b: any) => [b.from, b.groups])).toEqual([
      ['2026-03-01T09:00:00.000Z', [{ key: 'kim', count: 2 }]],
      ['2026-03-01T10:00:00.000Z', []],
      ['2026-03-01T11:00:00.000Z', [{ key: 'lee', count: 3 }]],
    ]);
    expect((await server.request('/v1/auth/failures?window=30d&bucket=1s')).status).toBe(400);
  });
});
