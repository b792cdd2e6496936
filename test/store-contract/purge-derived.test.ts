// What a purge does beyond the entries (both stores): a session whose sign-in events are all purged goes,
// one with a live event stays; keyword chunks whose events are all purged go; and an entry re-sent with
// the id of a purged one is answered as a duplicate from its tombstone instead of being stored again.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { ActingParty } from '../../src/core/services/access-control.js';
import { type AuditLog, openAuditLog } from '../../src/core/services/audit-log.js';
import { verifyStore } from '../../src/core/services/verify-store.js';
import { POSTGRES_CHUNK_ENTRIES, SQLITE_CHUNK_ENTRIES } from '../../src/store/sql/search-chunks.js';
import { DAY } from './entries.js';
import { storePerFile } from './store-under-test.js';

const sut = storePerFile();
const T = 'derived';
const NOW = Date.now();
const by: ActingParty = { actor: { id: 'cli:ops', username: 'ops', type: 'system' } };
const old = (days: number) => new Date(NOW - days * DAY).toISOString();
let log: AuditLog;
/** 384 old events fill whole keyword chunks on either store. */
const OLD = 384;
const oldChunks = () => OLD / (sut().kind === 'postgres' ? POSTGRES_CHUNK_ENTRIES : SQLITE_CHUNK_ENTRIES);

const event = (id: string, occurredAt: string) => ({
  id,
  occurredAt,
  actor: { id: 'u-1' },
  action: 'update',
  category: 'settings',
  target: { type: 'Carrier', id: `quokkacarrier-${id}` },
});
const signIn = (id: string, occurredAt: string, sessionId: string, type = 'login_success') => ({
  id,
  type,
  ...(type === 'login_success' ? { method: 'password' } : {}),
  occurredAt,
  user: { id: 'u-9', username: 'nine' },
  ip: '192.0.2.9',
  sessionId,
});

/** A count read with raw SQL, through the meta table (both engines have it; exec returns nothing). */
async function count(from: string): Promise<number> {
  const key = `test-count-${Math.random()}`;
  await sut().exec(`INSERT INTO meta (key, value) SELECT '${key}', CAST(count(*) AS TEXT) FROM ${from}`);
  return Number(await sut().store.getMeta(key));
}

beforeAll(async () => {
  log = await openAuditLog({ store: sut().store });
  // Full keyword chunks of old events, then recent ones.
  await log.appendEvents(T, {
    events: Array.from({ length: OLD }, (_, i) => event(`old-${i}`, old(400))),
  });
  await log.appendEvents(T, {
    events: Array.from({ length: 140 }, (_, i) => event(`new-${i}`, old(1))),
  });
  await log.auth.append(T, {
    events: [
      signIn('s1-in', old(400), 's-1'),
      signIn('s1-out', old(399), 's-1', 'logout'),
      signIn('s2-in', old(400), 's-2'),
      signIn('s2-out', old(1), 's-2', 'logout'),
    ],
  });
  await log.lifecycle.setPolicy(T, { maxAgeDays: 365 }, by);
  await log.lifecycle.setPolicy(T, { stream: 'auth', maxAgeDays: 365 }, by);
});
afterAll(async () => {
  await log?.close();
});

it('deletes the sessions and keyword chunks left without a live entry', async () => {
  expect(await sut().store.getSession(T, 's-1')).toBeDefined();
  const chunks = await count(`event_search_chunks WHERE tenant = '${T}'`);
  expect(chunks).toBeGreaterThanOrEqual(oldChunks() + 1);
  const report = await log.lifecycle.purge({ by, stepSize: 100 });
  expect(report.purged).toBe(OLD + 3);
  expect(await sut().store.getSession(T, 's-1')).toBeUndefined();
  expect(await sut().store.getSession(T, 's-2')).toBeDefined();
  // The chunks of old events go; the recent chunk stays.
  expect(await count(`event_search_chunks WHERE tenant = '${T}'`)).toBe(chunks - oldChunks());
  expect(
    (await log.listEvents(T, { q: 'quokkacarrier-new-139', limit: '10' })).events.map((e) => e.id),
  ).toEqual(['new-139']);
  expect((await verifyStore(sut().store)).problems).toEqual([]);
});

it('answers an id of a purged entry as a duplicate from its tombstone', async () => {
  const before = await sut().store.chainHead(T);
  const [result] = await log.appendEvents(T, { events: [event('old-7', old(400))] });
  expect(result).toMatchObject({ id: 'old-7', duplicate: true });
  expect(result!.seq).toBe(8);
  const [auth] = await log.auth.append(T, { events: [signIn('s1-in', old(400), 's-1')] });
  expect(auth).toMatchObject({ id: 's1-in', duplicate: true });
  expect((await sut().store.chainHead(T))?.seq).toBe(before?.seq);
  expect(await log.getEvent(T, 'old-7').catch(() => undefined)).toBeUndefined();
  expect((await verifyStore(sut().store)).problems).toEqual([]);
});

it('keeps indexing after a purge of entries whose keyword chunk was still open', async () => {
  // Old history imported last: these sit in the open chunk when the purge takes them.
  await log.appendEvents(T, { events: Array.from({ length: 20 }, (_, i) => event(`late-${i}`, old(500))) });
  expect((await log.lifecycle.purge({ by })).purged).toBe(20);
  // Small batches, so one of them finds the open chunk's counter past a full chunk but fewer live entries.
  for (let i = 0; i < 16; i++)
    await log.appendEvents(T, {
      events: Array.from({ length: 10 }, (_, k) => event(`after-${i}-${k}`, old(1))),
    });
  expect(
    (await log.listEvents(T, { q: 'quokkacarrier-after-15-9', limit: '10' })).events.map((e) => e.id),
  ).toEqual(['after-15-9']);
  expect((await log.listEvents(T, { q: 'quokkacarrier-late-1', limit: '10' })).events).toEqual([]);
  expect((await verifyStore(sut().store)).problems).toEqual([]);
});
