// Rotating a webhook's signing secret (POST /v1/destinations/{id}/rotate-secret): the new secret is answered
// once and never stored in clear; during the overlap the old keys sign too, so a receiver still holding the
// old secret (verified with the `standardwebhooks` library) keeps taking deliveries; without an overlap it
// refuses them until it trusts the new secret. The rotation is an audit event with fingerprints only.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { occurrences } from '../helpers/stored-bytes.js';
import { json, sampleEvent, startTestServer, type TestServer } from '../helpers/test-server.js';
import { WebhookReceiver } from '../helpers/webhook-receiver.js';

let server: TestServer;
let receiver: WebhookReceiver;
let id: string;

beforeAll(async () => {
  [server, receiver] = await Promise.all([startTestServer(), WebhookReceiver.start()]);
  server.log.delivery.start({
    pollMs: 50,
    leaseMs: 2000,
    retry: { baseDelayMs: 40, maxDelayMs: 200, maxFailures: 1000 },
  });
  const res = await server.request('/v1/destinations', {
    method: 'POST',
    json: { kind: 'webhook', name: 'SIEM', url: receiver.url, filter: { streams: ['admin'] } },
  });
  const body = await json(res);
  id = body.destination.id;
  receiver.trust(body.secret, body.destination.publicKey);
});
afterAll(async () => {
  await server?.close();
  await receiver?.close();
});

/** Records one event and waits until the receiver has verified and taken it. */
async function deliveredNow(label: string): Promise<void> {
  const event = sampleEvent({ target: { type: 'Carrier', id: label } });
  expect((await server.request('/v1/events', { method: 'POST', json: event })).status).toBe(201);
  await expect
    .poll(() => receiver.entries().some((e) => (e.target as { id?: string })?.id === label), {
      timeout: 10_000,
    })
    .toBe(true);
}

const rotate = (body: unknown, token?: string) =>
  server.request(`/v1/destinations/${id}/rotate-secret`, {
    method: 'POST',
    json: body,
    ...(token ? { token } : {}),
  });

it('answers a new secret once; the old keys keep signing during the overlap', async () => {
  await deliveredNow('before');
  const before = await json(await server.request(`/v1/destinations/${id}`));
  const res = await rotate({ overlapSeconds: 600 });
  expect(res.status).toBe(200);
  const { destination, secret } = await json(res);
  expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
  expect(destination.secretFingerprint).not.toBe(before.secretFingerprint);
  expect(destination.publicKey).not.toBe(before.publicKey);
  // The receiver still trusts the old secret and public key: it verifies (rejects nothing).
  await deliveredNow('overlap-old-keys');
  expect(receiver.rejected).toBe(0);
  receiver.trust(secret, destination.publicKey);
  await deliveredNow('overlap-new-keys');
  expect(receiver.rejected).toBe(0);

  const listed = await (await server.request('/v1/destinations')).text();
  expect(listed).not.toContain(secret.slice(6));
  expect(occurrences(await server.storedBytes(), [secret.slice(6)])).toEqual([]);
});

it('without an overlap, the old secret no longer verifies until the receiver takes the new one', async () => {
  const res = await rotate({ overlapSeconds: 0 });
  expect(res.status).toBe(200);
  const { destination, secret } = await json(res);
  const event = sampleEvent({ target: { type: 'Carrier', id: 'after-hard-rotation' } });
  expect((await server.request('/v1/events', { method: 'POST', json: event })).status).toBe(201);
  await expect.poll(() => receiver.rejected, { timeout: 10_000 }).toBeGreaterThan(0);
  expect(receiver.entries().some((e) => (e.target as { id?: string })?.id === 'after-hard-rotation')).toBe(
    false,
  );
  receiver.trust(secret, destination.publicKey);
  await expect
    .poll(() => receiver.entries().some((e) => (e.target as { id?: string })?.id === 'after-hard-rotation'), {
      timeout: 10_000,
    })
    .toBe(true);
});

it('is recorded as an audit event with fingerprints, never the secret', async () => {
  const events = (await json(await server.request('/v1/events?category=security&limit=100'))).events as {
    eventType: string;
    newValue: Record<string, unknown>;
  }[];
  const rotations = events.filter((e) => e.eventType === 'auditlog.destination_secret_rotated');
  expect(rotations).toHaveLength(2);
  for (const r of rotations) {
    expect(Object.keys(r.newValue).sort()).toEqual(['oldKeysSignUntil', 'publicKey', 'secretFingerprint']);
    expect(JSON.stringify(r)).not.toContain('whsec_');
  }
});

it('refuses what cannot be rotated, naming the field; needs the admin scope', async () => {
  const bad = await rotate({ overlapSeconds: 100_000 });
  expect(bad.status).toBe(400);
  expect((await json(bad)).error.details[0].path).toBe('/overlapSeconds');
  const syslog = await json(
    await server.request('/v1/destinations', {
      method: 'POST',
      json: { kind: 'syslog', name: 'rsyslog', host: '127.0.0.1', port: 9 },
    }),
  );
  const res = await server.request(`/v1/destinations/${syslog.destination.id}/rotate-secret`, {
    method: 'POST',
    json: {},
  });
  expect(res.status).toBe(400);
  expect((await json(res)).error.details).toEqual([
    { path: '/kind', message: 'a syslog destination has no secret to rotate' },
  ]);
  expect(
    (await server.request('/v1/destinations/nope/rotate-secret', { method: 'POST', json: {} })).status,
  ).toBe(404);
  const reader = await server.token('default', ['read']);
  expect((await rotate({}, reader)).status).toBe(403);
});
