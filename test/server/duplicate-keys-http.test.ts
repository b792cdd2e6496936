// A JSON body with a member name repeated in any object is a 400 naming its pointer, on every route that
// takes JSON and at any body size, and nothing of it is stored (core/domain/duplicate-keys.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OFF_LOOP_BYTES } from '../../src/server/plugins/large-bodies.js';
import { json, sampleEvent, startTestServer, type TestServer } from '../helpers/test-server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.close();
});

const post = (path: string, body: string) =>
  server.request(path, { method: 'POST', body, headers: { 'content-type': 'application/json' } });

/** The events stored for this target id. */
async function storedFor(targetId: string): Promise<unknown[]> {
  const res = await server.request(`/v1/entities/Carrier/${targetId}/history`);
  expect(res.status).toBe(200);
  return (await json(res)).events;
}

/** A batch of `n` events for `targetId`, as text; `actor` of event `at` replaced by `actorText`. */
function batchText(targetId: string, n: number, at: number, actorText: string): string {
  const events = Array.from({ length: n }, () => sampleEvent({ target: { type: 'Carrier', id: targetId } }));
  const parts = events.map((e, i) => {
    const text = JSON.stringify(e);
    return i === at ? text.replace(/"actor":\{[^}]*\}/, `"actor":${actorText}`) : text;
  });
  return `{"events":[${parts.join(',')}]}`;
}

async function expectDuplicate(res: Response, pointer: string): Promise<void> {
  expect(res.status).toBe(400);
  expect(await json(res)).toEqual({
    error: {
      code: 'invalid_request',
      message: `${pointer}: duplicate key`,
      details: [{ path: pointer, message: 'duplicate key' }],
    },
  });
}

describe('a repeated member name in a JSON body', () => {
  it('a batch: 400 naming /events/3/actor/id, and none of the batch stored', async () => {
    const body = batchText('dup-batch', 5, 3, '{"id":"a","id":"b"}');
    await expectDuplicate(await post('/v1/events', body), '/events/3/actor/id');
    expect(await storedFor('dup-batch')).toEqual([]);
    // The same batch without the repeat is stored whole: the check refuses nothing else.
    const fixed = await post('/v1/events', body.replace('{"id":"a","id":"b"}', '{"id":"a"}'));
    expect(fixed.status).toBe(201);
    expect(await storedFor('dup-batch')).toHaveLength(5);
  });

  it('a name spelt with escapes is the same name', async () => {
    const event = JSON.stringify(sampleEvent({ target: { type: 'Carrier', id: 'dup-escaped' } }));
    const body = event.replace('"action":', '"\\u0061ction":"create","action":');
    await expectDuplicate(await post('/v1/events', body), '/action');
    expect(await storedFor('dup-escaped')).toEqual([]);
  });

  it('deep inside a value, a name holding "/" and "~"', async () => {
    const body = JSON.stringify(sampleEvent({ target: { type: 'Carrier', id: 'dup-deep' } })).replace(
      '"newValue":{',
      '"newValue":{"routes":[{"a/b~":1,"a/b~":2}],',
    );
    await expectDuplicate(await post('/v1/events', body), '/newValue/routes/0/a~1b~0');
    expect(await storedFor('dup-deep')).toEqual([]);
  });

  it('an authentication event', async () => {
    const body = '{"type":"login_failed","user":{"username":"x"},"ip":"192.0.2.1","ip":"192.0.2.2"}';
    await expectDuplicate(await post('/v1/auth-events', body), '/ip');
  });

  it('another route that takes JSON: POST /v1/tokens creates no token', async () => {
    const before = (await json(await server.request('/v1/tokens'))).tokens.length;
    const body = '{"tenant":"t1","scopes":["read"],"scopes":["admin"],"name":"dup"}';
    await expectDuplicate(await post('/v1/tokens', body), '/scopes');
    expect((await json(await server.request('/v1/tokens'))).tokens).toHaveLength(before);
  });

  it(`a body over ${OFF_LOOP_BYTES / 1024} KiB: the same 400, before the 413 of a value too large`, async () => {
    const big = sampleEvent({
      target: { type: 'Carrier', id: 'dup-large' },
      newValue: Array.from({ length: 150_000 }, (_, i) => `v${i}`),
    });
    const body = batchText('dup-large', 3, 2, '{"id":"a","username":"u","id":"b"}').replace(
      '{"events":[',
      `{"events":[${JSON.stringify(big)},`,
    );
    expect(body.length).toBeGreaterThan(OFF_LOOP_BYTES);
    await expectDuplicate(await post('/v1/events', body), '/events/3/actor/id');
    // Valid but for the repeat, of sizes the core takes: still refused.
    const fits = batchText('dup-large', 20, 3, '{"id":"a","id":"a"}').replaceAll(
      '"newValue":{"maxChannels":120}',
      `"newValue":"${'x'.repeat(60_000)}"`,
    );
    expect(fits.length).toBeGreaterThan(OFF_LOOP_BYTES);
    await expectDuplicate(await post('/v1/events', fits), '/events/3/actor/id');
    expect(await storedFor('dup-large')).toEqual([]);
  });
});
