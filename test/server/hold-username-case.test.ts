// A legal hold names a username as `GET /v1/events?user=` does (real server, both stores, clear entries):
// case-insensitively, Unicode case and NFC included, so the events that filter shows for the held name survive
// a purge; an actor id still matches exactly. The hold compared usernames exactly, and a purge removed the
// events of `Jane.Admin` under a hold on `jane.admin`.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { verifyStore } from '../../src/core/services/verify-store.js';
import { json, sampleSignIn, startTestServer, type TestServer } from '../helpers/test-server.js';

let server: TestServer;
const DAY = 86_400_000;
const ago = (days: number) => new Date(Date.now() - days * DAY).toISOString();
const post = (path: string, body: unknown, method = 'POST') => server.request(path, { method, json: body });

beforeAll(async () => {
  server = await startTestServer();
  const event = (id: string, actor: Record<string, string>) => ({
    id,
    occurredAt: ago(800),
    actor,
    action: 'update',
    category: 'users',
    target: { type: 'User', id: 'x' },
  });
  const events = [
    event('jane-1', { id: 'usr_9', username: 'Jane.Admin' }),
    event('jane-2', { id: 'usr_10', username: 'JANE.ADMIN' }),
    event('jose-1', { id: 'usr_11', username: 'José.Admin' }),
    // Decomposed (E + U+0301) and upper case: folds (NFC, lower case) to the same name.
    event('jose-2', { id: 'usr_12', username: 'JOSE\u0301.ADMIN' }),
    event('other-1', { id: 'usr_13', username: 'Janet.Admin' }),
    // Named by its actor id in another case: an id matches exactly, so not held.
    event('other-2', { id: 'Svc-Robot' }),
  ];
  expect((await post('/v1/events', { events })).status).toBe(201);
  const signIn = (id: string, user: object) => sampleSignIn(id, user, ago(800));
  const auth = {
    events: [
      signIn('in-jane', { id: 'usr_9', username: 'Jane.Admin' }),
      signIn('in-x', { id: 'usr_13', username: 'Janet.Admin' }),
    ],
  };
  expect((await post('/v1/auth-events', auth)).status).toBe(201);
  for (const stream of ['event', 'auth'])
    expect((await post('/v1/retention/policies', { stream, maxAgeDays: 30 }, 'PUT')).status).toBe(200);
});
afterAll(async () => server?.close());

const ids = (events: { id: string }[]) => events.map((e) => e.id).sort();

it('a hold by username keeps every entry the user filter shows for that name, in any case', async () => {
  // What an administrator checks the hold's scope with, before the purge.
  const shown = await json(await server.request('/v1/events?user=jane.admin'));
  expect(ids(shown.events)).toEqual(['jane-1', 'jane-2']);
  expect(ids((await json(await server.request('/v1/events?user=jos%C3%A9.admin'))).events)).toEqual([
    'jose-1',
    'jose-2',
  ]);

  for (const actorId of ['jane.admin', 'josé.admin', 'svc-robot']) {
    expect((await post('/v1/legal-holds', { reason: 'litigation', actorId })).status).toBe(201);
  }
  const run = await post('/v1/purges', {});
  expect(run.status).toBe(200);
  expect(await json(run)).toMatchObject({ purged: 3, held: 5 });

  for (const id of ['jane-1', 'jane-2', 'jose-1', 'jose-2'])
    expect((await server.request(`/v1/events/${id}`)).status, id).toBe(200);
  for (const id of ['other-1', 'other-2'])
    expect((await server.request(`/v1/events/${id}`)).status, id).toBe(404);
  const auth = await json(await server.request('/v1/auth-events?limit=100'));
  expect(ids(auth.events)).toEqual(['in-jane']);
  expect((await verifyStore(server.log.store)).problems).toEqual([]);
});
