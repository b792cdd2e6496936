import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, sampleEvent, startTestServer, type TestServer } from '../helpers/test-server.js';

let server: TestServer;
let acme: string;
let globex: string;
let acmeEventId: string;

beforeAll(async () => {
  server = await startTestServer();
  acme = await server.token('acme', ['ingest', 'read', 'export']);
  globex = await server.token('globex', ['ingest', 'read', 'export']);
  const res = await server.request('/v1/events', {
    method: 'POST',
    token: acme,
    json: {
      events: [
        sampleEvent({ target: { type: 'Carrier', id: 'acme-trunk' }, reason: 'acme-only-secret-word' }),
      ],
    },
  });
  acmeEventId = (await json(res)).events[0].id;
  await server.request('/v1/events', {
    method: 'POST',
    token: globex,
    json: sampleEvent({ target: { type: 'Carrier', id: 'globex-trunk' } }),
  });
});
afterAll(async () => server?.close());

describe('tenant isolation', () => {
  it('lists only the own tenant', async () => {
    // Each tenant also holds the auditlog.token_created event of its own token.
    const a = await json(await server.request('/v1/events', { token: acme }));
    const g = await json(await server.request('/v1/events', { token: globex }));
    expect(a.events.map((e: any) => `${e.tenant} ${e.category}`).sort()).toEqual([
      'acme security',
      'acme telephony',
    ]);
    expect(g.events.map((e: any) => `${e.tenant} ${e.category}`).sort()).toEqual([
      'globex security',
      'globex telephony',
    ]);
    const search = await json(await server.request('/v1/events?q=acme-only-secret-word', { token: globex }));
    expect(search.events).toEqual([]);
  });

  it('answers 404 for another tenant’s id, exactly as for an unknown one', async () => {
    const own = await server.request(`/v1/events/${acmeEventId}`, { token: acme });
    expect(own.status).toBe(200);
    const other = await server.request(`/v1/events/${acmeEventId}`, { token: globex });
    const unknown = await server.request('/v1/events/no-such-id', { token: globex });
    expect(other.status).toBe(404);
    const otherBody = await json(other);
    const unknownBody = await json(unknown);
    expect(otherBody.error.code).toBe(unknownBody.error.code);
    expect(otherBody.error.message.replace(acmeEventId, 'X')).toBe(
      unknownBody.error.message.replace('no-such-id', 'X'),
    );
  });

  it('keeps history, stats, actors and export apart', async () => {
    const h = await json(await server.request('/v1/entities/Carrier/acme-trunk/history', { token: globex }));
    expect(h.events).toEqual([]);
    const stats = await json(await server.request('/v1/stats?groupBy=category', { token: globex }));
    expect(stats.groups).toEqual([
      { key: 'security', label: 'Security', count: 1 },
      { key: 'telephony', label: 'Telephony', count: 1 },
    ]);
    const exp = await server.request('/v1/export?format=ndjson&category=telephony', { token: globex });
    const lines = (await exp.text())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
      .filter((l) => !('bridge' in l) && !('checkpoint' in l) && !('end' in l));
    expect(lines.map((l) => l.tenant)).toEqual(['globex']);
    expect(lines.map((l) => l.target.id)).toEqual(['globex-trunk']);
    const actors = await json(await server.request('/v1/actors?prefix=', { token: globex }));
    expect(actors.actors.length).toBeGreaterThan(0);
  });

  it('gives a tenant-scoped admin token no data of another tenant', async () => {
    const admin = await server.token('globex', ['admin', 'read']);
    const list = await json(await server.request('/v1/events?q=acme-only-secret-word', { token: admin }));
    expect(list.events).toEqual([]);
  });
});
