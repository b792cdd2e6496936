// POST /v1/events: response shape, batches, atomicity, idempotency, every validation rule and limit of API.md,
// and robustness against bad bodies.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/temp-dir.js';
import { expectErrorShape, fetchAllPages, type RunningServer, startServer } from './helpers/server.js';

const dir = tempDir('auditlog-contract-ingest-');
let server: RunningServer;

beforeAll(async () => {
  server = await startServer({ dbFile: dir.file('a.db') });
});

afterAll(async () => {
  await server?.stop();
  dir.remove();
});

let counter = 0;
/** A valid event on its own target (so it can be counted with ?targetId=). */
function event(over: Record<string, unknown> = {}, targetId = `t-${++counter}`): Record<string, any> {
  return {
    occurredAt: '2024-03-01T10:00:00Z',
    actor: { id: 'usr_1', username: 'jane.admin', displayName: 'Jane Admin' },
    action: 'update',
    eventType: 'carrier.updated',
    category: 'telephony',
    target: { type: 'Carrier', id: targetId },
    oldValue: { maxChannels: 60 },
    newValue: { maxChannels: 120 },
    ip: '10.0.0.1',
    ...over,
  };
}

/** Removes a field given as a JSON Pointer-ish path ("actor/id"). */
function without(e: Record<string, any>, path: string): Record<string, any> {
  const copy = structuredClone(e);
  const parts = path.split('/');
  let o: any = copy;
  for (const p of parts.slice(0, -1)) o = o[p];
  delete o[parts[parts.length - 1] as string];
  return copy;
}
function withValue(e: Record<string, any>, path: string, v: unknown): Record<string, any> {
  const copy = structuredClone(e);
  const parts = path.split('/');
  let o: any = copy;
  for (const p of parts.slice(0, -1)) o = o[p];
  o[parts[parts.length - 1] as string] = v;
  return copy;
}

async function countTarget(targetId: string): Promise<number> {
  const { events } = await fetchAllPages(
    server,
    '/v1/events',
    new URLSearchParams({ targetId, limit: '500' }),
  );
  return events.length;
}

async function lastSeq(): Promise<number> {
  const { status, body } = await server.post(event({}, 'seq-probe'));
  expect(status).toBe(201);
  return body.events[0].seq;
}

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

describe('POST /v1/events: response', () => {
  it('a single event answers 201 { events: [ { id, seq, receivedAt, duplicate: false } ] }', async () => {
    const { status, body } = await server.post(event());
    expect(status).toBe(201);
    expect(Object.keys(body)).toEqual(['events']);
    expect(body.events).toHaveLength(1);
    const r = body.events[0];
    expect(r.id).toMatch(UUID_V7);
    expect(Number.isInteger(r.seq)).toBe(true);
    expect(r.seq).toBeGreaterThan(0);
    expect(r.receivedAt).toMatch(RFC3339);
    expect(r.duplicate).toBe(false);
  });

  it('a batch answers one result per event, in order, with the given ids and increasing consecutive seqs', async () => {
    const ids = ['batch-a', 'batch-b', 'batch-c'];
    const { status, body } = await server.post({ events: ids.map((id) => event({ id })) });
    expect(status).toBe(201);
    expect(body.events.map((e: any) => e.id)).toEqual(ids);
    const seqs = body.events.map((e: any) => e.seq);
    expect(seqs).toEqual([seqs[0], seqs[0] + 1, seqs[0] + 2]);
    expect(body.events.every((e: any) => e.duplicate === false)).toBe(true);
  });

  it('defaults: server-assigned UUIDv7 id, actor.type user, occurredAt now, eventType <target.type>.<action>', async () => {
    const e = without(without(event(), 'occurredAt'), 'eventType');
    const before = Date.now();
    const { status, body } = await server.post(e);
    const after = Date.now();
    expect(status).toBe(201);
    const id = body.events[0].id;
    expect(id).toMatch(UUID_V7);
    const got = await server.getJson(`/v1/events/${id}`);
    expect(got.status).toBe(200);
    expect(got.body.actor.type).toBe('user');
    const at = Date.parse(got.body.occurredAt);
    expect(at).toBeGreaterThanOrEqual(before - 1000);
    expect(at).toBeLessThanOrEqual(after + 1000);
    // API.md: default `<target.type>.<action>`; eventType is "dotted lowercase", so compare case-insensitively.
    expect(String(got.body.eventType).toLowerCase()).toBe(`${e.target.type}.${e.action}`.toLowerCase());
  });

  it('a batch of exactly 1000 events is accepted', async () => {
    const events = Array.from({ length: 1000 }, () => event({}, 'thousand'));
    const { status, body } = await server.post({ events });
    expect(status).toBe(201);
    expect(body.events).toHaveLength(1000);
    expect(new Set(body.events.map((e: any) => e.seq)).size).toBe(1000);
    expect(await countTarget('thousand')).toBe(1000);
  });

  it('a 7 MiB request (1000 events of 7 KiB, under every limit) is accepted', async () => {
    const events = Array.from({ length: 1000 }, (_, i) =>
      event({ newValue: { blob: `${i}`.padEnd(7 * 1024, 'x') } }, 'seven-mib'),
    );
    const bytes = Buffer.byteLength(JSON.stringify({ events }));
    expect(bytes).toBeGreaterThan(7 * 1024 * 1024);
    expect(bytes).toBeLessThan(8 * 1024 * 1024);
    const { status, body } = await server.post({ events });
    expect(status).toBe(201);
    expect(body.events).toHaveLength(1000);
  });

  it('many concurrent single-event posts all succeed with distinct, gapless seqs', async () => {
    const results = await Promise.all(
      Array.from({ length: 100 }, () => server.post(event({}, 'concurrent'))),
    );
    expect(results.map((r) => r.status)).toEqual(Array(100).fill(201));
    const seqs = results.map((r) => r.body.events[0].seq).sort((a, b) => a - b);
    expect(new Set(seqs).size).toBe(100);
    expect(seqs[99] - seqs[0]).toBe(99);
    expect(await countTarget('concurrent')).toBe(100);
  });
});

describe('POST /v1/events: batches are all or nothing', () => {
  it('one bad event (index 7) stores nothing and names /events/7/action', async () => {
    const seqBefore = await lastSeq();
    const events = Array.from({ length: 10 }, (_, i) => event({ id: `atomic-${i}` }, 'atomic'));
    events[7] = { ...events[7], action: 'destroy' };
    const { status, body } = await server.post({ events });
    expect(status).toBe(400);
    expectErrorShape(body);
    expect(body.error.code).toBe('invalid_event');
    expect(body.error.details.map((d: any) => d.path)).toContain('/events/7/action');
    expect(body.error.details.every((d: any) => d.path.startsWith('/events/7'))).toBe(true);
    expect(await countTarget('atomic')).toBe(0);
    for (let i = 0; i < 10; i++) expect((await server.getJson(`/v1/events/atomic-${i}`)).status).toBe(404);
    // API.md (Integrity): seq numbers each tenant's entries without gaps — a rejected batch must not consume any.
    expect(await lastSeq()).toBe(seqBefore + 1);
  });

  it('every problem of every event is listed', async () => {
    const events = Array.from({ length: 9 }, () => event({}, 'atomic-2'));
    events[2] = without(events[2] as any, 'actor/id');
    events[7] = { ...events[7], category: 'billing', ip: 'not-an-ip' };
    const { status, body } = await server.post({ events });
    expect(status).toBe(400);
    expectErrorShape(body);
    const paths = body.error.details.map((d: any) => d.path);
    expect(paths).toEqual(
      expect.arrayContaining(['/events/2/actor/id', '/events/7/category', '/events/7/ip']),
    );
    expect(await countTarget('atomic-2')).toBe(0);
  });

  it('an idempotency conflict inside a batch stores nothing of the batch', async () => {
    const first = event({ id: 'conflict-base' }, 'atomic-3');
    expect((await server.post(first)).status).toBe(201);
    const { status, body } = await server.post({
      events: [event({ id: 'atomic-3-new' }, 'atomic-3'), { ...first, action: 'delete' }],
    });
    expect(status).toBe(409);
    expectErrorShape(body);
    expect(body.error.code).toBe('idempotency_conflict');
    expect((await server.getJson('/v1/events/atomic-3-new')).status).toBe(404);
    expect(await countTarget('atomic-3')).toBe(1);
  });
});

describe('POST /v1/events: idempotency', () => {
  it('same id and same content → duplicate: true, same id and seq, nothing stored twice', async () => {
    const e = event({ id: 'idem-1' }, 'idem-1');
    const a = await server.post(e);
    expect(a.status).toBe(201);
    const b = await server.post(e);
    expect(b.status).toBe(201);
    expect(b.body.events[0]).toMatchObject({ id: 'idem-1', seq: a.body.events[0].seq, duplicate: true });
    expect(Date.parse(b.body.events[0].receivedAt)).toBe(Date.parse(a.body.events[0].receivedAt));
    expect(a.body.events[0].duplicate).toBe(false);
    expect(await countTarget('idem-1')).toBe(1);
  });

  it('same content with the keys in another order is the same content', async () => {
    const e = event({ id: 'idem-2', newValue: { a: 1, b: { c: 2, d: 3 } } }, 'idem-2');
    expect((await server.post(e)).status).toBe(201);
    const reordered = Object.fromEntries(Object.entries(e).reverse());
    reordered.newValue = { b: { d: 3, c: 2 }, a: 1 };
    const b = await server.post(reordered);
    expect(b.status).toBe(201);
    expect(b.body.events[0].duplicate).toBe(true);
    expect(await countTarget('idem-2')).toBe(1);
  });

  it('a retried event without occurredAt (server default "now") is a duplicate, not a conflict', async () => {
    const e = without(event({ id: 'idem-3' }, 'idem-3'), 'occurredAt');
    expect((await server.post(e)).status).toBe(201);
    await new Promise((r) => setTimeout(r, 20));
    const b = await server.post(e);
    expect(b.status).toBe(201);
    expect(b.body.events[0].duplicate).toBe(true);
    expect(await countTarget('idem-3')).toBe(1);
  });

  it('same id with other content → 409 idempotency_conflict, the stored event is unchanged', async () => {
    const e = event({ id: 'idem-4' }, 'idem-4');
    expect((await server.post(e)).status).toBe(201);
    const { status, body } = await server.post({ ...e, newValue: { maxChannels: 121 } });
    expect(status).toBe(409);
    expectErrorShape(body);
    expect(body.error.code).toBe('idempotency_conflict');
    const got = await server.getJson('/v1/events/idem-4');
    expect(got.body.newValue).toEqual({ maxChannels: 120 });
    expect(await countTarget('idem-4')).toBe(1);
  });

  it('a batch mixing a re-sent event and a new one: [duplicate: true, duplicate: false], the new one stored', async () => {
    const old = event({ id: 'idem-mix-old' }, 'idem-mix');
    const first = await server.post(old);
    expect(first.status).toBe(201);
    const { status, body } = await server.post({ events: [old, event({ id: 'idem-mix-new' }, 'idem-mix')] });
    expect(status).toBe(201);
    expect(body.events.map((r: any) => [r.id, r.duplicate])).toEqual([
      ['idem-mix-old', true],
      ['idem-mix-new', false],
    ]);
    expect(body.events[0].seq).toBe(first.body.events[0].seq);
    expect(await countTarget('idem-mix')).toBe(2);
  });

  it('the same id twice in one batch with the same content is stored once', async () => {
    const e = event({ id: 'idem-5' }, 'idem-5');
    const { status, body } = await server.post({ events: [e, e] });
    expect(status).toBe(201);
    expect(body.events.map((r: any) => r.duplicate)).toEqual([false, true]);
    expect(body.events[1].seq).toBe(body.events[0].seq);
    expect(await countTarget('idem-5')).toBe(1);
  });

  it('the same id twice in one batch with other content → 409 and nothing stored', async () => {
    const e = event({ id: 'idem-6' }, 'idem-6');
    const { status, body } = await server.post({ events: [e, { ...e, action: 'delete' }] });
    expect(status).toBe(409);
    expectErrorShape(body);
    expect(body.error.code).toBe('idempotency_conflict');
    expect(await countTarget('idem-6')).toBe(0);
  });
});

describe('POST /v1/events: idempotency under concurrency', () => {
  it('identical events without an id are two events', async () => {
    const e = event({}, 'no-id-twice');
    const { status, body } = await server.post({ events: [e, e] });
    expect(status).toBe(201);
    expect(body.events[0].id).not.toBe(body.events[1].id);
    expect(body.events.map((r: any) => r.duplicate)).toEqual([false, false]);
    expect(await countTarget('no-id-twice')).toBe(2);
  });

  it('ids are case-sensitive: Case-Id and case-id are two events', async () => {
    expect((await server.post(event({ id: 'Case-Id' }, 'case-ids'))).status).toBe(201);
    const b = await server.post(event({ id: 'case-id', action: 'delete' }, 'case-ids'));
    expect(b.status).toBe(201);
    expect(b.body.events[0].duplicate).toBe(false);
    expect((await server.getJson('/v1/events/Case-Id')).body.action).toBe('update');
    expect((await server.getJson('/v1/events/case-id')).body.action).toBe('delete');
  });

  it('20 concurrent posts of the same id and content: one stored, the others duplicate: true', async () => {
    const e = event({ id: 'race-same' }, 'race-same');
    const results = await Promise.all(Array.from({ length: 20 }, () => server.post(e)));
    expect(results.map((r) => r.status)).toEqual(Array(20).fill(201));
    expect(results.filter((r) => r.body.events[0].duplicate === false)).toHaveLength(1);
    expect(new Set(results.map((r) => r.body.events[0].seq)).size).toBe(1);
    expect(await countTarget('race-same')).toBe(1);
  });

  it('20 concurrent posts of the same id with different content: exactly one 201, the others 409', async () => {
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        server.post(event({ id: 'race-diff', newValue: { maxChannels: i } }, 'race-diff')),
      ),
    );
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    expect(results.filter((r) => r.status === 409)).toHaveLength(19);
    const winner = results.find((r) => r.status === 201);
    const got = await server.getJson('/v1/events/race-diff');
    const i = results.indexOf(winner as any);
    expect(got.body.newValue).toEqual({ maxChannels: i });
    expect(await countTarget('race-diff')).toBe(1);
  });

  it('concurrent batches: failing ones store nothing, the others are all stored', async () => {
    const base = event({ id: 'group-existing' }, 'group-existing');
    expect((await server.post(base)).status).toBe(201);
    const jobs = Array.from({ length: 30 }, (_, i) => {
      if (i % 6 === 0)
        return { ok: false, body: { events: [event({}, `group-${i}`), { ...base, action: 'delete' }] } }; // 409
      if (i % 6 === 3)
        return {
          ok: false,
          body: { events: [event({}, `group-${i}`), event({ action: 'nope' }, `group-${i}`)] },
        }; // 400
      return {
        ok: true,
        body: { events: [event({}, `group-${i}`), event({}, `group-${i}`), event({}, `group-${i}`)] },
      };
    });
    const results = await Promise.all(jobs.map((j) => server.post(j.body)));
    for (let i = 0; i < jobs.length; i++) {
      const job = jobs[i] as (typeof jobs)[number];
      expect(results[i]?.status, `batch ${i}`).toBe(job.ok ? 201 : i % 6 === 0 ? 409 : 400);
      expect(await countTarget(`group-${i}`), `batch ${i}`).toBe(job.ok ? 3 : 0);
    }
  });
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
      expect(await countTarget(`bad-${name}`)).toBe(0);
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
    expect(await countTarget('over-1000')).toBe(0);
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
    expect(await countTarget('big-value')).toBe(0);
  });

  it('oldValue over 64 KiB is rejected too', async () => {
    const { status, body } = await server.post(event({ oldValue: ['o'.repeat(70 * 1024)] }, 'big-old'));
    expect(status).toBe(413);
    expect(body.error.details.map((d: any) => d.path)).toContain('/oldValue');
    expect(await countTarget('big-old')).toBe(0);
  });

  it('64 KiB is measured in bytes: 40,000 "é" (80 KB of UTF-8) is over the limit', async () => {
    const { status, body } = await server.post(event({ newValue: 'é'.repeat(40_000) }, 'big-utf8'));
    expect(status).toBe(413);
    expect(body.error.details.map((d: any) => d.path)).toContain('/newValue');
    expect(await countTarget('big-utf8')).toBe(0);
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
    expect(await countTarget('big-meta')).toBe(0);
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
    expect(await countTarget('big-event')).toBe(0);
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
    expect(await countTarget('huge')).toBe(0);
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
    const { events } = await fetchAllPages(server, '/v1/events', new URLSearchParams({ limit: '500' }));
    const seqs = events.map((e) => e.seq).sort((a, b) => a - b);
    expect(seqs.length).toBeGreaterThan(2000);
    const gaps = seqs.filter((s, i) => s !== i + 1).slice(0, 3);
    expect(gaps).toEqual([]);
  });

  it('the server is still serving after all of the above', async () => {
    expect(server.alive()).toBe(true);
    const h = await fetch(`${server.url}/healthz`);
    expect(h.status).toBe(200);
    const { status } = await server.post(event());
    expect(status).toBe(201);
  });
});
