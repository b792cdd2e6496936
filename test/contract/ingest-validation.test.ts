// POST /v1/events: every validation rule and limit of API.md, and robustness against bad bodies.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/temp-dir.js';
import { countTarget, event, expectGapFreeSeqs, without, withValue } from './helpers/events.js';
import { expectErrorShape, type RunningServer, startServer } from './helpers/server.js';

const dir = tempDir('auditlog-contract-ingest-validation-');
let server: RunningServer;

beforeAll(async () => {
  server = await startServer({ dbFile: dir.file('a.db') });
});

afterAll(async () => {
  await server?.stop();
  dir.remove();
});

describe('POST /v1/events: validation (each rule, single event and inside a batch)', () => {
  const future = (minutes: number) => new Date(Date.now() + minutes * 60_000).toISOString();
  const bad: [string, (e: Record<string, any>) => Record<string, any>, string][] = [
    ['actor missing', (e) => without(e, 'actor'), '/actor'],
    ['actor.id missing', (e) => without(e, 'actor/id'), '/actor/id'],
    ['actor.id not a string', (e) => withValue(e, 'actor/id', 42), '/actor/id'],
    ['actor.type not in user|service|system', (e) => withValue(e, 'actor/type', 'robot'), '/actor/type'],
    ['actor.username not a string', (e) => withValue(e, 'actor/username', 5), '/actor/username'],
    ['action missing', (e) => without(e, 'action'), '/action'],
    ['action not in create|update|delete', (e) => ({ ...e, action: 'destroy' }), '/action'],
    ['action in upper case', (e) => ({ ...e, action: 'UPDATE' }), '/action'],
    ['category missing', (e) => without(e, 'category'), '/category'],
    ['category not in the catalog', (e) => ({ ...e, category: 'billing' }), '/category'],
    ['category in another case', (e) => ({ ...e, category: 'Users' }), '/category'],
    ['target missing', (e) => without(e, 'target'), '/target'],
    ['target.type missing', (e) => without(e, 'target/type'), '/target/type'],
    ['target.id missing', (e) => without(e, 'target/id'), '/target/id'],
    ['target.name not a string', (e) => withValue(e, 'target/name', 7), '/target/name'],
    ['eventType with upper case', (e) => ({ ...e, eventType: 'User.Created' }), '/eventType'],
    ['eventType with a space', (e) => ({ ...e, eventType: 'user created' }), '/eventType'],
    ['eventType with an empty segment', (e) => ({ ...e, eventType: 'user..created' }), '/eventType'],
    ['eventType starting with a dot', (e) => ({ ...e, eventType: '.user' }), '/eventType'],
    ['eventType ending with a dot', (e) => ({ ...e, eventType: 'user.' }), '/eventType'],
    ['occurredAt not a date', (e) => ({ ...e, occurredAt: 'yesterday' }), '/occurredAt'],
    ['occurredAt date only', (e) => ({ ...e, occurredAt: '2024-01-01' }), '/occurredAt'],
    ['occurredAt without offset', (e) => ({ ...e, occurredAt: '2024-01-01T00:00:00' }), '/occurredAt'],
    ['occurredAt month 13', (e) => ({ ...e, occurredAt: '2024-13-01T00:00:00Z' }), '/occurredAt'],
    ['occurredAt February 30', (e) => ({ ...e, occurredAt: '2024-02-30T00:00:00Z' }), '/occurredAt'],
    ['occurredAt hour 25', (e) => ({ ...e, occurredAt: '2024-01-01T25:00:00Z' }), '/occurredAt'],
    ['occurredAt a number', (e) => ({ ...e, occurredAt: 1704067200000 }), '/occurredAt'],
    ['occurredAt 10 minutes in the future', (e) => ({ ...e, occurredAt: future(10) }), '/occurredAt'],
    ['occurredAt 1 hour in the future', (e) => ({ ...e, occurredAt: future(60) }), '/occurredAt'],
    ['ip 999.1.1.1', (e) => ({ ...e, ip: '999.1.1.1' }), '/ip'],
    ['ip with three octets', (e) => ({ ...e, ip: '10.0.0' }), '/ip'],
    ['ip with five octets', (e) => ({ ...e, ip: '1.2.3.4.5' }), '/ip'],
    ['ip a word', (e) => ({ ...e, ip: 'hello' }), '/ip'],
    ['ip a CIDR block', (e) => ({ ...e, ip: '10.0.0.0/24' }), '/ip'],
    ['ip IPv6 with a bad group', (e) => ({ ...e, ip: '2001:db8::g' }), '/ip'],
    ['ip IPv6 with two ::', (e) => ({ ...e, ip: '2001::db8::1' }), '/ip'],
    ['ip empty', (e) => ({ ...e, ip: '' }), '/ip'],
    ['ip IPv4 with a leading zero (octal ambiguity)', (e) => ({ ...e, ip: '010.0.0.1' }), '/ip'],
    ['ip IPv4 in hex', (e) => ({ ...e, ip: '0x0a.0.0.1' }), '/ip'],
    ['ip IPv4 as one number', (e) => ({ ...e, ip: '167772161' }), '/ip'],
    ['ip IPv4 short form', (e) => ({ ...e, ip: '10.1' }), '/ip'],
    ['ip with surrounding space', (e) => ({ ...e, ip: ' 10.0.0.1' }), '/ip'],
    ['ip IPv6 with nine groups', (e) => ({ ...e, ip: '1:2:3:4:5:6:7:8:9' }), '/ip'],
    ['id longer than 128', (e) => ({ ...e, id: 'x'.repeat(129) }), '/id'],
    ['id not a string', (e) => ({ ...e, id: 5 }), '/id'],
    ['userAgent not a string', (e) => ({ ...e, userAgent: 5 }), '/userAgent'],
    ['sessionId not a string', (e) => ({ ...e, sessionId: true }), '/sessionId'],
    ['requestId not a string', (e) => ({ ...e, requestId: {} }), '/requestId'],
    ['reason not a string', (e) => ({ ...e, reason: ['x'] }), '/reason'],
    ['metadata a string', (e) => ({ ...e, metadata: 'x' }), '/metadata'],
    ['metadata an array', (e) => ({ ...e, metadata: [1] }), '/metadata'],
  ];

  for (const [name, mutate, path] of bad) {
    it(`${name} → 400 invalid_event at ${path}`, async () => {
      const single = mutate(event({}, `bad-${name}`));
      const one = await server.post(single);
      expect(one.status).toBe(400);
      expectErrorShape(one.body);
      expect(one.body.error.code).toBe('invalid_event');
      expect(one.body.error.details.map((d: any) => d.path)).toContain(path);

      const batch = [0, 1, 2, 3, 4].map(() => event({}, `bad-${name}`));
      batch[3] = mutate(batch[3] as any);
      const many = await server.post({ events: batch });
      expect(many.status).toBe(400);
      expectErrorShape(many.body);
      expect(many.body.error.details.map((d: any) => d.path)).toContain(`/events/3${path}`);
      expect(await countTarget(server, `bad-${name}`)).toBe(0);
    });
  }

  it('eventType without any dot is rejected ("dotted lowercase")', async () => {
    const { status, body } = await server.post(event({ eventType: 'usercreated' }));
    expect(status).toBe(400);
    expect(body.error.details.map((d: any) => d.path)).toContain('/eventType');
  });

  const good: [string, Record<string, unknown>][] = [
    ['eventType user.role_changed', { eventType: 'user.role_changed' }],
    ['eventType security.2fa_reset', { eventType: 'security.2fa_reset' }],
    ['eventType with three segments', { eventType: 'ai.api_key.updated' }],
    ['every category of the default catalog', {}],
    ['actor.type service', { actor: { id: 'svc', type: 'service' } }],
    ['actor.type system', { actor: { id: 'sys', type: 'system' } }],
    ['occurredAt 2 minutes in the future', { occurredAt: new Date(Date.now() + 120_000).toISOString() }],
    ['occurredAt with offset, 3 minutes in the future', { occurredAt: 'FUTURE_OFFSET' }],
    ['occurredAt long ago', { occurredAt: '1999-12-31T23:59:59Z' }],
    ['occurredAt with fractional seconds and offset', { occurredAt: '2024-03-01T10:00:00.123456+02:00' }],
    [
      'occurredAt with lower-case t and z (RFC 3339 §5.6 allows them)',
      { occurredAt: '2024-03-01t10:00:00z' },
    ],
    ['ip IPv6 loopback', { ip: '::1' }],
    ['ip IPv6', { ip: '2001:db8::1' }],
    ['ip IPv6 full form', { ip: '2001:0db8:0000:0000:0000:0000:0000:0001' }],
    ['ip IPv4-mapped IPv6', { ip: '::ffff:192.0.2.1' }],
    ['ip IPv4', { ip: '255.255.255.255' }],
    ['id of 128 characters', { id: 'i'.repeat(128) }],
    ['oldValue/newValue scalars and null', { oldValue: null, newValue: 'on' }],
    ['oldValue/newValue arrays', { oldValue: [1, 2], newValue: [1, 2, 3] }],
    [
      'all optional strings',
      { userAgent: 'curl/8', sessionId: 's1', requestId: 'r1', reason: 'why', metadata: { a: { b: 1 } } },
    ],
  ];
  for (const [name, over] of good) {
    it(`accepts ${name}`, async () => {
      if (over.occurredAt === 'FUTURE_OFFSET') {
        const at = Date.now() + 180_000;
        const local = new Date(at - 8 * 3_600_000).toISOString().slice(0, 19);
        over.occurredAt = `${local}-08:00`;
      }
      if (name.startsWith('every category')) {
        const cats = ['users', 'campaigns', 'settings', 'telephony', 'ai', 'security', 'bulk', 'inbound'];
        const { status, body } = await server.post({ events: cats.map((category) => event({ category })) });
        expect(status, JSON.stringify(body)).toBe(201);
        return;
      }
      const { status, body } = await server.post(event(over));
      expect(status, JSON.stringify(body)).toBe(201);
    });
  }

  const shapes: [string, string][] = [
    ['an array', '[]'],
    ['a string', '"event"'],
    ['a number', '42'],
    ['null', 'null'],
    ['an empty batch', '{"events":[]}'],
    ['events not an array', '{"events":"x"}'],
    ['an empty object', '{}'],
  ];
  for (const [name, body] of shapes) {
    it(`a body that is ${name} → 400`, async () => {
      const res = await server.request('/v1/events', {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/json' },
      });
      expect(res.status).toBe(400);
      const b: any = await res.json();
      expectErrorShape(b);
      expect(['invalid_event', 'invalid_request']).toContain(b.error.code);
    });
  }
});

describe('POST /v1/events: limits', () => {
  it('more than 1000 events → 413 payload_too_large naming /events, nothing stored', async () => {
    const events = Array.from({ length: 1001 }, () => event({}, 'over-1000'));
    const { status, body } = await server.post({ events });
    // API.md: batches hold 1–1000 events; the README's error table maps "1000 events per batch" to 413.
    expect(status).toBe(413);
    expectErrorShape(body);
    expect(body.error.code).toBe('payload_too_large');
    expect(await countTarget(server, 'over-1000')).toBe(0);
  });

  it('a value over 64 KiB → 413 at /events/1/newValue, nothing stored; 60 KiB is fine', async () => {
    const ok = await server.post(event({ newValue: { blob: 'v'.repeat(60 * 1024) } }));
    expect(ok.status).toBe(201);
    const events = [
      event({}, 'big-value'),
      event({ newValue: { blob: 'v'.repeat(70 * 1024) } }, 'big-value'),
    ];
    const { status, body } = await server.post({ events });
    expect(status).toBe(413);
    expectErrorShape(body);
    expect(body.error.code).toBe('payload_too_large');
    expect(body.error.details.map((d: any) => d.path)).toContain('/events/1/newValue');
    expect(await countTarget(server, 'big-value')).toBe(0);
  });

  it('oldValue over 64 KiB is rejected too', async () => {
    const { status, body } = await server.post(event({ oldValue: ['o'.repeat(70 * 1024)] }, 'big-old'));
    expect(status).toBe(413);
    expect(body.error.details.map((d: any) => d.path)).toContain('/oldValue');
    expect(await countTarget(server, 'big-old')).toBe(0);
  });

  it('64 KiB is measured in bytes: 40,000 "é" (80 KB of UTF-8) is over the limit', async () => {
    const { status, body } = await server.post(event({ newValue: 'é'.repeat(40_000) }, 'big-utf8'));
    expect(status).toBe(413);
    expect(body.error.details.map((d: any) => d.path)).toContain('/newValue');
    expect(await countTarget(server, 'big-utf8')).toBe(0);
  });

  it('metadata over 16 KiB → 413 at /metadata; 15 KiB is fine', async () => {
    const ok = await server.post(event({ metadata: { note: 'm'.repeat(15 * 1024) } }));
    expect(ok.status).toBe(201);
    const { status, body } = await server.post({
      events: [event({ metadata: { note: 'm'.repeat(17 * 1024) } }, 'big-meta')],
    });
    expect(status).toBe(413);
    expectErrorShape(body);
    expect(body.error.details.map((d: any) => d.path)).toContain('/events/0/metadata');
    expect(await countTarget(server, 'big-meta')).toBe(0);
  });

  it('an event over 256 KiB (every value within its own limit) is rejected, naming that event', async () => {
    const fat = event(
      {
        oldValue: { blob: 'o'.repeat(60 * 1024) },
        newValue: { blob: 'n'.repeat(60 * 1024) },
        metadata: { blob: 'm'.repeat(15 * 1024) },
        reason: 'r'.repeat(130 * 1024),
      },
      'big-event',
    );
    expect(Buffer.byteLength(JSON.stringify(fat))).toBeGreaterThan(256 * 1024);
    const { status, body } = await server.post({ events: [event({}, 'big-event'), fat] });
    // API.md gives no status for this limit; the README's table says 413. A 400 that names the event is accepted too.
    expect([400, 413]).toContain(status);
    expectErrorShape(body);
    expect(body.error.details.length).toBeGreaterThan(0);
    expect(body.error.details.every((d: any) => d.path.startsWith('/events/1'))).toBe(true);
    expect(await countTarget(server, 'big-event')).toBe(0);
  });

  it('a request over 8 MiB is answered 413 payload_too_large (not a dropped connection)', async () => {
    const body = JSON.stringify({ events: [event({ reason: 'x'.repeat(9 * 1024 * 1024) }, 'huge')] });
    const res = await server.request('/v1/events', {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status).toBe(413);
    const b: any = await res.json();
    expectErrorShape(b);
    expect(b.error.code).toBe('payload_too_large');
    expect(await countTarget(server, 'huge')).toBe(0);
  });

  it('a chunked request (no Content-Length) over 8 MiB is answered 413 too', async () => {
    const chunk = new TextEncoder().encode(' '.repeat(1024 * 1024));
    const stream = new ReadableStream({
      start(c) {
        c.enqueue(new TextEncoder().encode('{"events":['));
        for (let i = 0; i < 10; i++) c.enqueue(chunk);
        c.enqueue(new TextEncoder().encode(']}'));
        c.close();
      },
    });
    const res = await server.request('/v1/events', {
      method: 'POST',
      body: stream,
      headers: { 'content-type': 'application/json' },
      duplex: 'half',
    } as RequestInit);
    expect(res.status).toBe(413);
    expectErrorShape(await res.json());
  });
});

describe('robustness: bad bodies never give 5xx and never stop the server', () => {
  const malformed = ['{bad', '{"events": [', '', '{"actor": {"id": "x"},}', '\u0000', 'nul'];
  for (const body of malformed) {
    it(`malformed JSON ${JSON.stringify(body)} → 400 invalid_request`, async () => {
      const res = await server.request('/v1/events', {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/json' },
      });
      expect(res.status).toBe(400);
      const b: any = await res.json();
      expectErrorShape(b);
      expect(b.error.code).toBe('invalid_request');
    });
  }

  it('a body that is not JSON (text/plain) → 415 unsupported_media_type', async () => {
    const res = await server.request('/v1/events', {
      method: 'POST',
      body: JSON.stringify(event()),
      headers: { 'content-type': 'text/plain' },
    });
    // API.md: bad input gets a 4xx; the README's error table names 415 for "a body that is not JSON".
    expect(res.status).toBe(415);
    const b: any = await res.json();
    expectErrorShape(b);
    expect(b.error.code).toBe('unsupported_media_type');
  });

  for (const ct of ['application/json; charset=utf-8', 'Application/JSON']) {
    it(`content-type ${ct} is JSON`, async () => {
      const res = await server.request('/v1/events', {
        method: 'POST',
        body: JSON.stringify(event()),
        headers: { 'content-type': ct },
      });
      expect(res.status).toBe(201);
    });
  }

  it('oldValue/newValue are "any JSON": keys named __proto__ and constructor.prototype are valid JSON and kept as data', async () => {
    const raw = JSON.stringify(event({ id: 'proto-keys' }, 'proto')).replace(
      '"newValue":{"maxChannels":120}',
      '"newValue":{"__proto__":{"isAdmin":true},"constructor":{"prototype":{"x":1}},"maxChannels":120}',
    );
    const res = await server.request('/v1/events', {
      method: 'POST',
      body: raw,
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status).toBe(201);
    const text = await (await server.request('/v1/events/proto-keys')).text();
    const got = JSON.parse(text); // JSON.parse keeps "__proto__" as an own key
    expect(Object.keys(got.newValue).sort()).toEqual(['__proto__', 'constructor', 'maxChannels']);
    expect(JSON.stringify(got.newValue.constructor)).toBe('{"prototype":{"x":1}}');
    expect(({} as any).isAdmin).toBeUndefined();
  });

  it('a deeply nested value (20,000 levels, 40 KB) is stored or refused with a 4xx, never a 5xx', async () => {
    const deep = `${'['.repeat(20_000)}${']'.repeat(20_000)}`;
    const raw = JSON.stringify(event({ id: 'deep-1' }, 'deep')).replace(
      '"newValue":{"maxChannels":120}',
      `"newValue":${deep}`,
    );
    const res = await server.request('/v1/events', {
      method: 'POST',
      body: raw,
      headers: { 'content-type': 'application/json' },
    });
    expect([201, 400, 413]).toContain(res.status);
    if (res.status === 201) expect((await server.getJson('/v1/events/deep-1')).status).toBe(200);
    else expectErrorShape(await res.json());
  });

  it('a deeply nested metadata object is stored or refused with a 4xx, never a 5xx', async () => {
    const deep = `${'{"a":'.repeat(2700)}1${'}'.repeat(2700)}`; // 16.2 KB: under the metadata limit
    const raw = JSON.stringify(event({ id: 'deep-2' }, 'deep')).replace(
      '"ip":"10.0.0.1"',
      `"ip":"10.0.0.1","metadata":${deep}`,
    );
    const res = await server.request('/v1/events', {
      method: 'POST',
      body: raw,
      headers: { 'content-type': 'application/json' },
    });
    expect([201, 400, 413]).toContain(res.status);
    if (res.status === 201) expect((await server.getJson('/v1/events/deep-2')).status).toBe(200);
  });

  it('strings with a lone surrogate or a NUL character are stored and read back, or refused with 400', async () => {
    for (const [id, s] of [
      ['odd-1', '\\ud800'],
      ['odd-2', 'a\\u0000b'],
    ]) {
      const raw = JSON.stringify(event({ id }, 'odd')).replace(
        '"ip":"10.0.0.1"',
        `"ip":"10.0.0.1","reason":"${s}"`,
      );
      const res = await server.request('/v1/events', {
        method: 'POST',
        body: raw,
        headers: { 'content-type': 'application/json' },
      });
      expect([201, 400]).toContain(res.status);
      if (res.status === 201) {
        const got = await server.getJson(`/v1/events/${id}`);
        expect(got.status).toBe(200);
        expect((await server.getJson('/v1/events?targetId=odd')).status).toBe(200);
      }
    }
  });

  it('seq is 1, 2, 3, … without gaps over everything this file stored (rejected requests consumed none)', async () => {
    // A few dozen stored among hundreds of refused requests (ingest.test.ts checks its thousands too).
    await expectGapFreeSeqs(server, 20);
  });

  it('the server is still serving after all of the above', async () => {
    expect(server.alive()).toBe(true);
    const h = await fetch(`${server.url}/healthz`);
    expect(h.status).toBe(200);
    const { status } = await server.post(event());
    expect(status).toBe(201);
  });
});
