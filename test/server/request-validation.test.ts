import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, startTestServer, type TestServer } from '../helpers/test-server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => server?.close());

/** A 400 whose body names exactly the parameters given, with the code given. */
async function expect400(res: Response, code: string, paths: string[]): Promise<void> {
  const body = await json(res);
  expect(res.status, JSON.stringify(body)).toBe(400);
  expect(body.error.code).toBe(code);
  expect(body.error.details.map((d: { path: string }) => d.path)).toEqual(paths);
}

describe('every route validates its parameters and bodies from its schemas', () => {
  it.each([
    ['/v1/actors?limit=1.5', '/limit'],
    ['/v1/actors?limit=AAA', '/limit'],
    ['/v1/actors?limit=0', '/limit'],
    ['/v1/actors?nope=1', '/nope'],
    ['/v1/events?limit=1.5', '/limit'],
    ['/v1/events?actoin=create', '/actoin'],
    ['/v1/events?action=created', '/action'],
    ['/v1/events?afterSeq=-1', '/afterSeq'],
    ['/v1/auth/failures?bucket=abc', '/bucket'],
    ['/v1/auth/failures?window=forever', '/window'],
    ['/v1/entities/Carrier/x/history?afterSeq=1', '/afterSeq'],
    ['/v1/export?limit=1', '/limit'],
    ['/v1/export?cursor=abc', '/cursor'],
    ['/v1/stats?groupBy=action&limit=1', '/limit'],
    ['/v1/stats?groupBy=action&cursor=x', '/cursor'],
    ['/v1/stats', '/groupBy'],
    ['/v1/alerts?order=asc', '/order'],
    ['/v1/sessions?active=maybe', '/active'],
    ['/v1/tokens?tenant=acme&x=1', '/x'],
    ['/v1/events/abc?x=1', '/x'],
    ['/v1/me?x=1', '/x'],
  ])('GET %s is a 400 invalid_query naming %s', async (url, path) => {
    await expect400(await server.request(url), 'invalid_query', [path]);
  });

  it('the message names the parameter', async () => {
    const body = await json(await server.request('/v1/actors?limit=1.5'));
    expect(body.error.message).toBe('Query parameter limit: must be integer');
  });

  it('valid parameters still pass, repeated ones too', async () => {
    expect((await server.request('/v1/actors?limit=5&prefix=j')).status).toBe(200);
    expect((await server.request('/v1/events?action=create&action=update&limit=10')).status).toBe(200);
    expect((await server.request('/v1/auth/failures?window=1h&bucket=15m')).status).toBe(200);
    expect((await server.request('/v1/export?format=ndjson&order=desc')).status).toBe(200);
  });

  it.each([
    ['"AAA"'],
    ['null'],
    ['[1]'],
    ['false'],
    ['{"ttlSeconds":"60"}'],
    ['{"ttlSeconds":10}'],
    ['{"ttl":60}'],
  ])('POST /v1/viewer-sessions refuses the body %s', async (body) => {
    const res = await server.request('/v1/viewer-sessions', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    const answer = await json(res);
    expect(res.status, JSON.stringify(answer)).toBe(400);
    expect(answer.error.code).toBe('invalid_request');
  });

  it('POST /v1/viewer-sessions takes no body or a ttlSeconds', async () => {
    expect((await server.request('/v1/viewer-sessions', { method: 'POST' })).status).toBe(201);
    const res = await server.request('/v1/viewer-sessions', { method: 'POST', json: { ttlSeconds: 60 } });
    expect(res.status).toBe(201);
  });

  it('POST /v1/tokens names the wrong field', async () => {
    const res = await server.request('/v1/tokens', {
      method: 'POST',
      json: { tenant: 'acme', scopes: ['read'], extra: 1 },
    });
    await expect400(res, 'invalid_request', ['/extra']);
  });

  it('event bodies stay with the core: its paths and codes', async () => {
    const res = await server.request('/v1/events', { method: 'POST', json: { events: [{ action: 'x' }] } });
    const body = await json(res);
    expect(res.status).toBe(400);
    expect(body.error.code).toBe('invalid_event');
    expect(body.error.details.map((d: { path: string }) => d.path)).toContain('/events/0/actor');
  });
});

describe('an unsupported method on a known path', () => {
  it.each([
    ['DELETE', '/v1/events', 'GET, HEAD, POST'],
    ['PUT', '/v1/events/abc', 'GET, HEAD'],
    ['POST', '/v1/tokens/abc', 'DELETE'],
    ['PATCH', '/v1/entities/Carrier/x/history', 'GET, HEAD'],
  ])('%s %s is a 405 with Allow: %s', async (method, url, allow) => {
    const res = await server.request(url, { method });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe(allow);
    expect((await json(res)).error.code).toBe('method_not_allowed');
  });

  it('an unknown path is still a 404', async () => {
    const res = await server.request('/v1/nothing-here', { method: 'DELETE' });
    expect(res.status).toBe(404);
    expect((await json(res)).error.code).toBe('not_found');
  });
});
