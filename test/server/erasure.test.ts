// Erasure of a data subject by crypto-shredding, through the HTTP API on a real store (SQLite file or
// PostgreSQL): personal fields are stored encrypted, read in clear while the key lives, filtered by blind
// index; after erasure every read path shows them erased, no byte of them is stored anywhere (files, WAL,
// rows, a new export), the chain verifies, an export taken before still verifies, another subject is intact.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { envelopeKids } from '../../src/core/domain/subject-crypto.js';
import { verifyExport } from '../../src/core/domain/verify-export.js';
import { verifyStore } from '../../src/core/services/verify-store.js';
import { occurrences } from '../helpers/stored-bytes.js';
import { json, startTestServer, type TestServer } from '../helpers/test-server.js';

// Unique per run: a PostgreSQL WAL is shared by every database of the cluster, earlier runs' included.
const RUN = randomBytes(3).toString('hex');
const ZELDA = {
  id: `usr_zq_${RUN}`,
  username: `Zelda.Quartz${RUN}`,
  displayName: `Zelda Quartzmaker-${RUN}`,
  ip: `2001:db8:${RUN.slice(0, 4)}:${RUN.slice(2)}::77`,
  userAgent: `ZeldaBrowser/${RUN} (Quokka OS)`,
  phone: `+1-555-${RUN}`,
  email: `zelda.${RUN}@example.org`,
};
const YUSUF = {
  id: 'usr_yk_44100',
  username: 'Yusuf.Keeperson',
  displayName: 'Yusuf Keeperson',
  ip: '198.51.100.23',
  userAgent: 'YusufAgent/2.0',
  phone: '+44-20-7946-0958',
  email: 'yusuf.keeperson@example.net',
};
const ZELDA_STRINGS = [
  ZELDA.id,
  ZELDA.username,
  ZELDA.displayName,
  ZELDA.ip,
  ZELDA.userAgent,
  ZELDA.phone,
  ZELDA.email,
];

type Person = typeof ZELDA;
const event = (p: Person, n: number) => ({
  id: `ev-${p === ZELDA ? 'z' : 'y'}-${n}`,
  actor: { id: p.id, username: p.username, displayName: p.displayName },
  action: 'update',
  category: 'telephony',
  target: { type: 'Customer', id: `cust-${n}`, name: 'Acme Plan' },
  oldValue: { phone: `${p.phone}-old`, plan: 'silver' },
  newValue: { phone: p.phone, plan: `gold-${n}` },
  metadata: { email: p.email, ticket: `T-${n}` },
  ip: p.ip,
  userAgent: p.userAgent,
});

let server: TestServer;
let exportBefore: string;

async function exportText(format: 'ndjson' | 'csv'): Promise<string> {
  const res = await server.request(`/v1/export?format=${format}`);
  expect(res.status).toBe(200);
  return res.text();
}

async function verifyWithPublicKey(ndjson: string) {
  const keys = new Map((await server.log.store.publicKeys()).map((k) => [k.keyId, k.publicKeyPem]));
  return verifyExport(
    (async function* () {
      yield* ndjson.split('\n').filter((l) => l !== '');
    })(),
    { trustedKeys: keys },
  );
}

beforeAll(async () => {
  server = await startTestServer({
    personalData: { encrypt: true, paths: ['/values/phone', '/metadata/email'] },
  });
  const events = [1, 2, 3].flatMap((n) => [event(ZELDA, n), event(YUSUF, n)]);
  const res = await server.request('/v1/events', { method: 'POST', json: { events } });
  expect(res.status).toBe(201);
});
afterAll(async () => server?.close());

describe('crypto-shredding of personal fields', () => {
  it('stores no clear personal value, yet reads them in clear and filters by user and IP', async () => {
    expect(occurrences(await server.storedBytes(), [...ZELDA_STRINGS, YUSUF.phone, YUSUF.email])).toEqual([]);
    const one = await json(await server.request('/v1/events/ev-z-2'));
    expect(one.actor).toMatchObject({
      id: ZELDA.id,
      username: ZELDA.username,
      displayName: ZELDA.displayName,
    });
    expect(one).toMatchObject({ ip: ZELDA.ip, userAgent: ZELDA.userAgent, metadata: { email: ZELDA.email } });
    expect(one.newValue).toEqual({ phone: ZELDA.phone, plan: 'gold-2' });
    expect(one.changes).toContainEqual({ path: '/phone', old: `${ZELDA.phone}-old`, new: ZELDA.phone });

    const byName = await json(await server.request(`/v1/events?user=${ZELDA.username.toLowerCase()}`));
    expect(byName.events.map((e: { id: string }) => e.id).sort()).toEqual(['ev-z-1', 'ev-z-2', 'ev-z-3']);
    const byId = await json(await server.request(`/v1/events?user=${YUSUF.id}`));
    expect(byId.events).toHaveLength(3);
    const byIp = await json(await server.request(`/v1/events?ip=${ZELDA.ip}`));
    expect(byIp.events.every((e: { actor: { id: string } }) => e.actor.id === ZELDA.id)).toBe(true);
    expect(byIp.events).toHaveLength(3);
    const block = await server.request('/v1/events?ip=2001:db8::/32');
    expect(block.status).toBe(400);
    expect((await json(block)).error.details[0].path).toBe('/ip');

    exportBefore = await exportText('ndjson');
    expect((await verifyWithPublicKey(exportBefore)).problem).toBeUndefined();
  });

  it('erasing a subject shows its fields erased on every read path and keeps the other subject', async () => {
    const raw = await server.log.store.getEvent('default', 'ev-z-1');
    const [kid] = envelopeKids(raw!.body);
    const [wrapped] = await server.log.store.subjects.byKids('default', [kid!]);
    expect(wrapped).toBeDefined();
    // Where the wrapped key must be gone: SQLite's file and WAL; PostgreSQL's rows (a dead row version may
    // stay in a heap page while an older snapshot exists, and in the WAL until recycled: lifecycle.md).
    const outsideWal = async () =>
      (await server.storedBytes()).filter((s) =>
        server.storeKind === 'postgres' ? s.where.startsWith('table ') : true,
      );
    // The scan finds the wrapped key while it exists (in the rows; on SQLite, in the file or WAL).
    expect(occurrences(await outsideWal(), [wrapped!.wrapped])).not.toEqual([]);

    const erased = await server.request('/v1/erasures', { method: 'POST', json: { actorId: ZELDA.id } });
    expect(erased.status).toBe(201);
    const answer = await json(erased);
    expect(answer).toMatchObject({ keyId: kid, status: 'completed' });
    const again = await server.request('/v1/erasures', { method: 'POST', json: { actorId: ZELDA.id } });
    expect(again.status).toBe(404);
    const bad = await server.request('/v1/erasures', { method: 'POST', json: { actor: ZELDA.id } });
    expect(bad.status).toBe(400);

    const one = await json(await server.request('/v1/events/ev-z-2'));
    expect(one.actor).toMatchObject({ id: '[erased]', username: '[erased]', displayName: '[erased]' });
    expect(one).toMatchObject({
      ip: '[erased]',
      userAgent: '[erased]',
      metadata: { email: { erased: true } },
    });
    expect(one.newValue).toEqual({ phone: { erased: true }, plan: 'gold-2' });
    expect(one.metadata.ticket).toBe('T-2');

    const reads = [
      JSON.stringify(await json(await server.request('/v1/events?limit=100'))),
      JSON.stringify(await json(await server.request('/v1/events?q=gold'))),
      JSON.stringify(await json(await server.request('/v1/entities/Customer/cust-1/history'))),
      await exportText('csv'),
    ];
    const exportAfter = await exportText('ndjson');
    for (const text of [...reads, exportAfter]) {
      for (const s of ZELDA_STRINGS) expect(text).not.toContain(s);
    }
    expect(reads[3]).toContain('[erased]');
    for (const q of [`user=${ZELDA.id}`, `user=${ZELDA.username.toLowerCase()}`, `q=${ZELDA.username}`]) {
      expect((await json(await server.request(`/v1/events?${q}`))).events, q).toEqual([]);
    }

    const yusuf = await json(await server.request('/v1/events?user=yusuf.keeperson'));
    expect(yusuf.events).toHaveLength(3);
    expect(yusuf.events[0]).toMatchObject({ ip: YUSUF.ip, metadata: { email: YUSUF.email } });
    expect(yusuf.events[0].newValue.phone).toBe(YUSUF.phone);
    expect((await json(await server.request(`/v1/events?ip=${YUSUF.ip}`))).events).toHaveLength(3);
    expect(reads[3]).toContain(YUSUF.phone);

    // The proof never needed the clear text: the store, the export from before, and a new one all verify.
    expect((await verifyStore(server.log.store)).problems).toEqual([]);
    expect((await verifyWithPublicKey(exportBefore)).problem).toBeUndefined();
    expect((await verifyWithPublicKey(exportAfter)).problem).toBeUndefined();

    // No byte of the subject's personal data is left in the files, the WAL or the rows, nor its wrapped key.
    const stored = await server.storedBytes();
    expect(occurrences(stored, ZELDA_STRINGS)).toEqual([]);
    expect(occurrences(await outsideWal(), [wrapped!.wrapped])).toEqual([]);

    const list = await json(await server.request('/v1/erasures'));
    // The list says what the answer said, to the millisecond.
    expect(list).toEqual({ enabled: true, erasures: [answer] });
    const audit = await json(await server.request('/v1/events?eventType=auditlog.subject_erased'));
    expect(audit.events).toHaveLength(1);
    expect(JSON.stringify(audit.events[0])).toContain(kid);
  });
});
