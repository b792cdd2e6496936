import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, sampleEvent, startTestServer, type TestServer } from '../helpers/test-server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => server?.close());

describe('POST /v1/events', () => {
  it('stores one event and returns it by id', async () => {
    const res = await server.request('/v1/events', { method: 'POST', json: sampleEvent() });
    expect(res.status).toBe(201);
    const body = await json(res);
    expect(body.events).toHaveLength(1);
    const { id, seq, duplicate } = body.events[0];
    expect(duplicate).toBe(false);
    expect(seq).toBeGreaterThan(0);
    const got = await json(await server.request(`/v1/events/${id}`));
    expect(got).toMatchObject({ id, seq, tenant: 'default', action: 'update', eventType: 'carrier.update' });
    expect(got.changes).toEqual([{ path: '/maxChannels', old: 60, new: 120 }]);
  });

  it('rejects a bad batch entirely and names the path', async () => {
    const before = (await json(await server.request('/v1/events?limit=500'))).events.length;
    const res = await server.request('/v1/events', {
      method: 'POST',
      json: { events: [sampleEvent(), sampleEvent({ action: 'patch' })] },
    });
    expect(res.status).toBe(400);
    const body = await json(res);
    expect(body.error.code).toBe('invalid_event');
    expect(body.error.details).toContainEqual({
      path: '/events/1/action',
      message: 'must be one of: create, update, delete',
    });
    const after = (await json(await server.request('/v1/events?limit=500'))).events.length;
    expect(after).toBe(before);
  });

  it('answers malformed JSON with 400, not 500', async () => {
    const res = await server.request('/v1/events', {
      method: 'POST',
      body: '{"actor": ',
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status).toBe(400);
    expect((await json(res)).error.code).toBe('invalid_request');
  });

  it('requires a token', async () => {
    const res = await server.request('/v1/events', { token: null });
    expect(res.status).toBe(401);
    expect((await json(res)).error.code).toBe('unauthorized');
  });
});
