// A stream destination is a read path too: with personal data encrypted, a webhook receives an event's
// personal fields in clear while the subject's key exists, and erased once the subject is erased (replay);
// a sign-in of the same person likewise.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, sampleEvent, startTestServer, type TestServer } from '../helpers/test-server.js';
import { WebhookReceiver } from '../helpers/webhook-receiver.js';

let server: TestServer;
let receiver: WebhookReceiver;
const FAST = { pollMs: 50, leaseMs: 2000, retry: { baseDelayMs: 40, maxDelayMs: 200, maxFailures: 1000 } };

beforeAll(async () => {
  [server, receiver] = await Promise.all([
    startTestServer({ personalData: { encrypt: true } }),
    WebhookReceiver.start(),
  ]);
  server.log.delivery.start(FAST);
});
afterAll(async () => {
  await server?.close();
  await receiver?.close();
});

const received = (id: string) =>
  receiver.entries().filter((e) => e.id === id) as {
    actor: { id: string; username: string };
    user: { id?: string; username: string };
    ip: string;
  }[];

describe('delivery of encrypted events', () => {
  it('sends the clear values while the key lives, the erased placeholders after', async () => {
    const created = await json(
      await server.request('/v1/destinations', {
        method: 'POST',
        json: { kind: 'webhook', name: 'SIEM', url: receiver.url, filter: { streams: ['admin', 'auth'] } },
      }),
    );
    receiver.trust(created.secret, created.destination.publicKey);
    const event = sampleEvent({ id: 'ev-d1', actor: { id: 'u-d1', username: 'dee.one' }, ip: '192.0.2.44' });
    expect((await server.request('/v1/events', { method: 'POST', json: event })).status).toBe(201);
    const signIn = {
      id: 'in-d1',
      type: 'login_success',
      user: { id: 'u-d1', username: 'dee.one' },
      method: 'password',
      sessionId: 'sess-d1',
      ip: '192.0.2.44',
    };
    expect((await server.request('/v1/auth-events', { method: 'POST', json: signIn })).status).toBe(201);
    await expect.poll(() => received('ev-d1').length, { timeout: 20_000 }).toBeGreaterThan(0);
    expect(received('ev-d1')[0]).toMatchObject({
      actor: { id: 'u-d1', username: 'dee.one' },
      ip: '192.0.2.44',
    });
    await expect.poll(() => received('in-d1').length, { timeout: 20_000 }).toBeGreaterThan(0);
    expect(received('in-d1')[0]).toMatchObject({
      user: { id: 'u-d1', username: 'dee.one' },
      ip: '192.0.2.44',
    });

    expect((await server.request('/v1/erasures', { method: 'POST', json: { actorId: 'u-d1' } })).status).toBe(
      201,
    );
    const replay = await server.request(`/v1/destinations/${created.destination.id}/replay`, {
      method: 'POST',
      json: { fromSeq: 1 },
    });
    expect(replay.status).toBe(200);
    await expect.poll(() => received('ev-d1').length, { timeout: 20_000 }).toBeGreaterThan(1);
    expect(received('ev-d1').at(-1)).toMatchObject({
      actor: { id: '[erased]', username: '[erased]' },
      ip: '[erased]',
    });
    await expect.poll(() => received('in-d1').length, { timeout: 20_000 }).toBeGreaterThan(1);
    expect(received('in-d1').at(-1)).toMatchObject({ user: { username: '[erased]' }, ip: '[erased]' });
    expect(receiver.rejected).toBe(0);
  });
});
