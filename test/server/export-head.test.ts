// HEAD /v1/export answers GET's status and headers without running the export or recording it (real server,
// both stores): it ran the whole export and recorded an `auditlog.export` of N rows, completed, that no one got.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { json, sampleEvent, startTestServer, type TestServer } from '../helpers/test-server.js';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
  const events = Array.from({ length: 50 }, (_, i) => sampleEvent({ id: `ev-${i}` }));
  expect((await server.request('/v1/events', { method: 'POST', json: { events } })).status).toBe(201);
});
afterAll(async () => server?.close());

const exports = async () =>
  (await json(await server.request('/v1/events?eventType=auditlog.export&limit=100'))).events as {
    newValue: { rowCount: number; completed: boolean };
  }[];

it('answers the headers a GET would, runs nothing and records nothing', async () => {
  for (const format of ['csv', 'ndjson']) {
    const res = await server.request(`/v1/export?format=${format}`, { method: 'HEAD' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(
      format === 'csv' ? /^text\/csv/ : /^application\/x-ndjson/,
    );
    expect(res.headers.get('content-disposition')).toMatch(
      new RegExp(`^attachment; filename="auditlog-default-.*\\.${format}"$`),
    );
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(await res.text()).toBe('');
  }
  // A query GET refuses, HEAD refuses (no body to say why: the status), as does a token without the scope.
  expect((await server.request('/v1/export?format=xml', { method: 'HEAD' })).status).toBe(400);
  expect((await server.request('/v1/export?nope=1', { method: 'HEAD' })).status).toBe(400);
  const reader = await server.token('default', ['read']);
  expect((await server.request('/v1/export', { method: 'HEAD', token: reader })).status).toBe(403);
  expect(await exports()).toEqual([]);

  // GET still runs and records the export.
  const got = await server.request('/v1/export?format=csv&category=telephony');
  expect(got.status).toBe(200);
  expect((await got.text()).trim().split('\n')).toHaveLength(51);
  await expect
    .poll(async () => (await exports()).map((e) => e.newValue))
    .toEqual([expect.objectContaining({ rowCount: 50, completed: true })]);
});
