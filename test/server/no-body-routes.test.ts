// A route that declares no body refuses one (400 `invalid_request`) and changes nothing: `POST /v1/purges
// {"dryRun":true}` purged (there is no dry run), a hold was released and a destination paused whatever the body
// said. `{}` is no fields and passes; a DELETE with a JSON content type and no bytes is no body.
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, json, startTestServer, type TestServer } from '../helpers/test-server.js';

let server: TestServer;
const DAY = 86_400_000;
const ago = (days: number) => new Date(Date.now() - days * DAY).toISOString();
const ids: Record<string, string> = {};

beforeAll(async () => {
  server = await startTestServer();
  const event = (id: string, days: number) => ({
    id,
    occurredAt: ago(days),
    actor: { id: 'u-1' },
    action: 'update',
    category: 'bulk',
    target: { type: 'LeadList', id: 'l-1' },
  });
  const post = async (path: string, body: unknown, method = 'POST') => {
    const res = await server.request(path, { method, json: body });
    expect(res.status, `${path} ${res.status}`).toBeLessThan(300);
    return json(res);
  };
  await post('/v1/events', { events: [event('old-1', 800), event('old-2', 800), event('new-1', 3)] });
  await post('/v1/retention/policies', { category: 'bulk', maxAgeDays: 365 }, 'PUT');
  ids.hold = (await post('/v1/legal-holds', { reason: 'case 1', actorId: 'u-9' })).id;
  const dest = await post('/v1/destinations', { kind: 'webhook', name: 'D', url: 'http://127.0.0.1:9/h' });
  ids.destination = dest.destination.id;
  ids.token = (await post('/v1/tokens', { tenant: 'default', scopes: ['read'], name: 'reader' })).id;
  ids.event = 'old-1';
});
afterAll(async () => server?.close());

/** What a refused request must leave as it was (reading these records nothing). */
async function state(): Promise<string> {
  const parts = [];
  for (const path of [
    '/v1/legal-holds',
    '/v1/destinations',
    '/v1/tokens?tenant=default',
    '/v1/retention/policies',
    '/v1/purges',
    '/v1/events?limit=200',
  ]) {
    const res = await server.request(path);
    expect(res.status, path).toBe(200);
    const body = await json(res);
    // A destination's delivery status moves with the clock; its settings and state are what a body changed.
    for (const d of body.destinations ?? []) delete d.status;
    parts.push(JSON.stringify(body));
  }
  return parts.join('\n');
}

/** A raw request (fetch sends no body with GET), with the admin token and a JSON body. */
function send(method: string, path: string, body: string, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = httpRequest(
      `${server.url}${path}`,
      {
        method,
        headers: {
          authorization: `Bearer ${ADMIN_TOKEN}`,
          'content-type': 'application/json',
          'content-length': String(Buffer.byteLength(body)),
          ...headers,
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c) => {
          text += c;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

interface Operation {
  method: string;
  path: string;
}

/** Every documented operation without a request body, its path parameters filled with real ids. */
async function bodylessOperations(): Promise<Operation[]> {
  const doc = await json(await server.request('/openapi.json'));
  const out: Operation[] = [];
  for (const [path, item] of Object.entries(doc.paths as Record<string, Record<string, unknown>>)) {
    for (const [method, op] of Object.entries(item)) {
      if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
      if ((op as { requestBody?: unknown }).requestBody !== undefined) continue;
      const id = path.startsWith('/v1/legal-holds')
        ? ids.hold
        : path.startsWith('/v1/destinations')
          ? ids.destination
          : path.startsWith('/v1/tokens')
            ? ids.token
            : ids.event;
      out.push({ method: method.toUpperCase(), path: path.replace(/\{[^}]+\}/g, id as string) });
    }
  }
  return out;
}

describe('routes that take no body', () => {
  it('every one refuses a body with a field, naming it, and changes nothing', async () => {
    const operations = await bodylessOperations();
    const changing = operations.filter((o) => o.method !== 'GET').map((o) => `${o.method} ${o.path}`);
    // The ones that change something, so the check below is not vacuous.
    expect(changing).toEqual(
      expect.arrayContaining([
        'POST /v1/purges',
        `POST /v1/legal-holds/${ids.hold}/release`,
        `POST /v1/destinations/${ids.destination}/pause`,
        `POST /v1/destinations/${ids.destination}/resume`,
        `POST /v1/destinations/${ids.destination}/test`,
        `DELETE /v1/destinations/${ids.destination}`,
        `DELETE /v1/tokens/${ids.token}`,
        'DELETE /v1/retention/policies',
      ]),
    );
    expect(operations.length).toBeGreaterThan(30);
    const before = await state();
    for (const { method, path } of operations) {
      const res = await send(method, path, '{"dryRun":true,"bogus":1}');
      expect(res.status, `${method} ${path}: ${res.body}`).toBe(400);
      const { error } = JSON.parse(res.body);
      expect(error.code).toBe('invalid_request');
      expect(error.message).toBe('body: this endpoint takes no body');
      // A GET's body is never read (Fastify), so its fields cannot be named.
      expect(error.details).toEqual(
        method === 'GET'
          ? [{ path: '', message: 'this endpoint takes no body' }]
          : [
              { path: '/dryRun', message: 'is not an allowed field' },
              { path: '/bogus', message: 'is not an allowed field' },
            ],
      );
    }
    expect(await state()).toBe(before);
  });

  it.each([['null'], ['[]'], ['"x"'], ['0'], ['{"reason":"\\u0000"}']])(
    'a body %s is refused too, and nothing is released or purged',
    async (body) => {
      const before = await state();
      for (const path of ['/v1/purges', `/v1/legal-holds/${ids.hold}/release`]) {
        const res = await send('POST', path, body);
        expect(res.status, `${path}: ${res.body}`).toBe(400);
        expect(JSON.parse(res.body).error.message).toBe('body: this endpoint takes no body');
      }
      expect(await state()).toBe(before);
    },
  );

  it('a GET with a chunked body is refused', async () => {
    const res = await send('GET', '/v1/events', '{"user":"u-1"}', { 'transfer-encoding': 'chunked' });
    expect(res.status, res.body).toBe(400);
  });

  it('{} is no fields; a DELETE with a JSON content type and no bytes is no body', async () => {
    const paused = await send('POST', `/v1/destinations/${ids.destination}/pause`, '{}');
    expect(paused.status, paused.body).toBe(200);
    expect(JSON.parse(paused.body).paused ?? JSON.parse(paused.body).status).toBeTruthy();
    const resumed = await send('POST', `/v1/destinations/${ids.destination}/resume`, '{}');
    expect(resumed.status, resumed.body).toBe(200);
    const released = await send('POST', `/v1/legal-holds/${ids.hold}/release`, '{}');
    expect(released.status, released.body).toBe(200);
    expect(JSON.parse(released.body).releasedAt).not.toBeNull();
    const deleted = await send('DELETE', `/v1/tokens/${ids.token}`, '');
    expect(deleted.status, deleted.body).toBe(204);
    const purged = await send('POST', '/v1/purges', '{}');
    expect(purged.status, purged.body).toBe(200);
    expect(JSON.parse(purged.body).purged).toBe(2);
  });
});
