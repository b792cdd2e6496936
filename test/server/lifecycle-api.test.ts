// The lifecycle API (scope admin): retention policies, legal holds, purges and their signed records, with a
// 4xx naming the field for bad input and every change recorded as an audit event.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyStore } from '../../src/core/services/verify-store.js';
import { json, startTestServer, type TestServer } from '../helpers/test-server.js';

let server: TestServer;
const DAY = 86_400_000;
const ago = (days: number) => new Date(Date.now() - days * DAY).toISOString();

beforeAll(async () => {
  server = await startTestServer();
  const event = (id: string, days: number, actor: string) => ({
    id,
    occurredAt: ago(days),
    actor: { id: actor },
    action: 'update',
    category: 'bulk',
    target: { type: 'LeadList', id: 'l-1' },
  });
  const res = await server.request('/v1/events', {
    method: 'POST',
    json: { events: [event('old-1', 800, 'u-1'), event('old-2', 800, 'u-2'), event('new-1', 3, 'u-1')] },
  });
  expect(res.status).toBe(201);
});
afterAll(async () => server?.close());

describe('retention policies', () => {
  it('are set, listed and deleted; bad input is a 400 naming the field', async () => {
    const put = await server.request('/v1/retention/policies', {
      method: 'PUT',
      json: { category: 'bulk', maxAgeDays: 365 },
    });
    expect(put.status).toBe(200);
    expect(await json(put)).toMatchObject({ stream: 'event', category: 'bulk', maxAgeDays: 365 });
    const auth = await server.request('/v1/retention/policies', {
      method: 'PUT',
      json: { stream: 'auth', maxAgeDays: 90 },
    });
    expect(auth.status).toBe(200);
    const list = await json(await server.request('/v1/retention/policies'));
    expect(
      list.policies.map((p: { stream: string; category: string | null }) => [p.stream, p.category]),
    ).toEqual([
      ['event', 'bulk'],
      ['auth', null],
    ]);
    for (const [body, path] of [
      [{ maxAgeDays: 0 }, '/maxAgeDays'],
      [{ maxAgeDays: 10, category: 'nope' }, '/category'],
      [{ maxAgeDays: 10, stream: 'auth', category: 'bulk' }, '/category'],
      [{ maxAgeDays: 10, color: 'red' }, '/color'],
    ] as const) {
      const res = await server.request('/v1/retention/policies', { method: 'PUT', json: body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect((await json(res)).error.details.map((d: { path: string }) => d.path)).toContain(path);
    }
    const del = await server.request('/v1/retention/policies?stream=auth', { method: 'DELETE' });
    expect(del.status).toBe(204);
    const again = await server.request('/v1/retention/policies?stream=auth', { method: 'DELETE' });
    expect(again.status).toBe(404);
  });
});

describe('legal holds and purges', () => {
  let holdId: string;

  it('a hold keeps what it matches through a purge; the purge is signed and recorded', async () => {
    const created = await server.request('/v1/legal-holds', {
      method: 'POST',
      json: { reason: 'case 12', actorId: 'u-1', to: ago(100) },
    });
    expect(created.status).toBe(201);
    const hold = await json(created);
    holdId = hold.id;
    expect(hold).toMatchObject({
      reason: 'case 12',
      actorId: 'u-1',
      releasedAt: null,
      createdBy: expect.stringMatching(/^token:/),
    });
    const bad = await server.request('/v1/legal-holds', {
      method: 'POST',
      json: { actorId: 'u-1', from: 'yesterday' },
    });
    expect(bad.status).toBe(400);
    expect((await json(bad)).error.details.map((d: { path: string }) => d.path)).toEqual([
      '/reason',
      '/from',
    ]);

    const run = await server.request('/v1/purges', { method: 'POST' });
    expect(run.status).toBe(200);
    expect(await json(run)).toMatchObject({ purged: 1, held: 1, steps: 1 });
    expect((await server.request('/v1/events/old-2')).status).toBe(404);
    expect((await server.request('/v1/events/old-1')).status).toBe(200);
    const { purges } = await json(await server.request('/v1/purges'));
    expect(purges).toHaveLength(1);
    expect(purges[0]).toMatchObject({ stream: 'event', count: 1, keyId: expect.any(String) });
    expect((await verifyStore(server.log.store)).problems).toEqual([]);

    const types = (await json(await server.request('/v1/events?category=security&limit=50'))).events.map(
      (e: { eventType: string }) => e.eventType,
    );
    expect(types).toEqual(
      expect.arrayContaining([
        'auditlog.retention_policy_set',
        'auditlog.retention_policy_deleted',
        'auditlog.legal_hold_created',
        'auditlog.purge',
      ]),
    );
  });

  it('is released once; an unknown hold is a 404', async () => {
    const released = await server.request(`/v1/legal-holds/${holdId}/release`, { method: 'POST' });
    expect(released.status).toBe(200);
    expect((await json(released)).releasedAt).not.toBeNull();
    expect((await server.request(`/v1/legal-holds/${holdId}/release`, { method: 'POST' })).status).toBe(400);
    expect((await server.request('/v1/legal-holds/nope/release', { method: 'POST' })).status).toBe(404);
    expect((await json(await server.request('/v1/legal-holds'))).holds).toEqual([]);
    expect((await json(await server.request('/v1/legal-holds?all=true'))).holds).toHaveLength(1);
    const run = await json(await server.request('/v1/purges', { method: 'POST' }));
    expect(run).toMatchObject({ purged: 1, held: 0 });
  });

  it('needs the admin scope', async () => {
    const reader = await server.token('default', ['read', 'export', 'ingest']);
    for (const [path, method] of [
      ['/v1/retention/policies', 'GET'],
      ['/v1/legal-holds', 'POST'],
      ['/v1/purges', 'POST'],
    ] as const) {
      expect(
        (await server.request(path, { method, token: reader, json: method === 'POST' ? {} : undefined }))
          .status,
      ).toBe(403);
    }
  });
});
