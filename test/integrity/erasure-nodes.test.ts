// Two AuditLog nodes on one PostgreSQL database, each with its own cache of unwrapped subject keys: a subject
// erased through one node reads erased on the other within the cache's TTL (docs/lifecycle.md#several-nodes),
// in both streams, and the other node's next sign-in or event of that subject gets a new key, not the erased one.
// And the same subject recording again through a node whose writer wrote her actor row before the erasure is
// found by username on both nodes.
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { generateSigningKey } from '../../src/core/domain/signing.js';
import { envelopeKids } from '../../src/core/domain/subject-crypto.js';
import { type AuditLog, openAuditLog } from '../../src/core/services/audit-log.js';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import { createTestDatabase, describePostgres, type TestDatabase } from '../helpers/postgres.js';
import { tempDir } from '../helpers/temp-dir.js';

const TTL_MS = 1500;
const MASTER = randomBytes(32).toString('base64');
const signingKey = generateSigningKey().privatePem;
const ZELDA = { id: 'usr_zelda', username: 'zelda.nodes' };
const SYSTEM = { actor: { id: 'system:test', type: 'system' as const } };

let db: TestDatabase;
const dir = tempDir('auditlog-erasure-nodes-');
const nodes: AuditLog[] = [];
afterAll(() => dir.remove());

const openNode = async (keyFile: string) =>
  openAuditLog({
    store: await PostgresStore.open({ url: db.url, keyFile }),
    signingKey,
    personalData: { encrypt: true, key: MASTER, keyCacheTtlMs: TTL_MS },
  });
const event = (id: string) => ({
  id,
  actor: ZELDA,
  action: 'update',
  category: 'telephony',
  target: { type: 'Customer', id: 'cust-1' },
  ip: '192.0.2.44',
});
const signIn = (id: string) => ({
  id,
  type: 'login_success',
  user: ZELDA,
  method: 'password',
  sessionId: `sess-${id}`,
  ip: '192.0.2.44',
});
const kidOf = async (a: AuditLog, id: string) =>
  envelopeKids((await a.store.getEvent('default', id))!.body)[0];

describePostgres('erasure seen by another node', () => {
  beforeAll(async () => {
    db = await createTestDatabase();
    nodes.push(await openNode(dir.file('a.pem')), await openNode(dir.file('b.pem')));
  });
  afterAll(async () => {
    for (const n of nodes) await n.close();
    await db?.drop();
  });

  it('reads erased on the other node once its cached key is older than the TTL', async () => {
    const [a, b] = nodes as [AuditLog, AuditLog];
    await a.appendEvents('default', event('ev-1'));
    await a.auth.append('default', signIn('in-1'));
    // Node B reads, so it caches the subject key.
    expect((await b.getEvent('default', 'ev-1')).actor.username).toBe(ZELDA.username);
    expect((await b.auth.list('default', {})).events[0]!.user.username).toBe(ZELDA.username);
    const erasedKid = await kidOf(a, 'ev-1');

    await a.erasure.erase('default', ZELDA.id, SYSTEM);
    await sleep(TTL_MS + 100);
    expect((await b.getEvent('default', 'ev-1')).actor.username).toBe('[erased]');
    expect((await b.auth.list('default', {})).events[0]!.user).toEqual({ username: '[erased]' });
    const [session] = (await b.auth.sessions('default', {})).sessions;
    expect(session!.user).toEqual({ username: '[erased]' });

    // B's next event of that subject is sealed under a new key, which both nodes open.
    await b.appendEvents('default', event('ev-2'));
    await b.auth.append('default', signIn('in-2'));
    const newKid = await kidOf(b, 'ev-2');
    expect(newKid).not.toBe(erasedKid);
    expect(envelopeKids((await b.store.getAuthEvent('default', 'in-2'))!.body)).toEqual([newKid]);
    expect((await a.getEvent('default', 'ev-2')).actor.username).toBe(ZELDA.username);
    expect((await a.getEvent('default', 'ev-1')).actor.username).toBe('[erased]');
  });
});

describePostgres('an erased actor recording again through another node', () => {
  beforeAll(async () => {
    db = await createTestDatabase();
    nodes.length = 0;
    nodes.push(await openNode(dir.file('c.pem')), await openNode(dir.file('d.pem')));
  });
  afterAll(async () => {
    for (const n of nodes) await n.close();
    await db?.drop();
  });

  it('is found by username on both nodes, though the recording node wrote her actor row before', async () => {
    const [a, b] = nodes as [AuditLog, AuditLog];
    const ids = async (n: AuditLog, user: string) =>
      (await n.listEvents('default', { user })).events.map((e) => e.id).sort();
    await b.appendEvents('default', event('ev-b1'));
    expect(await ids(a, ZELDA.username)).toEqual(['ev-b1']);

    await a.erasure.erase('default', ZELDA.id, SYSTEM);
    expect(await ids(a, ZELDA.username)).toEqual([]);
    await sleep(TTL_MS + 100); // B then seals under a new key (the section above)
    await b.appendEvents('default', event('ev-b2'));
    // The erased entry keeps its blind indexes: found again with her, shown erased.
    for (const n of [a, b]) expect(await ids(n, ZELDA.username)).toEqual(['ev-b1', 'ev-b2']);
    for (const n of [a, b]) expect(await ids(n, ZELDA.id)).toEqual(['ev-b1', 'ev-b2']);
    expect((await a.getEvent('default', 'ev-b2')).actor.username).toBe(ZELDA.username);
  });
});
