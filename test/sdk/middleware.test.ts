// Request context through real Fastify and a real node:http server with the Express middleware signature:
// record() deep in a handler, after awaits and a body parse, carries the request's actor, address (with and
// without trusted proxies), user agent, session and request id; concurrent requests never mix.
import { createServer, type Server } from 'node:http';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AuditClient,
  type ContextOptions,
  expressAuditContext,
  fastifyAuditContext,
  updateContext,
} from '../../packages/sdk/src/index.js';
import { tempDir } from '../helpers/temp-dir.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
import { storedEvents } from './sdk-helpers.js';

const sessionFromCookie: ContextOptions['sessionId'] = (req) =>
  /sid=([^;]+)/.exec(req.headers.cookie ?? '')?.[1];

/** Deep inside "a service": no request object, only the context. */
async function renameCampaign(client: AuditClient, id: string, name: string) {
  await new Promise((r) => setTimeout(r, Math.random() * 20));
  return client.record({
    action: 'update',
    category: 'campaigns',
    eventType: 'campaign.updated',
    target: { type: 'Campaign', id },
    oldValue: { name: 'old' },
    newValue: { name },
  });
}

describe('request context middleware', () => {
  const dir = tempDir('auditlog-sdk-');
  let server: TestServer;
  let client: AuditClient;
  const apps: FastifyInstance[] = [];
  let plain: Server;

  async function fastifyApp(options: ContextOptions): Promise<string> {
    const app = Fastify();
    fastifyAuditContext(app, options);
    app.addHook('preHandler', async (request) => {
      const user = request.headers['x-user'];
      if (typeof user === 'string') updateContext({ actor: { id: `usr_${user}`, username: user } });
    });
    app.post('/campaigns/:id', async (request) => {
      const { id } = request.params as { id: string };
      return renameCampaign(client, id, (request.body as { name: string }).name);
    });
    apps.push(app);
    return app.listen({ port: 0, host: '127.0.0.1' });
  }

  beforeAll(async () => {
    server = await startTestServer();
    client = await AuditClient.open({
      url: server.url,
      token: await server.token('default', ['ingest']),
      spoolDir: dir.file('spool'),
    });
  });
  afterAll(async () => {
    await Promise.all(apps.map((a) => a.close()));
    plain?.close();
    await client?.close();
    await server?.close();
    dir.remove();
  });

  const post = (url: string, user: string, headers: Record<string, string> = {}) =>
    fetch(`${url}/campaigns/camp-${user}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-user': user,
        'user-agent': `browser-of-${user}`,
        cookie: `theme=dark; sid=sess-${user}`,
        ...headers,
      },
      body: JSON.stringify({ name: `renamed by ${user}` }),
    });

  it('Fastify: a handler after a body parse records with the context; concurrent requests stay apart', async () => {
    const url = await fastifyApp({ trustProxy: 'loopback', sessionId: sessionFromCookie });
    const users = ['ana', 'bo', 'cy', 'di', 'ed', 'fay'];
    const responses = await Promise.all(
      users.map((u, i) =>
        post(url, u, { 'x-forwarded-for': `198.51.100.${i + 1}`, 'x-request-id': `req-${u}` }),
      ),
    );
    const ids = await Promise.all(responses.map(async (r) => ((await r.json()) as { id: string }).id));
    expect(responses.map((r) => r.headers.get('x-request-id'))).toEqual(users.map((u) => `req-${u}`));
    await client.flush(10_000);
    const stored = await storedEvents(server.request);
    users.forEach((u, i) => {
      expect(stored.find((e) => e.id === ids[i])).toMatchObject({
        actor: { id: `usr_${u}`, username: u },
        target: { id: `camp-${u}` },
        newValue: { name: `renamed by ${u}` },
        ip: `198.51.100.${i + 1}`,
        userAgent: `browser-of-${u}`,
        sessionId: `sess-${u}`,
        requestId: `req-${u}`,
      });
    });
  });

  it('Fastify: X-Forwarded-For from an untrusted peer is ignored, and a request id is made up when none is sent', async () => {
    const url = await fastifyApp({ sessionId: sessionFromCookie });
    const res = await post(url, 'gus', { 'x-forwarded-for': '198.51.100.66' });
    const { id } = (await res.json()) as { id: string };
    const requestId = res.headers.get('x-request-id');
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    await client.flush(10_000);
    const event = (await storedEvents(server.request)).find((e) => e.id === id);
    expect(event).toMatchObject({ ip: '127.0.0.1', requestId, actor: { id: 'usr_gus' } });
  });

  it('Express (Connect) middleware on a plain node:http server', async () => {
    const middleware = expressAuditContext({
      trustProxy: 1,
      actor: (req) => ({ id: `usr_${req.headers['x-user']}` }),
      requestIdHeaders: ['x-correlation-id'],
    });
    plain = createServer((req, res) =>
      middleware(req, res, async () => {
        const { id } = await renameCampaign(client, 'camp-x', 'by express');
        res.end(JSON.stringify({ id }));
      }),
    );
    await new Promise<void>((resolve) => plain.listen(0, '127.0.0.1', resolve));
    const { port } = plain.address() as { port: number };
    const res = await fetch(`http://127.0.0.1:${port}/`, {
      headers: { 'x-user': 'hal', 'x-forwarded-for': '192.0.2.1, 192.0.2.77', 'x-correlation-id': 'corr-9' },
    });
    const { id } = (await res.json()) as { id: string };
    expect(res.headers.get('x-correlation-id')).toBe('corr-9');
    await client.flush(10_000);
    const event = (await storedEvents(server.request)).find((e) => e.id === id);
    // One trusted hop: the last address the proxy appended is the client.
    expect(event).toMatchObject({ actor: { id: 'usr_hal' }, ip: '192.0.2.77', requestId: 'corr-9' });
  });
});
