// After an erasure deletes a subject's rows from the actors table, the same actor (same id, username and
// display name) recording again must be findable by username and id: the writer's memory of actors it has
// already written must not keep it from writing the pair again. Through the HTTP API on a real store (SQLite
// file or PostgreSQL), with personal data encrypted (erasure needs it).
import { afterAll, beforeAll, expect, it } from 'vitest';
import { json, startTestServer, type TestServer } from '../helpers/test-server.js';

const XAVIA = { id: 'usr_xavia_7', username: 'Xavia.Returns', displayName: 'Xavia Returns' };
const event = (id: string) => ({
  id,
  actor: XAVIA,
  action: 'update',
  category: 'telephony',
  target: { type: 'Customer', id: `cust-${id}` },
});

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({ personalData: { encrypt: true } });
});
afterAll(async () => server?.close());

const ids = async (query: string) =>
  (await json(await server.request(`/v1/events?${query}`))).events.map((e: { id: string }) => e.id).sort();
const userCount = async (query: string) => {
  const { groups } = await json(await server.request(`/v1/stats?groupBy=action&${query}`));
  return groups.reduce((n: number, g: { count: number }) => n + g.count, 0);
};
const record = async (...events: unknown[]) => {
  const res = await server.request('/v1/events', { method: 'POST', json: { events } });
  expect(res.status).toBe(201);
};

it('finds an actor recording again after its erasure by username, id and in stats', async () => {
  await record(event('before-1'), event('before-2'));
  expect(await ids('user=xavia.returns')).toEqual(['before-1', 'before-2']);

  const erased = await server.request('/v1/erasures', { method: 'POST', json: { actorId: XAVIA.id } });
  expect(erased.status).toBe(201);
  expect(await ids('user=xavia.returns')).toEqual([]);

  // The same actor, same username and display name, in a batch of its own and in a later one.
  await record(event('after-1'));
  await record(event('after-2'), event('after-3'));
  // Her erased entries keep the same blind indexes (lifecycle.md, What remains): found again, shown erased.
  const all = ['after-1', 'after-2', 'after-3', 'before-1', 'before-2'];
  expect(await ids('user=xavia.returns')).toEqual(all);
  expect(await ids('user=Xavia.Returns')).toEqual(all);
  expect(await ids(`user=${XAVIA.id}`)).toEqual(all);
  expect(await userCount('user=xavia.returns')).toBe(5);
  expect(await userCount(`user=${XAVIA.id}`)).toBe(5);
  expect((await json(await server.request('/v1/events/after-2'))).actor).toMatchObject(XAVIA);
  expect((await json(await server.request('/v1/events/before-2'))).actor.username).toBe('[erased]');
});
