// Erasure of a data subject in the authentication log, through the HTTP API on a real store (SQLite file or
// PostgreSQL): sign-ins are stored encrypted under the subject's key (the same key as its administrative
// events), read and filtered in clear while the key lives — events, sessions, failure groups, alerts — and
// after the erasure every one of those reads shows it erased, no byte of it is stored anywhere, and the chain
// and the exports taken before and after verify.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { envelopeKids } from '../../src/core/domain/subject-crypto.js';
import { fold } from '../../src/core/domain/text-fold.js';
import { verifyExport } from '../../src/core/domain/verify-export.js';
import { verifyStore } from '../../src/core/services/verify-store.js';
import { occurrences } from '../helpers/stored-bytes.js';
import { json, startTestServer, type TestServer } from '../helpers/test-server.js';

// Unique per run: a PostgreSQL WAL is shared by every database of the cluster, earlier runs' included.
const RUN = randomBytes(3).toString('hex');
const ZELDA = {
  id: `usr_za_${RUN}`,
  username: `Zelda.Authful${RUN}`,
  displayName: `Zelda Authmaker-${RUN}`,
  ip: `2001:db8:${RUN.slice(0, 4)}:${RUN.slice(2)}::91`,
  userAgent: `ZeldaSignIn/${RUN} (Quokka OS)`,
};
// A failure that names only her username, typed in capitals: the subject of that username, erased with her id.
const TYPED = ZELDA.username.toUpperCase();
const ZELDA_STRINGS = [...Object.values(ZELDA), TYPED];
// Unique too: the byte scan reads a WAL that other tests of the cluster write into.
const YUSUF = {
  id: `usr_yk_${RUN}`,
  username: `Yusuf.Keeper${RUN}`,
  ip: `2001:db8:feed:${RUN.slice(0, 4)}::${RUN.slice(4)}`,
  userAgent: `YusufAgent/${RUN}`,
};
const ATTACKER_IP = '203.0.113.9';

const user = (p: typeof ZELDA | typeof YUSUF) => ({
  id: p.id,
  username: p.username,
  ...('displayName' in p ? { displayName: p.displayName } : {}),
});
const signIns = () => [
  {
    id: 'z-in',
    type: 'login_success',
    user: user(ZELDA),
    method: 'password',
    sessionId: 'sess-z',
    ip: ZELDA.ip,
    userAgent: ZELDA.userAgent,
  },
  { id: 'z-out', type: 'logout', user: user(ZELDA), sessionId: 'sess-z', ip: ZELDA.ip },
  // Brute force against Zelda: six failures from her own address.
  ...[1, 2, 3, 4, 5, 6].map((n) => ({
    id: `z-fail-${n}`,
    type: 'login_failure',
    user: user(ZELDA),
    reason: 'bad_password',
    ip: ZELDA.ip,
    userAgent: ZELDA.userAgent,
  })),
  {
    id: 'z-typed',
    type: 'login_failure',
    user: { username: TYPED },
    reason: 'bad_password',
    ip: ATTACKER_IP,
  },
  // Password spraying from another address: ten usernames nobody owns (each its own subject).
  ...[0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map((n) => ({
    id: `spray-${n}`,
    type: 'login_failure',
    user: { username: `ghost${n}` },
    reason: 'unknown_user',
    ip: ATTACKER_IP,
  })),
  {
    id: 'y-in',
    type: 'login_success',
    user: user(YUSUF),
    method: 'password',
    sessionId: 'sess-y',
    ip: YUSUF.ip,
    userAgent: YUSUF.userAgent,
  },
];

let server: TestServer;
let exportBefore: string;
const get = async (path: string) => {
  const res = await server.request(path);
  expect(res.status, path).toBe(200);
  return json(res);
};

async function verifyWithPublicKey(ndjson: string) {
  const keys = new Map((await server.log.store.publicKeys()).map((k) => [k.keyId, k.publicKeyPem]));
  return verifyExport(
    (async function* () {
      yield* ndjson.split('\n').filter((l) => l !== '');
    })(),
    { trustedKeys: keys },
  );
}
const exportNdjson = async () => (await server.request('/v1/export?format=ndjson')).text();

beforeAll(async () => {
  server = await startTestServer({ personalData: { encrypt: true } });
  const admin = {
    id: 'z-admin',
    actor: user(ZELDA),
    action: 'update',
    category: 'telephony',
    target: { type: 'Customer', id: 'cust-1' },
    sessionId: 'sess-z',
    ip: ZELDA.ip,
  };
  expect((await server.request('/v1/events', { method: 'POST', json: admin })).status).toBe(201);
  const res = await server.request('/v1/auth-events', { method: 'POST', json: { events: signIns() } });
  expect(res.status).toBe(201);
});
afterAll(async () => server?.close());

/** Every authentication read, as text. */
async function authReads(): Promise<Record<string, string>> {
  const paths = [
    '/v1/auth-events?limit=100',
    '/v1/sessions',
    '/v1/sessions/sess-z',
    '/v1/auth/failures?groupBy=user&bucket=1h',
    '/v1/auth/failures?groupBy=ip',
    '/v1/alerts',
  ];
  const out: Record<string, string> = {};
  for (const p of paths) out[p] = JSON.stringify(await get(p));
  return out;
}

describe('crypto-shredding of the authentication log', () => {
  it('stores no clear personal value, yet reads and filters sign-ins in clear', async () => {
    expect(occurrences(await server.storedBytes(), [...ZELDA_STRINGS, ...Object.values(YUSUF)])).toEqual([]);
    // One subject: the sign-in and the administrative event share the key of Zelda's id.
    const admin = await server.log.store.getEvent('default', 'z-admin');
    const auth = await server.log.store.getAuthEvent('default', 'z-in');
    expect(envelopeKids(auth!.body)).toEqual(envelopeKids(admin!.body));

    const byName = await get(`/v1/auth-events?user=${ZELDA.username.toLowerCase()}&limit=100`);
    expect(byName.events).toHaveLength(9);
    const zin = byName.events.find((e: { id: string }) => e.id === 'z-in');
    expect(zin).toMatchObject({ user: user(ZELDA), ip: ZELDA.ip, userAgent: ZELDA.userAgent });
    expect((await get(`/v1/auth-events?user=${ZELDA.id}&limit=100`)).events).toHaveLength(8);
    expect((await get(`/v1/auth-events?ip=${ATTACKER_IP}&limit=100`)).events).toHaveLength(11);
    for (const path of ['/v1/auth-events?ip=2001:db8::/32', '/v1/sessions?ip=203.0.113.0/24']) {
      const block = await server.request(path);
      expect(block.status, path).toBe(400);
      expect((await json(block)).error.details[0].path).toBe('/ip');
    }

    const sessions = await get(`/v1/sessions?user=${ZELDA.username}`);
    expect(sessions.sessions).toHaveLength(1);
    expect(sessions.sessions[0]).toMatchObject({
      user: user(ZELDA),
      ip: ZELDA.ip,
      userAgent: ZELDA.userAgent,
    });
    expect((await get(`/v1/sessions?ip=${YUSUF.ip}`)).sessions[0].user.username).toBe(YUSUF.username);
    const detail = await get('/v1/sessions/sess-z');
    expect(detail).toMatchObject({ user: { username: ZELDA.username }, actions: [{ id: 'z-admin' }] });

    const byUser = await get('/v1/auth/failures?groupBy=user&bucket=1h');
    // Encrypted groups are by folded username: her six failures and the one typed in capitals.
    expect(byUser.groups[0].count).toBe(7);
    expect(byUser.groups[0].key).toBe(fold(ZELDA.username));
    expect(byUser.groups.map((g: { key: string }) => g.key)).toContain('ghost3');
    expect(JSON.stringify(byUser.buckets)).toContain(`","count":7}`);
    const byIp = await get('/v1/auth/failures?groupBy=ip');
    expect(byIp.groups).toEqual([
      expect.objectContaining({ key: ATTACKER_IP, count: 11 }),
      expect.objectContaining({ key: ZELDA.ip, count: 6 }),
    ]);

    const { alerts } = await get('/v1/alerts');
    const brute = alerts.find((a: { kind: string }) => a.kind === 'brute_force');
    expect(brute).toMatchObject({ count: 7, ips: [ZELDA.ip, ATTACKER_IP] });
    expect(brute.subject).toBe(fold(ZELDA.username));
    const spray = alerts.find((a: { kind: string }) => a.kind === 'password_spraying');
    expect(spray).toMatchObject({ subject: ATTACKER_IP, usernameCount: 11 });
    expect(spray.usernames).toContain('ghost0');
    // The alert's query lists its attempts, through the blind index.
    expect((await get(`/v1/auth-events?${brute.attemptsQuery}`)).events).toHaveLength(7);

    exportBefore = await exportNdjson();
    expect((await verifyWithPublicKey(exportBefore)).problem).toBeUndefined();
  });

  it('erasing the subject erases its sign-ins, sessions, failures and alerts too', async () => {
    const erased = await server.request('/v1/erasures', { method: 'POST', json: { actorId: ZELDA.id } });
    expect(erased.status).toBe(201);
    // Her key and the key of the username she signed in with, named in the audit event.
    const audit = await get('/v1/events?eventType=auditlog.subject_erased');
    expect(audit.events[0].oldValue.keyIds).toHaveLength(2);

    const reads = await authReads();
    for (const [path, text] of Object.entries(reads)) {
      for (const s of ZELDA_STRINGS) expect(text, path).not.toContain(s);
    }
    const events = JSON.parse(reads['/v1/auth-events?limit=100']!).events;
    expect(events.find((e: { id: string }) => e.id === 'z-in')).toMatchObject({
      user: { username: '[erased]' },
      ip: '[erased]',
      userAgent: '[erased]',
    });
    expect(events.find((e: { id: string }) => e.id === 'z-typed')).toMatchObject({
      user: { username: '[erased]' },
      ip: '[erased]',
    });
    expect(JSON.parse(reads['/v1/sessions/sess-z']!)).toMatchObject({
      user: { username: '[erased]' },
      ip: '[erased]',
      userAgent: '[erased]',
      actions: [{ id: 'z-admin', ip: '[erased]' }],
    });
    expect(reads['/v1/alerts']).toContain('"subject":"[erased]"');
    expect(reads['/v1/auth/failures?groupBy=ip']).toContain(ATTACKER_IP);
    // The other subjects are untouched.
    const yusuf = await get(`/v1/sessions?user=${YUSUF.id}`);
    expect(yusuf.sessions[0]).toMatchObject({ user: user(YUSUF), ip: YUSUF.ip, userAgent: YUSUF.userAgent });
    expect(reads['/v1/alerts']).toContain('ghost9');

    const exportAfter = await exportNdjson();
    for (const s of ZELDA_STRINGS) expect(exportAfter).not.toContain(s);
    expect((await verifyStore(server.log.store)).problems).toEqual([]);
    expect((await verifyWithPublicKey(exportBefore)).problem).toBeUndefined();
    expect((await verifyWithPublicKey(exportAfter)).problem).toBeUndefined();

    // No byte of the subject's personal data is left: SQLite file and WAL, or PostgreSQL rows, files, WAL.
    expect(occurrences(await server.storedBytes(), ZELDA_STRINGS)).toEqual([]);
  });
});
