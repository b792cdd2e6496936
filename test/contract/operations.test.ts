// Authentication basics, /healthz, /metrics, /openapi.json, odd ids in paths, unknown routes, durability of a 201.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/temp-dir.js';
import { expectErrorShape, fetchAllPages, type RunningServer, startServer, TOKEN } from './helpers/server.js';

const dir = tempDir('auditlog-contract-ops-');
let server: RunningServer;

const event = (over: Record<string, unknown> = {}) => ({
  occurredAt: '2024-06-01T12:00:00Z',
  actor: { id: 'usr_1', username: 'jane.admin' },
  action: 'update',
  eventType: 'queue.updated',
  category: 'inbound',
  target: { type: 'Queue', id: 'q-sales' },
  newValue: { size: 3 },
  ...over,
});

beforeAll(async () => {
  server = await startServer({ dbFile: dir.file('a.db') });
});

afterAll(async () => {
  await server?.stop();
  dir.remove();
});

describe('authentication', () => {
  const cases: [string, string, RequestInit & { token?: string | null }][] = [
    ['POST /v1/events without a token', '/v1/events', { method: 'POST', token: null }],
    ['POST /v1/events with a wrong token', '/v1/events', { method: 'POST', token: 'not-the-token' }],
    ['GET /v1/events without a token', '/v1/events', { token: null }],
    ['GET /v1/events with a wrong token', '/v1/events', { token: `x${TOKEN}` }],
    [
      'GET /v1/events with Basic auth',
      '/v1/events',
      { token: null, headers: { authorization: 'Basic dXNlcjpwYXNz' } },
    ],
    ['GET /v1/stats without a token', '/v1/stats?groupBy=action', { token: null }],
  ];
  for (const [name, path, init] of cases) {
    it(`${name} → 401 unauthorized`, async () => {
      const body =
        init.method === 'POST'
          ? JSON.stringify(event({ target: { type: 'Queue', id: 'unauth' } }))
          : undefined;
      const res = await server.request(path, {
        ...init,
        body,
        headers: { ...(init.headers ?? {}), 'content-type': 'application/json' },
      });
      expect(res.status).toBe(401);
      const b: any = await res.json();
      expectErrorShape(b);
      expect(b.error.code).toBe('unauthorized');
    });
  }

  it('nothing was stored by the rejected posts', async () => {
    const { status, body } = await server.getJson('/v1/events?targetId=unauth');
    expect(status).toBe(200);
    expect(body.events).toEqual([]);
  });

  it('GET /v1/events/{id} and entity history need a token too', async () => {
    const { body } = await server.post(event());
    const id = body.events[0].id;
    for (const path of [`/v1/events/${id}`, '/v1/entities/Queue/q-sales/history']) {
      const res = await server.request(path, { token: null });
      expect(res.status).toBe(401);
      expectErrorShape(await res.json());
    }
  });
});

describe('operations endpoints', () => {
  it('/healthz answers 200 without authentication', async () => {
    const res = await fetch(`${server.url}/healthz`);
    expect(res.status).toBe(200);
  });

  it('/metrics is Prometheus text', async () => {
    const res = await server.request('/metrics');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type') ?? '').toMatch(/^text\/plain/);
    const text = await res.text();
    const lines = text.split('\n').filter((l) => l.trim() !== '');
    expect(lines.some((l) => l.startsWith('# TYPE '))).toBe(true);
    const sample = /^[a-zA-Z_:][a-zA-Z0-9_:]*(\{.*\})?\s+(-?[0-9.eE+-]+|NaN|[+-]Inf)(\s+-?\d+)?$/;
    const bad = lines.filter((l) => !l.startsWith('#') && !sample.test(l));
    expect(bad).toEqual([]);
    expect(lines.filter((l) => !l.startsWith('#')).length).toBeGreaterThan(0);
  });

  it('/openapi.json is an OpenAPI document listing the /v1 paths', async () => {
    const res = await server.request('/openapi.json');
    expect(res.status).toBe(200);
    const doc: any = await res.json();
    expect(typeof doc.openapi === 'string' ? doc.openapi : doc.swagger).toMatch(/^(3\.\d+\.\d+|2\.0)$/);
    expect(typeof doc.info?.title).toBe('string');
    expect(typeof doc.info?.version).toBe('string');
    const paths = Object.keys(doc.paths ?? {});
    expect(paths).toContain('/v1/events');
    expect(paths).toContain('/v1/stats');
    expect(paths.some((p) => /^\/v1\/events\/\{[^}]+\}$/.test(p))).toBe(true);
    expect(paths.some((p) => /^\/v1\/entities\/\{[^}]+\}\/\{[^}]+\}\/history$/.test(p))).toBe(true);
    expect(Object.keys(doc.paths['/v1/events'])).toEqual(expect.arrayContaining(['get', 'post']));
    for (const [p, item] of Object.entries<any>(doc.paths)) {
      for (const [method, op] of Object.entries<any>(item)) {
        if (!['get', 'post', 'put', 'delete', 'patch', 'head', 'options'].includes(method)) continue;
        expect(typeof op.responses, `${method} ${p}`).toBe('object');
        expect(Object.keys(op.responses).length, `${method} ${p}`).toBeGreaterThan(0);
      }
    }
  });

  it('an unknown /v1 route is 404 with the error body', async () => {
    const { status, body } = await server.getJson('/v1/no-such-thing');
    expect(status).toBe(404);
    expectErrorShape(body);
    expect(body.error.code).toBe('not_found');
  });

  it('no endpoint changes or deletes an event: DELETE/PUT/PATCH /v1/events/{id} → 404 or 405, event intact', async () => {
    const { body } = await server.post(event({ id: 'immutable-1' }));
    expect(body.events[0].id).toBe('immutable-1');
    for (const method of ['DELETE', 'PUT', 'PATCH']) {
      const res = await server.request('/v1/events/immutable-1', {
        method,
        json: event({ id: 'immutable-1', action: 'delete' }),
      });
      // an all-scopes token is used, so "forbidden" (403) would be misleading: the route does not exist
      expect([404, 405], method).toContain(res.status);
      expectErrorShape(await res.json());
    }
    const got = await server.getJson('/v1/events/immutable-1');
    expect(got.status).toBe(200);
    expect(got.body.action).toBe('update');
  });
});

describe('ids and entity keys with special characters', () => {
  it('an event id with spaces, slashes and unicode is found by GET /v1/events/{id}', async () => {
    const id = 'ext/42 añ?#%';
    const { status, body } = await server.post(event({ id }));
    expect(status).toBe(201);
    expect(body.events[0].id).toBe(id);
    const got = await server.getJson(`/v1/events/${encodeURIComponent(id)}`);
    expect(got.status).toBe(200);
    expect(got.body.id).toBe(id);
  });

  it('history of an entity whose type and id contain /, space, + and unicode, oldest first', async () => {
    const target = { type: 'Phone Extension', id: 'sip/ext 100+ñ' };
    const times = [
      '2024-06-03T00:00:00Z',
      '2024-06-01T00:00:00Z',
      '2024-06-02T00:00:00Z',
      '2024-06-01T00:00:00Z',
    ];
    const { body } = await server.post({ events: times.map((occurredAt) => event({ occurredAt, target })) });
    const posted = body.events.map((e: any, i: number) => ({
      id: e.id,
      seq: e.seq,
      at: Date.parse(times[i] as string),
    }));
    posted.sort((a: any, b: any) => a.at - b.at || a.seq - b.seq);
    // a decoy on a different entity sharing a prefix
    await server.post(event({ target: { type: 'Phone Extension', id: 'sip/ext 100' } }));
    const { events } = await fetchAllPages(
      server,
      `/v1/entities/${encodeURIComponent(target.type)}/${encodeURIComponent(target.id)}/history`,
      new URLSearchParams(),
    );
    expect(events.map((e) => e.id)).toEqual(posted.map((p: any) => p.id));
  });
});

describe('durability', () => {
  it('events acknowledged with 201 survive a SIGKILL right after the answer', async () => {
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) => server.post(event({ id: `durable-${i}` }))),
    );
    expect(results.every((r) => r.status === 201)).toBe(true);
    await server.kill();
    server = await startServer({ dbFile: dir.file('a.db') });
    for (let i = 0; i < 30; i++) expect((await server.getJson(`/v1/events/durable-${i}`)).status).toBe(200);
  });

  // One burst, two assertions: the process must exit, and every answer must be a stored 201 or a contract 503.
  let burst: { status: number; body: any }[] = [];
  it('SIGTERM while posts are in flight (clients keeping their connections open): the server exits with code 0', async () => {
    // warm keep-alive connections, as any real client has
    await Promise.all(Array.from({ length: 10 }, (_, i) => server.post(event({ id: `warm-${i}` }))));
    const pending = Array.from(
      { length: 60 },
      (_, i) =>
        server
          .request('/v1/events', { method: 'POST', json: event({ id: `inflight-${i}` }) })
          .then(async (res) => ({ status: res.status, body: await res.json().catch(() => null) }))
          .catch(() => ({ status: 0, body: null })), // connection refused/reset: never acknowledged
    );
    await new Promise((r) => setTimeout(r, 5));
    const exited = server.stop(8_000); // SIGTERM, then SIGKILL (exit code null) if still running 8 s later
    burst = await Promise.all(pending);
    // a few more requests while the process is stopping: refused connections, or 503 shutting_down
    for (let i = 60; i < 65; i++) {
      burst.push(
        await server
          .request('/v1/events', { method: 'POST', json: event({ id: `inflight-${i}` }) })
          .then(async (res) => ({ status: res.status, body: await res.json().catch(() => null) }))
          .catch(() => ({ status: 0, body: null })),
      );
    }
    const code = await exited;
    server = await startServer({ dbFile: dir.file('a.db') });
    expect(code).toBe(0);
  });

  it('… and every answer was a 201 whose event is stored, or 503 with the error body (shutting_down)', async () => {
    expect(burst).toHaveLength(65);
    const bad = burst.filter(
      (r) =>
        r.status !== 0 && r.status !== 201 && !(r.status === 503 && r.body?.error?.code === 'shutting_down'),
    );
    for (let i = 0; i < burst.length; i++) {
      if (burst[i]?.status === 201)
        expect((await server.getJson(`/v1/events/inflight-${i}`)).status, `inflight-${i}`).toBe(200);
    }
    expect(bad.map((r) => `${r.status} ${JSON.stringify(r.body)}`)).toEqual([]);
  });

  it('SIGTERM stops the server with exit code 0, and a restart serves the same data', async () => {
    const { body } = await server.post(event({ id: 'before-restart' }));
    expect(body.events[0].id).toBe('before-restart');
    expect(await server.stop()).toBe(0);
    server = await startServer({ dbFile: dir.file('a.db') });
    expect((await server.getJson('/v1/events/before-restart')).status).toBe(200);
    // seq keeps counting without a gap after a restart
    const next = await server.post(event());
    const all = await fetchAllPages(server, '/v1/events', new URLSearchParams({ limit: '500' }));
    const seqs = all.events.map((e) => e.seq).sort((a, b) => a - b);
    expect(next.body.events[0].seq).toBe(seqs[seqs.length - 1]);
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));
  });
});
