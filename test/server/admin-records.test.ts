// An administrative change happens with its audit record or not at all: a value no event can hold (NUL, a
// lone surrogate) is a 400 naming the caller's own field, and nothing is stored; a change whose record the log
// would refuse is not made (it was: a destination answered 400 and streamed the log, unrecorded).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, startTestServer, type TestServer } from '../helpers/test-server.js';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => server?.close());

const post = (path: string, body: unknown, method = 'POST') => server.request(path, { method, json: body });
const records = async (eventType: string) =>
  (await json(await server.request(`/v1/events?eventType=${eventType}`))).events as {
    newValue: Record<string, unknown>;
  }[];

/** A 400 whose details name exactly `path` (the caller's field, never a path of the audit event). */
async function expectRefused(res: Response, path: string, message: RegExp) {
  const body = await json(res);
  expect(res.status, JSON.stringify(body)).toBe(400);
  expect(body.error.code).toBe('invalid_request');
  expect(body.error.details).toEqual([{ path, message: expect.stringMatching(message) }]);
  expect(body.error.message).toContain(path);
}

describe('destinations', () => {
  it('refuses NUL and lone surrogates in the caller own fields, storing and recording nothing', async () => {
    const url = 'http://127.0.0.1:9/hook';
    await expectRefused(
      await post('/v1/destinations', { kind: 'webhook', name: 'ok\ud800', url }),
      '/name',
      /well-formed Unicode/,
    );
    await expectRefused(
      await post('/v1/destinations', { kind: 'webhook', name: 'ok', url: 'http://127.0.0.1:9/\u0000x' }),
      '/url',
      /NUL/,
    );
    await expectRefused(
      await post('/v1/destinations', { kind: 'syslog', name: 'ok', host: '127.0.0.1', caPem: '\udc00' }),
      '/caPem',
      /well-formed Unicode/,
    );
    expect((await json(await server.request('/v1/destinations'))).destinations).toEqual([]);
    expect(await records('auditlog.destination_created')).toEqual([]);

    const created = await post('/v1/destinations', { kind: 'webhook', name: 'Good', url });
    expect(created.status).toBe(201);
    const id = (await json(created)).destination.id as string;
    await expectRefused(
      await post(`/v1/destinations/${id}`, { name: '\udfff' }, 'PATCH'),
      '/name',
      /Unicode/,
    );
    expect((await json(await server.request(`/v1/destinations/${id}`))).name).toBe('Good');
    expect(await records('auditlog.destination_updated')).toEqual([]);
    expect(await records('auditlog.destination_created')).toHaveLength(1);
  });
});

describe('legal holds', () => {
  it('refuses NUL and lone surrogates in the caller own fields, storing and recording nothing', async () => {
    await expectRefused(await post('/v1/legal-holds', { reason: 'nul\u0000' }), '/reason', /NUL/);
    await expectRefused(
      await post('/v1/legal-holds', { reason: 'ok', actorId: '\ud800' }),
      '/actorId',
      /well-formed Unicode/,
    );
    expect((await json(await server.request('/v1/legal-holds?all=true'))).holds).toEqual([]);
    expect(await records('auditlog.legal_hold_created')).toEqual([]);
  });

  it('is not released when its release cannot be recorded, and is when it can', async () => {
    // A hold the API could not create today (a reason past the record's newValue limit), as an older
    // version or another writer of the store may have left one: its release event would be refused.
    const { log } = server;
    const now = Date.now();
    const base = {
      tenant: 'default',
      actorId: null,
      targetType: null,
      targetId: null,
      category: null,
      fromMs: null,
      toMs: null,
      createdMs: now,
      createdBy: 'test',
      releasedMs: null,
      releasedBy: null,
    };
    await log.store.lifecycle.putHold({ ...base, id: 'hold-huge', reason: 'x'.repeat(70_000) });
    const res = await post('/v1/legal-holds/hold-huge/release', {});
    expect(res.status).toBe(400);
    expect((await json(res)).error.message).toMatch(/cannot be recorded, so it was not made/);
    expect((await log.store.lifecycle.getHold('default', 'hold-huge'))?.releasedMs).toBeNull();
    expect(await records('auditlog.legal_hold_released')).toEqual([]);

    await log.store.lifecycle.putHold({ ...base, id: 'hold-ok', reason: 'case 7' });
    const released = await post('/v1/legal-holds/hold-ok/release', {});
    expect(released.status).toBe(200);
    expect((await json(released)).releasedAt).not.toBeNull();
    const [event] = await records('auditlog.legal_hold_released');
    expect(event?.newValue).toMatchObject({ reason: 'case 7', released: true });
    const again = await post('/v1/legal-holds/hold-ok/release', {});
    expect(again.status).toBe(400);
    expect(await records('auditlog.legal_hold_released')).toHaveLength(1);
  });
});
