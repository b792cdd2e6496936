// POST /v1/events: response shape, batches, atomicity and idempotency (also under concurrency). Validation,
// limits and robustness: ingest-validation.test.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/temp-dir.js';
import {
  countTarget,
  event,
  expectGapFreeSeqs,
  lastSeq,
  RFC3339,
  UUID_V7,
  without,
} from './helpers/events.js';
import { expectErrorShape, type RunningServer, startServer } from './helpers/server.js';

const dir = tempDir('auditlog-contract-ingest-');
let server: RunningServer;

beforeAll(async () => {
  server = await startServer({ dbFile: dir.file('a.db') });
});

afterAll(async () => {
  await server?.stop();
  dir.remove();
});

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
    expect(await countTarget(server, 'thousand')).toBe(1000);
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
    expect(await countTarget(server, 'concurrent')).toBe(100);
  });
});

describe('POST /v1/events: batches are all or nothing', () => {
  it('one bad event (index 7) stores nothing and names /events/7/action', async () => {
    const seqBefore = await lastSeq(server);
    const events = Array.from({ length: 10 }, (_, i) => event({ id: `atomic-${i}` }, 'atomic'));
    events[7] = { ...events[7], action: 'destroy' };
    const { status, body } = await server.post({ events });
    expect(status).toBe(400);
    expectErrorShape(body);
    expect(body.error.code).toBe('invalid_event');
    expect(body.error.details.map((d: any) => d.path)).toContain('/events/7/action');
    expect(body.error.details.every((d: any) => d.path.startsWith('/events/7'))).toBe(true);
    expect(await countTarget(server, 'atomic')).toBe(0);
    for (let i = 0; i < 10; i++) expect((await server.getJson(`/v1/events/atomic-${i}`)).status).toBe(404);
    // API.md (Integrity): seq numbers each tenant's entries without gaps — a rejected batch must not consume any.
    expect(await lastSeq(server)).toBe(seqBefore + 1);
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
    expect(await countTarget(server, 'atomic-2')).toBe(0);
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
    expect(await countTarget(server, 'atomic-3')).toBe(1);
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
    expect(await countTarget(server, 'idem-1')).toBe(1);
  });

  it('same content with the keys in another order is the same content', async () => {
    const e = event({ id: 'idem-2', newValue: { a: 1, b: { c: 2, d: 3 } } }, 'idem-2');
    expect((await server.post(e)).status).toBe(201);
    const reordered = Object.fromEntries(Object.entries(e).reverse());
    reordered.newValue = { b: { d: 3, c: 2 }, a: 1 };
    const b = await server.post(reordered);
    expect(b.status).toBe(201);
    expect(b.body.events[0].duplicate).toBe(true);
    expect(await countTarget(server, 'idem-2')).toBe(1);
  });

  it('a retried event without occurredAt (server default "now") is a duplicate, not a conflict', async () => {
    const e = without(event({ id: 'idem-3' }, 'idem-3'), 'occurredAt');
    expect((await server.post(e)).status).toBe(201);
    await new Promise((r) => setTimeout(r, 20));
    const b = await server.post(e);
    expect(b.status).toBe(201);
    expect(b.body.events[0].duplicate).toBe(true);
    expect(await countTarget(server, 'idem-3')).toBe(1);
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
    expect(await countTarget(server, 'idem-4')).toBe(1);
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
    expect(await countTarget(server, 'idem-mix')).toBe(2);
  });

  it('the same id twice in one batch with the same content is stored once', async () => {
    const e = event({ id: 'idem-5' }, 'idem-5');
    const { status, body } = await server.post({ events: [e, e] });
    expect(status).toBe(201);
    expect(body.events.map((r: any) => r.duplicate)).toEqual([false, true]);
    expect(body.events[1].seq).toBe(body.events[0].seq);
    expect(await countTarget(server, 'idem-5')).toBe(1);
  });

  it('the same id twice in one batch with other content → 409 and nothing stored', async () => {
    const e = event({ id: 'idem-6' }, 'idem-6');
    const { status, body } = await server.post({ events: [e, { ...e, action: 'delete' }] });
    expect(status).toBe(409);
    expectErrorShape(body);
    expect(body.error.code).toBe('idempotency_conflict');
    expect(await countTarget(server, 'idem-6')).toBe(0);
  });
});

describe('POST /v1/events: idempotency under concurrency', () => {
  it('identical events without an id are two events', async () => {
    const e = event({}, 'no-id-twice');
    const { status, body } = await server.post({ events: [e, e] });
    expect(status).toBe(201);
    expect(body.events[0].id).not.toBe(body.events[1].id);
    expect(body.events.map((r: any) => r.duplicate)).toEqual([false, false]);
    expect(await countTarget(server, 'no-id-twice')).toBe(2);
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
    expect(await countTarget(server, 'race-same')).toBe(1);
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
    expect(await countTarget(server, 'race-diff')).toBe(1);
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
      expect(await countTarget(server, `group-${i}`), `batch ${i}`).toBe(job.ok ? 3 : 0);
    }
  });
});

describe('POST /v1/events: seq', () => {
  it('seq is 1, 2, 3, … without gaps over everything this file stored (conflicts consumed none)', async () => {
    await expectGapFreeSeqs(server, 2000);
  });
});
