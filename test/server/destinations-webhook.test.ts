// Stream destinations end to end: a webhook destination created through the API delivers the log to a real
// HTTP receiver that verifies every delivery with the `standardwebhooks` library (and v1a with the public key
// only); a receiver that is down for a while misses nothing and sees duplicates only by id; pause, resume,
// replay, a filter, test-send; a destination that keeps failing is paused with its error; secrets never
// appear in clear; every change is an audit event.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { occurrences } from '../helpers/stored-bytes.js';
import { json, sampleEvent, startTestServer, type TestServer } from '../helpers/test-server.js';
import { WebhookReceiver } from '../helpers/webhook-receiver.js';

let server: TestServer;
let receiver: WebhookReceiver;
const FAST = { pollMs: 50, leaseMs: 2000, retry: { baseDelayMs: 40, maxDelayMs: 200, maxFailures: 1000 } };

beforeAll(async () => {
  [server, receiver] = await Promise.all([startTestServer(), WebhookReceiver.start()]);
  server.log.delivery.start(FAST);
});
afterAll(async () => {
  await server?.close();
  await receiver?.close();
});

async function post(n: number, from: number, tenant?: string): Promise<void> {
  const events = Array.from({ length: n }, (_, i) =>
    sampleEvent({ target: { type: 'Carrier', id: `trunk-${from + i}` } }),
  );
  const res = await server.request('/v1/events', {
    method: 'POST',
    json: { events },
    ...(tenant ? { token: tenant } : {}),
  });
  expect(res.status).toBe(201);
}

/** The distinct administrative events received, by target id, in the order first received. */
const carriers = () => {
  const seen = new Map<string, Record<string, unknown>>();
  for (const e of receiver.entries()) {
    const target = e.target as { type: string; id: string } | undefined;
    if (target?.type === 'Carrier' && !seen.has(e.id as string)) seen.set(e.id as string, e);
  }
  return [...seen.values()];
};

let destinationId: string;

describe('a webhook destination', () => {
  it('is created with a secret shown once, never listed and never stored in clear', async () => {
    const res = await server.request('/v1/destinations', {
      method: 'POST',
      json: {
        kind: 'webhook',
        name: 'SIEM',
        url: receiver.url,
        filter: { streams: ['admin'] },
        batchSize: 25,
      },
    });
    expect(res.status).toBe(201);
    const body = await json(res);
    expect(body.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(body.destination).toMatchObject({
      kind: 'webhook',
      name: 'SIEM',
      state: 'active',
      format: 'json',
    });
    expect(body.destination.publicKey).toMatch(/^whpk_/);
    destinationId = body.destination.id;
    receiver.trust(body.secret, body.destination.publicKey);
    const listed = await (await server.request('/v1/destinations')).text();
    expect(listed).toContain(destinationId);
    expect(listed).not.toContain(body.secret.slice(6));
    const stored = await server.storedBytes();
    expect(occurrences(stored, [destinationId])).not.toEqual([]);
    expect(occurrences(stored, [body.secret.slice(6)])).toEqual([]);
  });

  it('delivers every matching event in seq order, verified by the receiver, sign-ins filtered out', async () => {
    await post(40, 0);
    const auth = await server.request('/v1/auth-events', {
      method: 'POST',
      json: {
        type: 'login_success',
        user: { username: 'jane' },
        method: 'password',
        sessionId: 's-1',
        ip: '10.0.0.9',
      },
    });
    expect(auth.status).toBe(201);
    await expect.poll(() => carriers().length, { timeout: 15_000 }).toBe(40);
    const seqs = carriers().map((e) => e.seq as number);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(receiver.rejected).toBe(0);
    expect(receiver.entries().every((e) => e.stream === 'admin')).toBe(true);
    // Batches are JSON arrays of at most batchSize entries.
    expect(Math.max(...receiver.deliveries.map((d) => d.entries.length))).toBeLessThanOrEqual(25);
    await expect
      .poll(
        async () =>
          (await json(await server.request(`/v1/destinations/${destinationId}`))).status.eventsBehind,
      )
      .toBe(0);
  });

  it('misses nothing while the receiver is down; duplicates are identifiable by id', async () => {
    receiver.down();
    await post(30, 100);
    await expect
      .poll(async () => (await json(await server.request(`/v1/destinations/${destinationId}`))).status, {
        timeout: 15_000,
      })
      .toMatchObject({ failures: expect.any(Number), lastError: 'The receiver answered HTTP 503' });
    const status = (await json(await server.request(`/v1/destinations/${destinationId}`))).status;
    expect(status.eventsBehind).toBeGreaterThanOrEqual(30);
    expect(status.secondsBehind).toBeGreaterThan(0);
    await post(10, 200); // more arrive while it is down
    receiver.up();
    await expect.poll(() => carriers().length, { timeout: 15_000 }).toBe(80);
    // A copy is the same entry: same id, same seq, same content.
    const byId = new Map<unknown, string>();
    for (const e of receiver.entries()) {
      const text = JSON.stringify(e);
      expect(byId.get(e.id) ?? text).toBe(text);
      byId.set(e.id, text);
    }
    // Nothing missing: every administrative event of the log (since the destination was created) arrived.
    const received = new Set(receiver.entries().map((e) => e.id));
    const stored = (await json(await server.request('/v1/events?limit=500'))).events;
    expect(stored.length).toBeGreaterThan(80);
    expect(stored.filter((e: { id: string }) => !received.has(e.id))).toEqual([]);
    await expect
      .poll(async () => (await json(await server.request(`/v1/destinations/${destinationId}`))).status)
      .toMatchObject({ failures: 0, lastError: null, eventsBehind: 0 });
  });

  it('pauses, keeps entries waiting, and resumes where it stopped', async () => {
    const paused = await server.request(`/v1/destinations/${destinationId}/pause`, { method: 'POST' });
    expect(paused.status).toBe(200);
    expect(await json(paused)).toMatchObject({ state: 'paused', pausedReason: 'paused by an administrator' });
    const before = carriers().length;
    await post(5, 300);
    await new Promise((r) => setTimeout(r, 300));
    expect(carriers().length).toBe(before);
    const resumed = await server.request(`/v1/destinations/${destinationId}/resume`, { method: 'POST' });
    expect(await json(resumed)).toMatchObject({ state: 'active', pausedReason: null });
    await expect.poll(() => carriers().length, { timeout: 15_000 }).toBe(before + 5);
  });

  it('replays from a seq and from a time: the same ids again', async () => {
    const first = carriers()[0]!;
    const count = receiver.entries().filter((e) => e.id === first.id).length;
    const res = await server.request(`/v1/destinations/${destinationId}/replay`, {
      method: 'POST',
      json: { fromSeq: first.seq },
    });
    expect(res.status).toBe(200);
    expect((await json(res)).status.deliveredSeq).toBe((first.seq as number) - 1);
    await expect
      .poll(() => receiver.entries().filter((e) => e.id === first.id).length, { timeout: 15_000 })
      .toBe(count + 1);
    const byTime = await server.request(`/v1/destinations/${destinationId}/replay`, {
      method: 'POST',
      json: { fromTime: first.receivedAt },
    });
    expect((await json(byTime)).status.deliveredSeq).toBeLessThan(first.seq as number);
    // A fromTime between two milliseconds is exact (rounded up): the first entry, received before it, is not
    // sent again (truncated, the bound was its receivedAt and it was).
    const justAfter = await server.request(`/v1/destinations/${destinationId}/replay`, {
      method: 'POST',
      json: { fromTime: (first.receivedAt as string).replace('Z', '0001Z') },
    });
    expect((await json(justAfter)).status.deliveredSeq).toBeGreaterThanOrEqual(first.seq as number);
    const bad = await server.request(`/v1/destinations/${destinationId}/replay`, {
      method: 'POST',
      json: {},
    });
    expect(bad.status).toBe(400);
    expect((await json(bad)).error.details[0].path).toBe('/fromSeq');
    // Past the newest entry: refused, and the destination's cursor does not jump there.
    const past = await server.request(`/v1/destinations/${destinationId}/replay`, {
      method: 'POST',
      json: { fromSeq: 999_999 },
    });
    expect(past.status).toBe(400);
    expect((await json(past)).error.details[0]).toMatchObject({
      path: '/fromSeq',
      message: expect.stringContaining('past the newest entry'),
    });
    const status = (await json(await server.request(`/v1/destinations/${destinationId}`))).status;
    expect(status.deliveredSeq).toBeLessThan(999_998);
  });

  it('test-sends one entry the receiver verifies', async () => {
    const res = await server.request(`/v1/destinations/${destinationId}/test`, { method: 'POST' });
    expect(res.status).toBe(200);
    expect(await json(res)).toMatchObject({ delivered: true, error: null });
    expect(receiver.entries().some((e) => e.eventType === 'auditlog.destination_test')).toBe(true);
  });

  it('records every change as an audit event, never with the secret', async () => {
    const res = await server.request('/v1/events?category=security&limit=100');
    const types = (await json(res)).events.map((e: { eventType: string }) => e.eventType);
    for (const t of ['created', 'paused', 'resumed', 'replayed'])
      expect(types).toContain(`auditlog.destination_${t}`);
  });

  it('pauses a destination that keeps failing, with its error visible', async () => {
    await server.log.delivery.stop();
    server.log.delivery.start({ ...FAST, retry: { ...FAST.retry, maxFailures: 3 } });
    const res = await server.request('/v1/destinations', {
      method: 'POST',
      json: { kind: 'webhook', name: 'Nowhere', url: 'http://127.0.0.1:9/nothing-listens' },
    });
    const id = (await json(res)).destination.id;
    await post(1, 400);
    await expect
      .poll(async () => (await json(await server.request(`/v1/destinations/${id}`))).state, {
        timeout: 15_000,
      })
      .toBe('paused');
    const d = await json(await server.request(`/v1/destinations/${id}`));
    expect(d.pausedReason).toMatch(/^paused after 3 failed attempts: /);
    expect(d.status).toMatchObject({ failures: 3, lastError: expect.any(String) });
    // The pause's record was written with it and is appended right after it commits: it may follow the read.
    const pausedBy = async () =>
      (await json(await server.request('/v1/events?eventType=auditlog.destination_paused'))).events.map(
        (e: { actor: { id: string } }) => e.actor.id,
      );
    await expect.poll(pausedBy).toContain('auditlog:delivery');
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toMatch(
      new RegExp(
        `auditlog_destination_lag_entries\\{tenant="default",destination="${id}",state="paused"\\} [1-9]`,
      ),
    );
    expect(metrics).toMatch(/auditlog_destination_failures_total\{kind="webhook"\} [1-9]/);
    expect(metrics).toMatch(/auditlog_destination_delivered_total\{kind="webhook"\} [1-9]/);
  });

  it('refuses bad settings naming the field, and another tenant sees none', async () => {
    const bad = async (body: unknown, path: string) => {
      const res = await server.request('/v1/destinations', { method: 'POST', json: body });
      expect(res.status).toBe(400);
      expect((await json(res)).error.details.map((d: { path: string }) => d.path)).toContain(path);
    };
    await bad({ kind: 'webhook', name: 'x' }, '/url');
    await bad({ kind: 'webhook', name: 'x', url: 'ftp://a' }, '/url');
    // fetch cannot send to a URL with credentials: every delivery would fail, and the password show.
    await bad({ kind: 'webhook', name: 'x', url: 'https://u:pw@siem.example/h' }, '/url');
    await bad({ kind: 'webhook', name: 'x', url: 'https://user@siem.example/h' }, '/url');
    await bad({ kind: 'webhook', name: 'x', url: 'http://a', format: 'cef' }, '/format');
    await bad({ kind: 'webhook', name: 'x', url: 'http://a', bogus: 1 }, '/bogus');
    await bad({ kind: 'syslog', name: 'x', host: 'h' }, '/port');
    await bad(
      { kind: 'webhook', name: 'x', url: 'http://a', filter: { categories: ['nope'] } },
      '/filter/categories/0',
    );
    // An event type no entry can have (a typo, another case, a space) would silently deliver nothing.
    for (const type of ['Login_Failure', 'bogus type', 'user'])
      await bad(
        {
          kind: 'webhook',
          name: 'x',
          url: 'http://a',
          filter: { eventTypes: ['login_failure', 'user.changed', type] },
        },
        '/filter/eventTypes/2',
      );
    const patch = await server.request(`/v1/destinations/${destinationId}`, {
      method: 'PATCH',
      json: { port: 5 },
    });
    expect(patch.status).toBe(400);
    const other = await server.token('other-tenant', ['admin']);
    expect((await server.request(`/v1/destinations/${destinationId}`, { token: other })).status).toBe(404);
    expect(await json(await server.request('/v1/destinations', { token: other }))).toEqual({
      destinations: [],
    });
    const reader = await server.token('default', ['read']);
    expect((await server.request('/v1/destinations', { token: reader })).status).toBe(403);
  });

  it('updates and deletes', async () => {
    const res = await server.request(`/v1/destinations/${destinationId}`, {
      method: 'PATCH',
      json: { name: 'SIEM 2', format: 'ocsf' },
    });
    expect(res.status).toBe(200);
    expect(await json(res)).toMatchObject({ name: 'SIEM 2', format: 'ocsf', url: receiver.url });
    expect((await server.request(`/v1/destinations/${destinationId}`, { method: 'DELETE' })).status).toBe(
      204,
    );
    expect((await server.request(`/v1/destinations/${destinationId}`)).status).toBe(404);
    const events = (await json(await server.request('/v1/events?category=security&limit=100'))).events;
    expect(events.map((e: { eventType: string }) => e.eventType)).toEqual(
      expect.arrayContaining(['auditlog.destination_updated', 'auditlog.destination_deleted']),
    );
  });
});
