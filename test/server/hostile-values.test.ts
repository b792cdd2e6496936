// Regressions of issues 11 and 20, through HTTP on the store of the vitest project: values that are valid
// JSON but hostile must either read back exactly on every path or be refused with a 4xx naming them.
import { parse as parseCsv } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalJson } from '../../src/core/domain/canonical-json.js';
import { prepareEvents } from '../../src/core/domain/prepare-event.js';
import { Redactor } from '../../src/core/domain/redact.js';
import { json, sampleEvent, startTestServer, type TestServer } from '../helpers/test-server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => server?.close());

/** POST a body given as JSON text (JSON.stringify cannot write 1e999 or a 17-digit integer). */
async function postText(body: string, path = '/v1/events') {
  const res = await server.request(path, {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/json' },
  });
  return { status: res.status, body: await json(res) };
}

const eventText = (fields: string) =>
  `{"actor":{"id":"usr_1"},"action":"update","category":"telephony","target":{"type":"Carrier","id":"hv"},${fields}}`;

async function readAll(path: string): Promise<string> {
  const res = await server.request(path);
  expect(res.status, path).toBe(200);
  return res.text();
}

const paths = (body: any) => body.error.details.map((d: { path: string }) => d.path);

describe('issue 11.1: keys named like Object.prototype members are data', () => {
  const oldValue = '{"constructor":{"prototype":{"polluted":1}},"__proto__":{"isAdmin":true}}';

  it('the event reads back by id, on the newest page, in a keyword search, in both exports', async () => {
    const posted = await postText(
      eventText(
        `"id":"proto-1","oldValue":${oldValue},"newValue":{"toString":"x"},"metadata":{"__proto__":{"a":1}}`,
      ),
    );
    expect(posted.status).toBe(201);
    const expected = JSON.parse(oldValue);
    const byId = JSON.parse(await readAll('/v1/events/proto-1'));
    expect(canonicalJson(byId.oldValue)).toBe(canonicalJson(expected));
    expect(Object.keys(byId.metadata)).toEqual(['__proto__']);
    expect(byId.changes).toEqual([
      { path: '/__proto__/isAdmin', old: true, new: null },
      { path: '/constructor/prototype/polluted', old: 1, new: null },
      { path: '/toString', old: null, new: 'x' },
    ]);
    for (const page of ['/v1/events?limit=5', '/v1/events?q=polluted', '/v1/entities/Carrier/hv/history']) {
      const events = JSON.parse(await readAll(page)).events;
      expect(
        events.map((e: { id: string }) => e.id),
        page,
      ).toContain('proto-1');
    }
    const lines = (await readAll('/v1/export?format=ndjson&targetId=hv')).trim().split('\n');
    const line = lines.map((l) => JSON.parse(l)).find((l) => l.id === 'proto-1');
    expect(line.changes).toEqual(byId.changes);
    const rows = parseCsv(await readAll('/v1/export?format=csv&targetId=hv'), { columns: true }) as any[];
    expect(canonicalJson(JSON.parse(rows[0].oldValue))).toBe(canonicalJson(expected));
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('a metadata key holding a line break is shown (the response schema had dropped it)', async () => {
    expect((await postText(eventText('"id":"proto-2","metadata":{"a\\nb":1,"\\u2028":2}'))).status).toBe(201);
    const got = JSON.parse(await readAll('/v1/events/proto-2'));
    expect(got.metadata).toEqual({ 'a\nb': 1, '\u2028': 2 });
  });

  it('an entry stored by an earlier version with "new":undefined in its body reads with null there', async () => {
    const [entry] = prepareEvents(
      [sampleEvent({ id: 'legacy-1', target: { type: 'Carrier', id: 'hv-legacy' } })],
      [''],
      {
        tenant: 'default',
        now: Date.now(),
        categories: new Set(['telephony']),
        redactor: new Redactor(Buffer.alloc(32)),
      },
    );
    const body = entry!.body.replace('"new":120', '"new":undefined');
    expect(body).toContain('undefined');
    await server.log.store.append({ tenant: 'default', entries: [{ ...entry!, body }] });
    const got = JSON.parse(await readAll('/v1/events/legacy-1'));
    expect(got.changes).toEqual([{ path: '/maxChannels', old: 60, new: null }]);
    expect(JSON.parse(await readAll('/v1/events?limit=5')).events.length).toBeGreaterThan(0);
    for (const line of (await readAll('/v1/export?format=ndjson')).trim().split('\n')) JSON.parse(line);
  });
});

describe('issue 11.2: ill-formed Unicode is refused, naming the field', () => {
  it('a lone surrogate as id, in a value or in a key is a 400 with its path', async () => {
    const res = await postText(eventText('"id":"\\ud800","newValue":{"a":"x\\udc00","k\\ud800":1}'));
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_event');
    expect(paths(res.body)).toEqual(['/id', '/newValue/a', '/newValue']);
  });

  it('a body that is not UTF-8 is a 400, not U+FFFD stored in its place; UTF-8 of any plane reads back', async () => {
    const head = Buffer.from(eventText('"id":"bytes-1","reason":"a').slice(0, -1));
    const tail = Buffer.from('b"}');
    // A stray byte, and the UTF-8 form of a surrogate (which no UTF-8 text holds), in a value and in a key.
    for (const bad of [Buffer.from([0xff]), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from([0xc3])]) {
      const res = await server.request('/v1/events', {
        method: 'POST',
        body: Buffer.concat([head, bad, tail]),
        headers: { 'content-type': 'application/json' },
      });
      expect(res.status).toBe(400);
      expect((await json(res)).error).toMatchObject({
        code: 'invalid_request',
        message: 'The body is not valid UTF-8',
      });
    }
    expect((await server.request('/v1/events/bytes-1')).status).toBe(404);
    const good = await server.request('/v1/events', {
      method: 'POST',
      body: Buffer.concat([head, Buffer.from('é😀\u{10FFFF}'), tail]),
      headers: { 'content-type': 'application/json; charset=utf-8' },
    });
    expect(good.status).toBe(201);
    expect((await json(await server.request('/v1/events/bytes-1'))).reason).toBe('aé😀\u{10FFFF}b');
  });

  it('a DELETE with a JSON content type and no body is no body; a POST without one is a 400 saying so', async () => {
    const headers = { 'content-type': 'application/json' };
    const token = await server.token('default', ['read']);
    const revoke = await server.request(`/v1/tokens/${token.slice(3, 15)}`, { method: 'DELETE', headers });
    expect(revoke.status).toBe(204);
    const events = await server.request('/v1/events', { method: 'POST', headers });
    expect(events.status).toBe(400);
    expect((await json(events)).error).toMatchObject({
      code: 'invalid_request',
      message: 'The JSON body is empty',
    });
  });

  it('a path segment that is not UTF-8 is a 400 with the error body', async () => {
    for (const path of ['/v1/events/%ED%A0%80', '/v1/events/%FF']) {
      const res = await server.request(path);
      expect(res.status).toBe(400);
      expect((await json(res)).error.code).toBe('invalid_request');
    }
  });

  it('an id of "." or "..", which no URL path can hold, is a 400', async () => {
    const res = await postText(eventText('"id":".."'));
    expect(res.status).toBe(400);
    expect(paths(res.body)).toEqual(['/id']);
  });
});

describe('the self-audit events hold only what an event may', () => {
  it('a token name its auditlog.token_created event could not hold is refused before the token exists', async () => {
    const before = (await json(await server.request('/v1/tokens'))).tokens.length;
    for (const name of ['\ud800', 'del\u007f']) {
      // JSON.stringify writes a lone surrogate as the escape \ud800, which the server parses back to one.
      const body = JSON.stringify({ tenant: 'default', scopes: ['read'], name });
      const res = await postText(body, '/v1/tokens');
      expect(res.status, body).toBe(400);
      expect(paths(res.body)).toEqual(['/name']);
    }
    expect((await json(await server.request('/v1/tokens'))).tokens.length).toBe(before);
  });
});

describe('issue 11.3: NUL is refused in values and in every parameter, never a 500', () => {
  it('in a value or a key of an event', async () => {
    const res = await postText(eventText('"newValue":{"a":"x\\u0000","b\\u0000":1}'));
    expect(res.status).toBe(400);
    expect(paths(res.body)).toEqual(['/newValue/a', '/newValue']);
  });

  for (const [url, param] of [
    ['/v1/export?targetId=%00', '/targetId'],
    ['/v1/events?target=%00', '/target'],
    ['/v1/events?q=a%00b', '/q'],
    ['/v1/entities/%00/x/history', '/targetType'],
    ['/v1/entities/Carrier/%00/history', '/targetId'],
    ['/v1/events/%00', '/id'],
    ['/v1/sessions/%00', '/sessionId'],
    ['/v1/auth-events?user=%00', '/user'],
    ['/v1/actors?prefix=%00', '/prefix'],
  ]) {
    it(`GET ${url} → 400 naming ${param}`, async () => {
      const res = await server.request(url!);
      expect(res.status).toBe(400);
      const body = await json(res);
      expect(body.error.code).toBe('invalid_query');
      expect(paths(body)).toEqual([param]);
    });
  }
});

describe('issue 20: numbers JSON cannot carry exactly, and huge bodies', () => {
  it('1e999 and integers beyond ±(2^53 − 1) are a 400 naming their path', async () => {
    const res = await postText(
      eventText('"newValue":{"inf":1e999,"neg":-1e999,"big":9007199254740993,"list":[1,-9007199254740993]}'),
    );
    expect(res.status).toBe(400);
    expect(paths(res.body)).toEqual(['/newValue/inf', '/newValue/neg', '/newValue/big', '/newValue/list/1']);
  });

  it('2^53 − 1 is kept exactly; -0 reads back as 0', async () => {
    const res = await postText(
      eventText('"id":"num-1","newValue":{"max":9007199254740991,"min":-9007199254740991,"z":-0}'),
    );
    expect(res.status).toBe(201);
    const text = await readAll('/v1/events/num-1');
    expect(text).toContain('"max":9007199254740991');
    expect(text).toContain('"min":-9007199254740991');
    expect(JSON.parse(text).newValue.z).toBe(0);
  });

  it('an 8 MB array in one value is a 413 naming the value', async () => {
    const huge = `[${'1,'.repeat(3_900_000)}1]`;
    const res = await postText(eventText(`"newValue":${huge}`));
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe('payload_too_large');
    expect(paths(res.body)).toEqual(['/newValue']);
  });
});
