// Legal holds by actor on encrypted entries (real server, both stores): the actor id and the username are
// stored as blind indexes, and a hold by either still keeps that person's administrative events and
// sign-ins through a purge, while the expired entries of others go.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { verifyStore } from '../../src/core/services/verify-store.js';
import { json, sampleSignIn, startTestServer, type TestServer } from '../helpers/test-server.js';

let server: TestServer;
const DAY = 86_400_000;
const ago = (days: number) => new Date(Date.now() - days * DAY).toISOString();
const ANN = { id: 'u-ann', username: 'Ann.Hold' };
const BOB = { id: 'u-bob', username: 'Bob.Gone' };

beforeAll(async () => {
  server = await startTestServer({ personalData: { encrypt: true } });
  const event = (id: string, actor: typeof ANN) => ({
    id,
    occurredAt: ago(800),
    actor,
    action: 'update',
    category: 'bulk',
    target: { type: 'LeadList', id: 'l-1' },
  });
  const post = (path: string, body: unknown) => server.request(path, { method: 'POST', json: body });
  expect((await post('/v1/events', { events: [event('ev-ann', ANN), event('ev-bob', BOB)] })).status).toBe(
    201,
  );
  const signIn = (id: string, user: object) => sampleSignIn(id, user, ago(800));
  const failure = {
    id: 'fail-ann',
    type: 'login_failure',
    occurredAt: ago(800),
    user: { username: ANN.username },
    reason: 'bad_password',
    ip: '192.0.2.1',
  };
  const auth = { events: [signIn('in-ann', ANN), signIn('in-bob', BOB), failure] };
  expect((await post('/v1/auth-events', auth)).status).toBe(201);
  for (const stream of ['event', 'auth']) {
    const res = await server.request('/v1/retention/policies', {
      method: 'PUT',
      json: { stream, maxAgeDays: 365 },
    });
    expect(res.status).toBe(200);
  }
});
afterAll(async () => server?.close());

it('a hold by actor id or username keeps the encrypted entries it names through a purge', async () => {
  for (const actorId of [ANN.id, ANN.username]) {
    const res = await server.request('/v1/legal-holds', {
      method: 'POST',
      json: { reason: 'case 7', actorId },
    });
    expect(res.status).toBe(201);
  }
  const run = await server.request('/v1/purges', { method: 'POST' });
  expect(run.status).toBe(200);
  expect(await json(run)).toMatchObject({ purged: 2, held: 3 });

  expect((await server.request('/v1/events/ev-ann')).status).toBe(200);
  expect((await server.request('/v1/events/ev-bob')).status).toBe(404);
  const { events } = await json(await server.request('/v1/auth-events?limit=100'));
  expect(events.map((e: { id: string }) => e.id).sort()).toEqual(['fail-ann', 'in-ann']);
  expect(events.find((e: { id: string }) => e.id === 'in-ann').user).toEqual(ANN);
  expect((await verifyStore(server.log.store)).problems).toEqual([]);
});
