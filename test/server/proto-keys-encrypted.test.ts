// With personal-data encryption on, a member named __proto__ (or constructor, prototype) is data on every read:
// revealing an event rebuilt each object with out[k] = …, which set the prototype, so `GET /v1/events/{id}`
// answered `oldValue: {}` while `changes` listed `/__proto__/a` and the export held the full body.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, sampleEvent, startTestServer, type TestServer } from '../helpers/test-server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ personalData: { encrypt: true } });
});
afterAll(async () => server?.close());

// As text: a literal {"__proto__": …} in JS would set the prototype, not a member.
const BODY = `{"id":"proto-1","oldValue":{"__proto__":{"a":1},"constructor":{"c":1}},"newValue":{"__proto__":{"a":2},"b":3,"prototype":{"p":1}},"metadata":{"__proto__":{"m":1}}}`;
const WANT = {
  oldValue: '{"__proto__":{"a":1},"constructor":{"c":1}}',
  newValue: '{"__proto__":{"a":2},"b":3,"prototype":{"p":1}}',
  metadata: '{"__proto__":{"m":1}}',
};

/** The three members of an event as JSON text (JSON.parse keeps __proto__ an own member). */
const shown = (e: Record<string, unknown>) => ({
  oldValue: JSON.stringify(e.oldValue),
  newValue: JSON.stringify(e.newValue),
  metadata: JSON.stringify(e.metadata),
});

describe('__proto__, constructor and prototype members with encryption on', () => {
  it('come back from every read as they were sent', async () => {
    const event = { ...sampleEvent(), ...JSON.parse(BODY) };
    const res = await server.request('/v1/events', {
      method: 'POST',
      body: JSON.stringify(event),
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status, await res.clone().text()).toBe(201);
    const one = await json(await server.request('/v1/events/proto-1'));
    expect(shown(one)).toEqual(WANT);
    expect(one.changes.map((c: { path: string }) => c.path)).toContain('/__proto__/a');
    const list = await json(await server.request('/v1/events?user=usr_1'));
    expect(shown(list.events[0])).toEqual(WANT);
    const history = await json(await server.request('/v1/entities/Carrier/trunk-provider-1/history'));
    expect(shown(history.events[0])).toEqual(WANT);
    const exported = await (await server.request('/v1/export?format=ndjson')).text();
    const line = exported.split('\n').find((l) => l.includes('"proto-1"'));
    expect(shown(JSON.parse(line as string))).toEqual(WANT);
  });
});
