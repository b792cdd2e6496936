// Ingest bodies over 1 MiB are checked by a thread of their own before the event loop parses them
// (server/plugins/large-bodies.ts). The answers must be the ones the core gives without it: a body the core
// refuses as too large gets its very 413 (the core is asked directly here for comparison), and every other
// body — valid, invalid, too deep, hostile — goes on and is answered, and stored, as any body is.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditError } from '../../src/core/domain/errors.js';
import { checkAuthEvents } from '../../src/core/domain/prepare-auth-event.js';
import { checkEvents } from '../../src/core/domain/prepare-event.js';
import { OFF_LOOP_BYTES } from '../../src/server/plugins/large-bodies.js';
import { json, sampleEvent, startTestServer, type TestServer } from '../helpers/test-server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.close();
});

const post = (path: string, body: string) =>
  server.request(path, { method: 'POST', body, headers: { 'content-type': 'application/json' } });

/** What the core throws for these items, as an answer body. */
function coreAnswer(check: () => void): unknown {
  try {
    check();
  } catch (error) {
    return (error as AuditError).toJSON();
  }
  return undefined;
}

/** One event whose newValue is an array of `n` short strings. */
const hugeEvent = (n: number, label = 'huge') =>
  sampleEvent({
    target: { type: 'Carrier', id: label },
    newValue: Array.from({ length: n }, (_, i) => `v${String(i).padStart(7, '0')}`),
  });

describe('an ingest body over 1 MiB', () => {
  it('one event of 8 MB: the core’s own 413, naming the value', async () => {
    const event = hugeEvent(700_000);
    const body = JSON.stringify(event);
    expect(body.length).toBeGreaterThan(7_000_000);
    const res = await post('/v1/events', body);
    expect(res.status).toBe(413);
    const answer = await json(res);
    expect(answer).toEqual(
      coreAnswer(() => checkEvents([event], [''], { now: Date.now(), categories: new Set() })),
    );
    expect(answer.error.details[0].path).toBe('/newValue');
  });

  it('one event of 8 MB that is not UTF-8: the 400 a small body gets, not the 413', async () => {
    const text = JSON.stringify(hugeEvent(700_000, 'not-utf8'));
    const at = text.indexOf('v0000001');
    const body = Buffer.concat([
      Buffer.from(text.slice(0, at)),
      Buffer.from([0xff]),
      Buffer.from(text.slice(at)),
    ]);
    const res = await server.request('/v1/events', {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status).toBe(400);
    expect((await json(res)).error).toMatchObject({
      code: 'invalid_request',
      message: 'The body is not valid UTF-8',
    });
  });

  it('a batch with one event too large among valid ones: the 413 names it by its path', async () => {
    const events = [sampleEvent(), hugeEvent(100_000, 'in-batch'), sampleEvent()];
    const body = JSON.stringify({ events });
    expect(body.length).toBeGreaterThan(OFF_LOOP_BYTES);
    const res = await post('/v1/events', body);
    expect(res.status).toBe(413);
    const answer = await json(res);
    const paths = events.map((_, i) => `/events/${i}`);
    expect(answer).toEqual(
      coreAnswer(() => checkEvents(events, paths, { now: Date.now(), categories: new Set() })),
    );
    expect(answer.error.details[0].path).toMatch(/^\/events\/1\//);
  });

  it('an authentication event too large: the core’s 413', async () => {
    const event = {
      type: 'logout',
      user: { username: 'x' },
      ip: '192.0.2.1',
      userAgent: 'u'.repeat(2_000_000),
    };
    const res = await post('/v1/auth-events', JSON.stringify(event));
    expect(res.status).toBe(413);
    expect(await json(res)).toEqual(coreAnswer(() => checkAuthEvents([event], [''], Date.now())));
  });

  it('a valid batch of 1.4 MB is stored whole, hostile keys and values as sent', async () => {
    const events = Array.from({ length: 800 }, (_, i) =>
      sampleEvent({
        target: { type: 'Carrier', id: `big-${i}` },
        metadata: { note: 'x'.repeat(1500), n: i, constructor: 'c', 'line\nbreak': 'tab\t\u2028 😀 "q" \\' },
      }),
    );
    // __proto__ as an own key: JSON.stringify writes the object literal's prototype setter away, so the text
    // is written by hand.
    const body = JSON.stringify({ events }).replaceAll(
      '"constructor":"c"',
      '"constructor":"c","__proto__":{"p":1}',
    );
    expect(body.length).toBeGreaterThan(OFF_LOOP_BYTES);
    const res = await post('/v1/events', body);
    expect(res.status, await res.clone().text()).toBe(201);
    const stored = (await json(res)).events as { id: string }[];
    expect(stored).toHaveLength(800);
    const one = await json(await server.request(`/v1/events/${stored[799]!.id}`));
    expect(one.metadata.note).toBe('x'.repeat(1500));
    expect(one.metadata['line\nbreak']).toBe('tab\t\u2028 😀 "q" \\');
    expect(one.metadata.n).toBe(799);
    expect(Object.getOwnPropertyDescriptor(one.metadata, '__proto__')?.value).toEqual({ p: 1 });
    expect(({} as { p?: number }).p).toBeUndefined();
  });

  it('invalid JSON, and an event nested too deeply, get the answers any body gets', async () => {
    const big = JSON.stringify(hugeEvent(150_000));
    const broken = await post('/v1/events', `${big.slice(0, -1)},`);
    const small = await post('/v1/events', '{"a":1,');
    expect(broken.status).toBe(400);
    expect((await json(broken)).error).toEqual((await json(small)).error);

    let deep: unknown = 'leaf';
    for (let i = 0; i < 100; i++) deep = { d: deep };
    const res = await post(
      '/v1/events',
      JSON.stringify({ events: [hugeEvent(150_000, 'deep-too'), { ...sampleEvent(), metadata: deep }] }),
    );
    // The first event is too large, the second too deep: the core answers 413 for the first alone.
    const answer = await json(res);
    expect(res.status).toBe(413);
    expect(answer.error.details.every((d: { path: string }) => d.path.startsWith('/events/0'))).toBe(true);
  });
});

/** POSTs `body` with chunked transfer encoding (no Content-Length), in chunks of 64 KB. */
const postChunked = (path: string, body: string) => {
  const bytes = Buffer.from(body);
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      for (let at = 0; at < bytes.length; at += 65_536) controller.enqueue(bytes.subarray(at, at + 65_536));
      controller.close();
    },
  });
  return server.request(path, {
    method: 'POST',
    body: stream,
    headers: { 'content-type': 'application/json' },
    duplex: 'half',
  } as RequestInit);
};

describe('an ingest body sent chunked, without Content-Length', () => {
  it('one event of 8 MB: the core’s own 413, as with Content-Length', async () => {
    const body = JSON.stringify(hugeEvent(700_000, 'chunked'));
    const [chunked, whole] = [await postChunked('/v1/events', body), await post('/v1/events', body)];
    expect(chunked.status).toBe(413);
    expect(await json(chunked)).toEqual(await json(whole));
  });

  it('over the 8 MiB body limit: the same 413 as a body that declares its length', async () => {
    const body = JSON.stringify({ events: [hugeEvent(1_000_000, 'over-limit')] });
    expect(body.length).toBeGreaterThan(8 * 1024 * 1024);
    const chunked = await postChunked('/v1/events', body);
    expect(chunked.status).toBe(413);
    const answer = await json(chunked);
    expect(answer.error.code).toBe('payload_too_large');
    expect(answer).toEqual(await json(await post('/v1/events', body)));
    // The server stops reading at the limit and drains the rest without breaking the request: a chunked
    // request after it is answered (reading it with an early `for await` exit hung the next one).
    const next = await postChunked('/v1/events', JSON.stringify(sampleEvent()));
    expect(next.status).toBe(201);
  });

  it('a valid batch of 1.4 MB, and a small event, are stored as sent', async () => {
    const events = Array.from({ length: 800 }, (_, i) =>
      sampleEvent({ target: { type: 'Carrier', id: `chunked-${i}` }, metadata: { note: 'y'.repeat(1500) } }),
    );
    const big = await postChunked('/v1/events', JSON.stringify({ events }));
    expect(big.status, await big.clone().text()).toBe(201);
    const stored = (await json(big)).events as { id: string }[];
    expect(stored).toHaveLength(800);
    const last = await json(await server.request(`/v1/events/${stored[799]!.id}`));
    expect(last.target.id).toBe('chunked-799');
    expect(last.metadata.note).toBe('y'.repeat(1500));

    const small = await postChunked(
      '/v1/events',
      JSON.stringify(sampleEvent({ target: { type: 'Carrier', id: 'c-small' } })),
    );
    expect(small.status).toBe(201);
    const [one] = (await json(small)).events as { id: string }[];
    expect((await json(await server.request(`/v1/events/${one!.id}`))).target.id).toBe('c-small');
  });

  it('invalid JSON sent chunked gets the answer any body gets', async () => {
    const big = JSON.stringify(hugeEvent(150_000));
    const broken = await postChunked('/v1/events', `${big.slice(0, -1)},`);
    expect(broken.status).toBe(400);
    expect((await json(broken)).error).toEqual((await json(await post('/v1/events', '{"a":1,'))).error);
  });
});
