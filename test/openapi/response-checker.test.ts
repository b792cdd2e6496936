import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openApiResponseChecker, type ResponseSeen } from '../helpers/openapi-responses.js';
import { json, startTestServer, type TestServer } from '../helpers/test-server.js';

// The checker every server suite's answers go through (test-server.ts): it must catch what it is for.
let server: TestServer;
let check: (seen: ResponseSeen) => string | null;
beforeAll(async () => {
  server = await startTestServer();
  check = openApiResponseChecker(await json(await server.request('/openapi.json')));
});
afterAll(async () => server?.close());

const seen = (over: Partial<ResponseSeen>): ResponseSeen => ({
  method: 'GET',
  route: '/v1/events/:id',
  status: 200,
  contentType: 'application/json; charset=utf-8',
  body: '{}',
  ...over,
});
const error = JSON.stringify({ error: { code: 'not_found', message: 'x', details: [] } });

describe('the OpenAPI response checker', () => {
  it('passes documented answers', () => {
    expect(check(seen({ status: 404, body: error }))).toBeNull();
    expect(check(seen({ route: '/v1/events', body: '{"events":[],"nextCursor":null}' }))).toBeNull();
    expect(check(seen({ route: undefined, status: 405, body: error }))).toBeNull();
  });

  it('catches an undocumented status, a wrong body and an undocumented media type', () => {
    expect(check(seen({ status: 418, body: error }))).toMatch(/status 418 is not documented/);
    expect(check(seen({ route: '/v1/events', body: '{"events":[]}' }))).toMatch(/nextCursor/);
    expect(check(seen({ status: 404, body: '{"error":"gone"}' }))).toMatch(/must be object/);
    expect(check(seen({ route: undefined, status: 404, body: '{}' }))).toMatch(/error/);
    expect(check(seen({ route: '/v1/export', contentType: 'text/html' }))).toMatch(/text\/html/);
  });

  it('sees every answer of a test server', async () => {
    const before = server.contract.checked;
    await server.request('/v1/events?limit=2');
    await server.request('/v1/nothing');
    expect(server.contract.checked).toBe(before + 2);
    expect(server.contract.violations).toEqual([]);
    // A route added behind the document's back answers what the document does not know.
    expect(check(seen({ route: '/v1/events', status: 202, body: '{}' }))).not.toBeNull();
  });
});
