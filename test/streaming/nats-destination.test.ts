// NATS JetStream destinations end to end against the nats-server of this machine (127.0.0.1:4222, JetStream):
// every entry is a message on the subject with its id as Nats-Msg-Id, so the stream drops a resent entry; with
// the stream gone for a while (publishes fail), nothing is missing once it is back.
import { randomBytes } from 'node:crypto';
import { type JetStreamManager, jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeIfPossible } from '../helpers/describe-if-possible.js';
import { json, sampleEvent, startTestServer, type TestServer } from '../helpers/test-server.js';

const NATS = process.env.AUDITLOG_TEST_NATS_URL ?? 'nats://127.0.0.1:4222';

async function natsUnavailable(): Promise<string | null> {
  try {
    const nc = await connect({ servers: NATS, timeout: 2000, reconnect: false });
    try {
      await (await jetstreamManager(nc)).getAccountInfo();
      return null;
    } finally {
      await nc.close();
    }
  } catch (error) {
    return `no NATS server with JetStream at ${NATS} (${(error as Error).message})`;
  }
}

describeIfPossible(
  'NATS JetStream destinations',
  `a nats-server with JetStream at ${NATS}`,
  natsUnavailable,
  () => {
    const suffix = randomBytes(4).toString('hex');
    const stream = `AUDITLOG_TEST_${suffix}`;
    const subject = `auditlog.test.${suffix}`;
    let server: TestServer;
    let nc: NatsConnection;
    let jsm: JetStreamManager;

    beforeAll(async () => {
      [server, nc] = await Promise.all([startTestServer(), connect({ servers: NATS })]);
      jsm = await jetstreamManager(nc);
      await jsm.streams.add({ name: stream, subjects: [subject] });
      server.log.delivery.start({
        pollMs: 50,
        leaseMs: 2000,
        retry: { baseDelayMs: 40, maxDelayMs: 200, maxFailures: 1000 },
      });
    });
    afterAll(async () => {
      await server?.close();
      await jsm?.streams.delete(stream).catch(() => {});
      await nc?.close();
    });

    /** Every message of the stream: its Nats-Msg-Id and its JSON. */
    async function messages(): Promise<{ msgId: string | undefined; body: Record<string, unknown> }[]> {
      const info = await jsm.streams.info(stream).catch(() => null);
      const out = [];
      for (let seq = info?.state.first_seq ?? 1; info && seq <= info.state.last_seq; seq++) {
        const m = await jsm.streams.getMessage(stream, { seq });
        if (m) out.push({ msgId: m.header?.get('Nats-Msg-Id'), body: m.json<Record<string, unknown>>() });
      }
      return out;
    }
    const post = async (n: number, from: number) => {
      const events = Array.from({ length: n }, (_, i) =>
        sampleEvent({ target: { type: 'Carrier', id: `trunk-${from + i}` } }),
      );
      const res = await server.request('/v1/events', { method: 'POST', json: { events } });
      expect(res.status).toBe(201);
      return (await json(res)).events.map((e: { id: string }) => e.id) as string[];
    };

    it('publishes each entry with its id as Nats-Msg-Id; a stream gone for a while misses nothing', async () => {
      const res = await server.request('/v1/destinations', {
        method: 'POST',
        json: {
          kind: 'nats',
          name: 'Fan-out',
          servers: NATS,
          subject,
          format: 'ocsf',
          filter: { streams: ['admin'] },
        },
      });
      expect(res.status, await res.clone().text()).toBe(201);
      const id = (await json(res)).destination.id;
      const first = await post(10, 0);
      await expect.poll(async () => (await messages()).length, { timeout: 15_000 }).toBe(11); // + destination_created
      const got = await messages();
      for (const m of got) expect(m.msgId).toBe((m.body.metadata as { uid: string }).uid);
      expect(got.map((m) => m.msgId)).toEqual(expect.arrayContaining(first));

      await jsm.streams.delete(stream); // the receiver is gone: publishes fail
      const during = await post(10, 100);
      await expect
        .poll(async () => (await json(await server.request(`/v1/destinations/${id}`))).status.lastError, {
          timeout: 15_000,
        })
        .not.toBeNull();
      await jsm.streams.add({ name: stream, subjects: [subject] });
      await expect
        .poll(async () => (await messages()).map((m) => m.msgId), { timeout: 15_000 })
        .toEqual(during);
      // A replay resends with the same ids: the stream drops those it has as duplicates.
      await server.request(`/v1/destinations/${id}/replay`, { method: 'POST', json: { fromSeq: 1 } });
      await expect
        .poll(async () => (await json(await server.request(`/v1/destinations/${id}`))).status.eventsBehind, {
          timeout: 15_000,
        })
        .toBe(0);
      // The new stream had not seen the first entries (they come in again), but sees each entry once.
      const ids = (await messages()).map((m) => m.msgId);
      expect(ids).toEqual(expect.arrayContaining([...first, ...during]));
      expect(new Set(ids).size).toBe(ids.length);
    });

    it('names the missing stream when no stream takes the subject (JetStream is enabled)', async () => {
      const res = await server.request('/v1/destinations', {
        method: 'POST',
        json: { kind: 'nats', name: 'No stream', servers: NATS, subject: `auditlog.nostream.${suffix}` },
      });
      expect(res.status, await res.clone().text()).toBe(201);
      const id = (await json(res)).destination.id;
      const test = await json(await server.request(`/v1/destinations/${id}/test`, { method: 'POST' }));
      expect(test.delivered).toBe(false);
      expect(test.error).toContain(`No JetStream stream takes the subject 'auditlog.nostream.${suffix}'`);
      expect(test.error).not.toMatch(/not enabled/);
      expect((await server.request(`/v1/destinations/${id}`, { method: 'DELETE' })).status).toBe(204);
    });
  },
);
