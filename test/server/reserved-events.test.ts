// The log's own administration records (auditlog.* event types, written as token:/cli: actors) cannot be
// forged by a client (red-team report, issue 20 finding 7), while the log keeps writing them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, sampleEvent, startTestServer, type TestServer } from '../helpers/test-server.js';

let server: TestServer;
let ingest: string;
beforeAll(async () => {
  server = await startTestServer();
  ingest = await server.token('acme', ['ingest', 'read']);
});
afterAll(async () => server?.close());

async function post(body: unknown) {
  const res = await server.request('/v1/events', { method: 'POST', token: ingest, json: body });
  return { status: res.status, body: await json(res) };
}

describe('reserved event types and actors', () => {
  it('refuses auditlog.* event types with a 400 naming the field', async () => {
    for (const eventType of [
      'auditlog.export',
      'auditlog.token_created',
      'auditlog.token_revoked',
      'auditlog.x',
    ]) {
      const r = await post(
        sampleEvent({
          eventType,
          category: 'security',
          target: { type: 'Token', id: 'tok' },
          action: 'create',
        }),
      );
      expect(r.status, eventType).toBe(400);
      expect(r.body.error.code).toBe('invalid_event');
      expect(r.body.error.details).toEqual([
        { path: '/eventType', message: expect.stringContaining('reserved') },
      ]);
    }
  });

  it('refuses a target type whose default event type would be reserved, and reserved actor ids', async () => {
    const r = await post({
      events: [
        sampleEvent({ id: 'ok-1' }),
        sampleEvent({ target: { type: 'Auditlog', id: 'x' }, action: 'create' }),
        sampleEvent({ actor: { id: 'token:AbCdEfGhIjKl', username: 'ops-admin', type: 'service' } }),
        sampleEvent({ actor: { id: 'cli:root', type: 'system' } }),
      ],
    });
    expect(r.status).toBe(400);
    expect(r.body.error.details.map((d: any) => d.path)).toEqual([
      '/events/1/target/type',
      '/events/2/actor/id',
      '/events/3/actor/id',
    ]);
    expect(r.body.error.details[0].message).toContain('auditlog.create');
    expect((await server.request('/v1/events/ok-1', { token: ingest })).status).toBe(404);
    // What reads as the log's own to a person is refused too: another case, a space, a full-width colon.
    const lookalikes = await post({
      events: [
        sampleEvent({ actor: { id: 'TOKEN:abc' } }),
        sampleEvent({ actor: { id: 'Cli:root' } }),
        sampleEvent({ actor: { id: ' cli:root' } }),
        sampleEvent({ actor: { id: 'cli\uff1aroot' } }),
        sampleEvent({ actor: { id: 'token :x' } }),
        sampleEvent({ eventType: 'AuditLog.export' }),
        sampleEvent({ eventType: ' auditlog.token_created' }),
      ],
    });
    expect(lookalikes.status).toBe(400);
    const reserved = lookalikes.body.error.details.filter((d: any) => d.message.includes('reserved'));
    expect(reserved.map((d: any) => d.path)).toEqual([
      ...[0, 1, 2, 3, 4].map((i) => `/events/${i}/actor/id`),
      '/events/5/eventType',
      '/events/6/eventType',
    ]);
    // A default event type longer than an eventType may be (its export would not import again).
    const long = await post(sampleEvent({ target: { type: 't'.repeat(128), id: 'x' }, action: 'update' }));
    expect(long.status).toBe(400);
    expect(long.body.error.details).toEqual([
      { path: '/target/type', message: expect.stringContaining('default event type of 135 characters') },
    ]);
    expect(
      (await post(sampleEvent({ target: { type: 't'.repeat(128), id: 'x' }, eventType: 'x.y' }))).status,
    ).toBe(201);
    // Near misses are the client's own.
    const fine = await post({
      events: [
        sampleEvent({ eventType: 'auditlogs.export' }),
        sampleEvent({ eventType: 'app.auditlog.export' }),
        sampleEvent({ actor: { id: 'tokens:1' } }),
        sampleEvent({ actor: { id: 'usr_token:1' } }),
      ],
    });
    expect(fine.status, JSON.stringify(fine.body)).toBe(201);
  });

  it('keeps writing the log’s own records', async () => {
    const created = await json(
      await server.request('/v1/tokens', { method: 'POST', json: { tenant: 'acme', scopes: ['read'] } }),
    );
    const exported = await server.request('/v1/export?format=ndjson');
    await exported.text();
    await server.request('/v1/viewer-sessions', { method: 'POST', token: ingest, json: {} });
    await expect
      .poll(async () => {
        const { events } = await json(
          await server.request('/v1/events?category=security&order=asc', { token: ingest }),
        );
        return events.map((e: any) => e.eventType);
      })
      .toEqual(['auditlog.token_created', 'auditlog.token_created', 'auditlog.viewer_token_created']);
    expect(created.id).toBeTruthy();
    await expect
      .poll(
        async () => (await json(await server.request('/v1/events?eventType=auditlog.export'))).events.length,
      )
      .toBe(1);
  });
});
