// Bad parameters that were answered with Ajv's wording or with a misleading status: each is a 400 naming the
// field and what it takes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, startTestServer, type TestServer } from '../helpers/test-server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({
    personalData: { encrypt: true, key: Buffer.alloc(32, 7).toString('base64') },
  });
});
afterAll(async () => server?.close());

const detailsOf = async (res: Response) => {
  const body = await json(res);
  return { status: res.status, code: body.error.code, details: body.error.details };
};

describe('messages of unions of constants', () => {
  it('name the values a stream or a flag takes, once', async () => {
    expect(
      await detailsOf(
        await server.request('/v1/retention/policies', {
          method: 'PUT',
          json: { maxAgeDays: 30, stream: 'x' },
        }),
      ),
    ).toEqual({
      status: 400,
      code: 'invalid_request',
      details: [{ path: '/stream', message: 'must be one of: event, auth' }],
    });
    expect(
      await detailsOf(await server.request('/v1/retention/policies?stream=bogus', { method: 'DELETE' })),
    ).toEqual({
      status: 400,
      code: 'invalid_query',
      details: [{ path: '/stream', message: 'must be one of: event, auth' }],
    });
    expect(await detailsOf(await server.request('/v1/legal-holds?all=maybe'))).toEqual({
      status: 400,
      code: 'invalid_query',
      details: [{ path: '/all', message: 'must be one of: true, false' }],
    });
  });
});

describe('tenant names in the token routes', () => {
  it('an empty or impossible ?tenant= is a 400 naming /tenant, not a 403', async () => {
    for (const tenant of ['', '../x', '###']) {
      const res = await server.request(`/v1/tokens?tenant=${encodeURIComponent(tenant)}`);
      expect(await detailsOf(res)).toEqual({
        status: 400,
        code: 'invalid_query',
        details: [
          {
            path: '/tenant',
            message: 'must be 1-64 letters, digits, dot, dash or underscore, starting with a letter or digit',
          },
        ],
      });
    }
    expect((await server.request('/v1/tokens?tenant=default')).status).toBe(200);
  });

  it('a token name that is empty or holds a bidirectional override is a 400 naming /name', async () => {
    for (const name of ['', '\u202eevil', 'a\u2066b', 'x\u0085']) {
      const res = await server.request('/v1/tokens', { method: 'POST', json: { scopes: ['read'], name } });
      expect(await detailsOf(res)).toEqual({
        status: 400,
        code: 'invalid_request',
        details: [
          {
            path: '/name',
            message: 'must be 1-128 printable characters (no control or bidirectional formatting characters)',
          },
        ],
      });
    }
    const ok = await server.request('/v1/tokens', {
      method: 'POST',
      json: { scopes: ['read'], name: 'Ünïcode 😀 ok' },
    });
    expect(ok.status).toBe(201);
  });
});

describe('erasure of an actor id no event can hold', () => {
  it('NUL, a control character or a lone surrogate is a 400 naming /actorId, not a 404', async () => {
    for (const actorId of ['a\u0000', 'a\u001f', '\ud800', 'x\udfffy']) {
      const res = await server.request('/v1/erasures', { method: 'POST', json: { actorId } });
      expect(await detailsOf(res)).toEqual({
        status: 400,
        code: 'invalid_request',
        details: [{ path: '/actorId', message: 'must be well-formed Unicode without control characters' }],
      });
    }
    // A well-formed id with a pair (an emoji) is a subject like any other: unknown here, so 404.
    const unknown = await server.request('/v1/erasures', { method: 'POST', json: { actorId: 'usr_😀' } });
    expect(unknown.status).toBe(404);
  });
});

describe('bodies the server cannot read', () => {
  it('a compressed body or another charset is a 415 that says so, and stores nothing', async () => {
    const body = JSON.stringify({ scopes: ['read'], name: 'enc' });
    const cases: [Record<string, string>, string][] = [
      [{ 'content-encoding': 'gzip' }, 'Content-Encoding gzip is not supported: send the body uncompressed'],
      [{ 'content-encoding': 'br' }, 'Content-Encoding br is not supported: send the body uncompressed'],
      [
        { 'content-type': 'application/json; charset=utf-16' },
        'charset utf-16 is not supported: send UTF-8 JSON',
      ],
      [
        { 'content-type': 'application/json; charset="latin1"' },
        'charset latin1 is not supported: send UTF-8 JSON',
      ],
    ];
    for (const [headers, message] of cases) {
      const res = await server.request('/v1/tokens', {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/json', ...headers },
      });
      const answer = await json(res);
      expect({ headers, status: res.status, code: answer.error.code, message: answer.error.message }).toEqual(
        {
          headers,
          status: 415,
          code: 'unsupported_media_type',
          message,
        },
      );
    }
    const listed = await json(await server.request('/v1/tokens?tenant=default'));
    expect(listed.tokens.filter((t: { name: string }) => t.name === 'enc')).toEqual([]);
    const accepted: Record<string, string>[] = [
      { 'content-encoding': 'identity' },
      { 'content-type': 'application/json; charset=UTF-8' },
    ];
    for (const headers of accepted) {
      const res = await server.request('/v1/tokens', {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/json', ...headers },
      });
      expect({ headers, status: res.status }).toEqual({ headers, status: 201 });
    }
  });
});
