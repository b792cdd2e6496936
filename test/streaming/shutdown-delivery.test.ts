// `auditlog serve` stopped (SIGTERM) while a webhook receiver hangs — it accepts the connection and the
// request, and never answers: the process exits within 2 s, not after the send's 10 s timeout, and the batch
// in flight stays undelivered (the cursor does not move, no failure is counted); the next start sends it.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { type AddressInfo, createServer as createTcpServer } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { OutgoingEntry } from '../../src/core/domain/destination-payload.js';
import { SyslogSender } from '../../src/core/services/delivery/syslog-sender.js';
import { type ServerProcess, startServerProcess } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp-dir.js';
import { sampleEvent } from '../helpers/test-server.js';

const TOKEN = 'Hq7v_pqHX1945_QbjAGZxMztyIxRQIhC';

/** Receives webhook batches: hangs (reads the request, never answers) until `answer` is set. */
class HangingReceiver {
  readonly bodies: unknown[][] = [];
  hung = 0;
  answer = false;
  readonly #server: Server;
  private constructor(server: Server) {
    this.#server = server;
  }
  static async start(): Promise<HangingReceiver> {
    const server = createServer();
    const receiver = new HangingReceiver(server);
    server.on('request', async (req: IncomingMessage, res) => {
      let body = '';
      for await (const chunk of req) body += chunk;
      if (!receiver.answer) {
        receiver.hung++;
        return; // the connection stays open, unanswered
      }
      receiver.bodies.push(JSON.parse(body));
      res.writeHead(204).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    return receiver;
  }
  get url(): string {
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}/hook`;
  }
  close(): Promise<void> {
    this.#server.closeAllConnections();
    return new Promise((r) => this.#server.close(() => r()));
  }
}

const dir = tempDir();
let receiver: HangingReceiver;
let node: ServerProcess | null = null;

beforeAll(async () => {
  receiver = await HangingReceiver.start();
});
afterAll(async () => {
  await node?.kill().catch(() => {});
  await receiver?.close();
  dir.remove();
});

const start = (env: Record<string, string> = {}) =>
  startServerProcess(['--db', dir.file('auditlog.db')], {
    AUDITLOG_BOOTSTRAP_TOKEN: TOKEN,
    AUDITLOG_DELIVERY_POLL_MS: '100',
    ...env,
  });
const call = (path: string, body?: unknown) =>
  fetch(node!.url + path, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  }).then((r) => r.json() as Promise<any>);

it('exits within 2 s of SIGTERM with a send in flight; the batch is sent again after the restart', async () => {
  node = await start();
  const created = await call('/v1/destinations', {
    kind: 'webhook',
    name: 'hangs',
    url: receiver.url,
    filter: { streams: ['admin'] },
  });
  const id = created.destination.id as string;
  const posted = await call('/v1/events', sampleEvent({ target: { type: 'Carrier', id: 'in-flight' } }));
  const event = posted.events[0] as { id: string; seq: number };
  await expect.poll(() => receiver.hung, { timeout: 10_000 }).toBeGreaterThan(0);
  const before = (await call(`/v1/destinations/${id}`)).status;

  const stoppedAt = Date.now();
  const code = await node.stop();
  const took = Date.now() - stoppedAt;
  expect(code, node.output()).toBe(0);
  expect(took).toBeLessThan(2000);

  // Nothing was acknowledged: the cursor is where it was, and the abort is not counted as a failure.
  node = await start({ AUDITLOG_DELIVERY: 'off' });
  const after = (await call(`/v1/destinations/${id}`)).status;
  expect(after.deliveredSeq).toBe(before.deliveredSeq);
  expect(after.deliveredSeq ?? 0).toBeLessThan(event.seq);
  expect(after).toMatchObject({ failures: 0, lastError: null });
  expect(await node.stop()).toBe(0);

  // The receiver answers now: the next start sends the batch again, the event in it.
  receiver.answer = true;
  node = await start();
  await expect
    .poll(() => receiver.bodies.flat().some((e) => (e as { id?: string }).id === event.id), {
      timeout: 15_000,
    })
    .toBe(true);
  await expect
    .poll(async () => (await call(`/v1/destinations/${id}`)).status.deliveredSeq)
    .toBeGreaterThanOrEqual(event.seq);
  expect(await node.stop()).toBe(0);
  node = null;
});

it('aborts a syslog send whose receiver never closes its side, at once', async () => {
  // Reads everything and never ends the connection: the send would wait for its 10 s timeout.
  const sockets: import('node:net').Socket[] = [];
  const hang = createTcpServer({ allowHalfOpen: true }, (socket) => {
    sockets.push(socket);
    socket.resume();
  });
  await new Promise<void>((r) => hang.listen(0, '127.0.0.1', r));
  try {
    const sender = new SyslogSender({
      format: 'json',
      host: '127.0.0.1',
      port: (hang.address() as AddressInfo).port,
      filter: {},
      batchSize: 10,
    });
    const event = { ...sampleEvent(), id: 'e1', seq: 1, tenant: 'default', receivedAt: '', changes: [] };
    const entry = {
      id: 'e1',
      seq: 1,
      stream: 'event',
      receivedMs: Date.now(),
      facts: { stream: 'event', category: 'telephony', eventType: 'carrier.updated' },
      event,
    } as unknown as OutgoingEntry;
    const stop = new AbortController();
    const sent = sender.send([entry], 'b', stop.signal);
    await expect.poll(() => sockets.length).toBe(1);
    const abortedAt = Date.now();
    stop.abort(new Error('stopping'));
    await expect(sent).rejects.toThrow('stopping');
    expect(Date.now() - abortedAt).toBeLessThan(500);
  } finally {
    for (const s of sockets) s.destroy();
    await new Promise((r) => hang.close(r));
  }
});
