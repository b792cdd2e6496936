// A required text of white space only says nothing: a legal hold's reason, a destination's name and a token's
// name of spaces were stored (a hold nobody can explain, a destination or token listed with no name).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, startTestServer, type TestServer } from '../helpers/test-server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => server?.close());

const BLANKS = ['   ', '\u00a0\u3000', ' \u2003 '];

async function expectBlank(res: Response, path: string): Promise<void> {
  const body = await json(res);
  expect(res.status, JSON.stringify(body)).toBe(400);
  expect(body.error.code).toBe('invalid_request');
  expect(body.error.details.map((d: { path: string }) => d.path)).toEqual([path]);
  expect(body.error.details[0].message).toMatch(/blank/);
}

const post = (path: string, body: unknown, method = 'POST') => server.request(path, { method, json: body });

describe('blank required text', () => {
  it.each(BLANKS)('a legal hold with reason %j is a 400 naming /reason; none is stored', async (reason) => {
    await expectBlank(await post('/v1/legal-holds', { reason, actorId: 'u-1' }), '/reason');
    expect((await json(await server.request('/v1/legal-holds?all=true'))).holds).toEqual([]);
  });

  it.each(BLANKS)('a destination named %j is a 400 naming /name, created or renamed', async (name) => {
    const url = 'http://127.0.0.1:9/h';
    await expectBlank(await post('/v1/destinations', { kind: 'webhook', name, url }), '/name');
    expect((await json(await server.request('/v1/destinations'))).destinations).toEqual([]);
    const created = await post('/v1/destinations', { kind: 'webhook', name: 'Real', url });
    expect(created.status).toBe(201);
    const id = (await json(created)).destination.id as string;
    await expectBlank(await post(`/v1/destinations/${id}`, { name }, 'PATCH'), '/name');
    expect((await json(await server.request(`/v1/destinations/${id}`))).name).toBe('Real');
    expect((await server.request(`/v1/destinations/${id}`, { method: 'DELETE' })).status).toBe(204);
  });

  it.each(BLANKS)('a token named %j is a 400 naming /name; none is created', async (name) => {
    const before = (await json(await server.request('/v1/tokens?tenant=default'))).tokens.length;
    await expectBlank(await post('/v1/tokens', { tenant: 'default', scopes: ['read'], name }), '/name');
    expect((await json(await server.request('/v1/tokens?tenant=default'))).tokens).toHaveLength(before);
  });

  it('names and reasons with spaces around text are kept as sent', async () => {
    const hold = await post('/v1/legal-holds', { reason: '  case 7 ', actorId: 'u-1' });
    expect(hold.status).toBe(201);
    expect((await json(hold)).reason).toBe('  case 7 ');
    const dest = await post('/v1/destinations', {
      kind: 'webhook',
      name: ' D ',
      url: 'http://127.0.0.1:9/h',
    });
    expect(dest.status).toBe(201);
    expect((await post('/v1/tokens', { tenant: 'default', scopes: ['read'], name: ' t ' })).status).toBe(201);
  });
});
