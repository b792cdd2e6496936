// Destination settings as the API keeps and shows them: a changed target starts its backoff again; an empty
// `streams` filter means all, as the docs say; a webhook URL's query credentials are masked on read and kept
// when the masked URL is sent back.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, sampleEvent, startTestServer, type TestServer } from '../helpers/test-server.js';
import { WebhookReceiver } from '../helpers/webhook-receiver.js';

let server: TestServer;
let receiver: WebhookReceiver;

beforeAll(async () => {
  [server, receiver] = await Promise.all([startTestServer(), WebhookReceiver.start()]);
  // A backoff long enough that only a reset lets a delivery happen within the test.
  server.log.delivery.start({
    pollMs: 50,
    leaseMs: 2000,
    retry: { baseDelayMs: 120_000, maxDelayMs: 300_000, maxFailures: 1000 },
  });
});
afterAll(async () => {
  await server?.close();
  await receiver?.close();
});

const create = async (body: Record<string, unknown>) => {
  const res = await server.request('/v1/destinations', {
    method: 'POST',
    json: { kind: 'webhook', ...body },
  });
  expect(res.status, await res.clone().text()).toBe(201);
  return json(res);
};
const get = async (id: string) => json(await server.request(`/v1/destinations/${id}`));
const patch = (id: string, body: unknown) =>
  server.request(`/v1/destinations/${id}`, { method: 'PATCH', json: body });

describe('destination settings', () => {
  it('starts the backoff again when the URL changes', async () => {
    const created = await create({ name: 'Moved', url: 'http://127.0.0.1:9/nothing-listens' });
    const id = created.destination.id as string;
    receiver.trust(created.secret, created.destination.publicKey);
    // Generous: a loaded CI machine once took over 15 s to make the first attempt.
    await expect.poll(async () => (await get(id)).status.failures, { timeout: 30_000 }).toBeGreaterThan(0);
    expect(Date.parse((await get(id)).status.nextAttemptAt) - Date.now()).toBeGreaterThan(30_000);

    const res = await patch(id, { url: receiver.url });
    expect(res.status).toBe(200);
    expect((await json(res)).status).toMatchObject({ failures: 0 });
    // Delivered now, not two minutes later: its own destination_created event reaches the new receiver.
    await expect.poll(async () => (await get(id)).status.eventsBehind, { timeout: 10_000 }).toBe(0);
    expect(receiver.entries().some((e) => e.eventType === 'auditlog.destination_created')).toBe(true);

    // A change that keeps the target (the name) leaves a backoff alone.
    const other = await create({ name: 'Still down', url: 'http://127.0.0.1:9/nothing-listens' });
    const otherId = other.destination.id as string;
    await expect
      .poll(async () => (await get(otherId)).status.failures, { timeout: 30_000 })
      .toBeGreaterThan(0);
    // Compared with what was there just before (a loaded CI machine once saw a second failure before the poll
    // read the first): the rename neither clears the count nor the time of the next attempt.
    const before = (await get(otherId)).status;
    const renamed = (await json(await patch(otherId, { name: 'Still down 2' }))).status;
    expect(renamed.failures).toBe(before.failures);
    expect(renamed.nextAttemptAt).toBe(before.nextAttemptAt);
    expect((await server.request(`/v1/destinations/${otherId}`, { method: 'DELETE' })).status).toBe(204);
  }, 120_000);

  it('takes an empty streams filter as all, as the docs say', async () => {
    const created = await create({ name: 'All', url: receiver.url, filter: { streams: [] } });
    receiver.trust(created.secret, created.destination.publicKey);
    expect(created.destination.filter).toEqual({ streams: [] });
    const id = created.destination.id as string;
    // A first delivery may have raced the trust above (refused, then a two-minute backoff): start again.
    expect((await server.request(`/v1/destinations/${id}/resume`, { method: 'POST' })).status).toBe(200);
    const ev = await server.request('/v1/events', {
      method: 'POST',
      json: { events: [sampleEvent({ target: { type: 'Carrier', id: 'empty-streams' } })] },
    });
    expect(ev.status).toBe(201);
    const auth = await server.request('/v1/auth-events', {
      method: 'POST',
      json: { type: 'logout', user: { username: 'empty-streams' }, ip: '10.0.0.2', sessionId: 's-empty' },
    });
    expect(auth.status, await auth.clone().text()).toBe(201);
    await expect.poll(async () => (await get(id)).status.eventsBehind, { timeout: 10_000 }).toBe(0);
    const got = receiver.entries();
    expect(got.some((e) => (e.target as { id?: string } | undefined)?.id === 'empty-streams')).toBe(true);
    expect(got.some((e) => (e.user as { username?: string } | undefined)?.username === 'empty-streams')).toBe(
      true,
    );
    expect((await patch(id, { filter: { streams: [], eventTypes: [] } })).status).toBe(200);
  });

  it('masks query credentials of a webhook URL on read, and keeps them when the masked URL comes back', async () => {
    const url = `${receiver.url}?dd-api-key=0123456789abcdef0123&token=tok-Secret-42&region=eu`;
    const created = await create({ name: 'Query keys', url });
    receiver.trust(created.secret, created.destination.publicKey);
    const id = created.destination.id as string;
    const masked = `${receiver.url}?dd-api-key=********&token=********&region=eu`;
    expect(created.destination.url).toBe(masked);
    expect((await get(id)).url).toBe(masked);
    const listed = await (await server.request('/v1/destinations')).text();
    expect(listed).not.toContain('0123456789abcdef0123');
    expect(listed).not.toContain('tok-Secret-42');

    // A form sends the URL as shown: the stored credentials stay, and deliveries still carry them.
    expect((await patch(id, { url: masked, name: 'Query keys 2' })).status).toBe(200);
    expect((await server.log.destinations.find('default', id)).settings.url).toBe(url);
    // A new value replaces the old one.
    const changed = `${receiver.url}?dd-api-key=fedcba9876543210fedc&token=********&region=us`;
    expect((await json(await patch(id, { url: changed }))).url).toBe(
      `${receiver.url}?dd-api-key=********&token=********&region=us`,
    );
    expect((await server.log.destinations.find('default', id)).settings.url).toBe(
      `${receiver.url}?dd-api-key=fedcba9876543210fedc&token=tok-Secret-42&region=us`,
    );
  });
});
