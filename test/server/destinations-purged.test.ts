// A destination whose cursor lies before a purged entry goes on delivering: the purged entry (a tombstone, no
// content left) is skipped, as exports leave it out, and what follows arrives — after a resume and after a
// replay over it; with personal data encrypted, an erased subject's entry arrives erased. Any failure of a run
// that is not the send (here: keys that no longer open) is the destination's lastError, retried with backoff.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, sampleEvent, startTestServer, type TestServer } from '../helpers/test-server.js';
import { WebhookReceiver } from '../helpers/webhook-receiver.js';

const FAST = { pollMs: 50, leaseMs: 2000, retry: { baseDelayMs: 40, maxDelayMs: 200, maxFailures: 1000 } };
let plain: TestServer;
let encrypted: TestServer;
let receiver: WebhookReceiver;

beforeAll(async () => {
  [plain, encrypted, receiver] = await Promise.all([
    startTestServer(),
    startTestServer({ personalData: { encrypt: true } }),
    WebhookReceiver.start(),
  ]);
  plain.log.delivery.start(FAST);
  encrypted.log.delivery.start(FAST);
});
afterAll(async () => {
  await plain?.close();
  await encrypted?.close();
  await receiver?.close();
});

const ok = async (res: Response, status = 200) => {
  expect(res.status, await res.clone().text()).toBe(status);
  return status === 204 ? null : json(res);
};
const received = (id: string) => receiver.entries().filter((e) => e.id === id);

/** A webhook destination to `receiver`, caught up, then paused. */
async function pausedDestination(server: TestServer): Promise<string> {
  const created = await ok(
    await server.request('/v1/destinations', {
      method: 'POST',
      json: { kind: 'webhook', name: 'SIEM', url: receiver.url },
    }),
    201,
  );
  receiver.trust(created.secret, created.destination.publicKey);
  const id = created.destination.id as string;
  const status = async () => (await ok(await server.request(`/v1/destinations/${id}`))).status;
  await expect.poll(async () => (await status()).eventsBehind, { timeout: 20_000 }).toBe(0);
  await ok(await server.request(`/v1/destinations/${id}/pause`, { method: 'POST' }));
  return id;
}

/** Records an event too old for a 30-day policy and a current one, then purges the old one. */
async function purgeBehind(server: TestServer, prefix: string, current: Record<string, unknown> = {}) {
  await ok(await server.request('/v1/retention/policies', { method: 'PUT', json: { maxAgeDays: 30 } }));
  const old = sampleEvent({ id: `${prefix}-old`, occurredAt: '2019-01-01T00:00:00Z' });
  const now = sampleEvent({ id: `${prefix}-now`, ...current });
  await ok(await server.request('/v1/events', { method: 'POST', json: { events: [old, now] } }), 201);
  expect((await ok(await server.request('/v1/purges', { method: 'POST' }))).purged).toBeGreaterThanOrEqual(1);
}

async function caughtUp(server: TestServer, id: string) {
  const status = async () => (await ok(await server.request(`/v1/destinations/${id}`))).status;
  await expect.poll(async () => (await status()).eventsBehind, { timeout: 20_000 }).toBe(0);
  expect(await status()).toMatchObject({ lastError: null, failures: 0 });
}

describe('delivery across purged entries', () => {
  it('skips a purged entry after a resume and a replay, and delivers what follows', async () => {
    const id = await pausedDestination(plain);
    await purgeBehind(plain, 'pg');
    await ok(await plain.request(`/v1/destinations/${id}/resume`, { method: 'POST' }));
    await caughtUp(plain, id);
    expect(received('pg-now')).toHaveLength(1);
    expect(received('pg-old')).toHaveLength(0);

    // New events keep arriving.
    await ok(
      await plain.request('/v1/events', { method: 'POST', json: sampleEvent({ id: 'pg-later' }) }),
      201,
    );
    await expect.poll(() => received('pg-later').length, { timeout: 20_000 }).toBe(1);

    // A replay over the purged seq delivers the rest again, never the purged entry.
    await ok(await plain.request(`/v1/destinations/${id}/replay`, { method: 'POST', json: { fromSeq: 1 } }));
    await expect.poll(() => received('pg-later').length, { timeout: 20_000 }).toBe(2);
    await caughtUp(plain, id);
    expect(received('pg-now')).toHaveLength(2);
    expect(received('pg-old')).toHaveLength(0);
    expect(receiver.rejected).toBe(0);
    await ok(await plain.request(`/v1/destinations/${id}`, { method: 'DELETE' }), 204);
  });

  it('delivers an erased subject’s entry erased, past a purged one, with personal data encrypted', async () => {
    const id = await pausedDestination(encrypted);
    await purgeBehind(encrypted, 'enc', { actor: { id: 'u-gone', username: 'gone.user' }, ip: '192.0.2.9' });
    await ok(await encrypted.request('/v1/erasures', { method: 'POST', json: { actorId: 'u-gone' } }), 201);
    await ok(await encrypted.request(`/v1/destinations/${id}/resume`, { method: 'POST' }));
    await caughtUp(encrypted, id);
    expect(received('enc-old')).toHaveLength(0);
    expect(received('enc-now')).toHaveLength(1);
    expect(received('enc-now')[0]).toMatchObject({ actor: { id: '[erased]' }, ip: '[erased]' });
    await ok(await encrypted.request(`/v1/destinations/${id}`, { method: 'DELETE' }), 204);
  });

  it('records a run that fails before any send as the destination’s error, and retries it', async () => {
    const id = await pausedDestination(plain);
    const store = plain.log.store;
    const before = await plain.log.destinations.find('default', id);
    // Keys sealed under another store key: opening them throws in the run, before anything is sent.
    const foreign = 'v1.AAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAA==.AAAA';
    await store.destinations.update('default', id, {
      secrets: {
        secretBox: foreign,
        publicKey: before.publicKey as string,
        secretFingerprint: before.secretFingerprint as string,
      },
      updatedMs: Date.now(),
    });
    await ok(
      await plain.request('/v1/events', { method: 'POST', json: sampleEvent({ id: 'keys-gone' }) }),
      201,
    );
    await ok(await plain.request(`/v1/destinations/${id}/resume`, { method: 'POST' }));
    const status = async () => (await ok(await plain.request(`/v1/destinations/${id}`))).status;
    await expect.poll(async () => (await status()).failures, { timeout: 20_000 }).toBeGreaterThan(1);
    expect((await status()).lastError).toContain('cannot be opened');
    expect(received('keys-gone')).toHaveLength(0);
    await ok(await plain.request(`/v1/destinations/${id}`, { method: 'DELETE' }), 204);
  });
});
