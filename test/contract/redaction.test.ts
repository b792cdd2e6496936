// Secrets are never stored in clear (API.md, "Administrative events"): values under secret-looking keys, at any depth,
// become { "redacted": true, "fingerprint": "<keyed HMAC prefix>" }. The secret bytes must appear in no response and
// nowhere in the database files (WAL and shared-memory files included), while running and after shutdown.
// On PostgreSQL "the database files" are every row of every table, the database's files and the WAL.
import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { filesUnder, occurrences } from '../helpers/stored-bytes.js';
import { tempDir } from '../helpers/temp-dir.js';
import { NEAR_MISS_KEYS, SECRET_KEYS, secretPairs } from './helpers/secret-spellings.js';
import {
  expectErrorShape,
  fetchAllPages,
  type RunningServer,
  STORE_KIND,
  startServer,
  storedBytes,
} from './helpers/server.js';

const dir = tempDir('auditlog-contract-redaction-');
const dir2 = tempDir('auditlog-contract-redaction2-');
let server: RunningServer;
const secrets: string[] = [];

/** A fresh secret whose bytes cannot occur by chance. */
function secret(tag = 's'): string {
  const s = `${tag}-${randomBytes(12).toString('hex')}`;
  secrets.push(s);
  return s;
}

/** A secret in some format (`make` wraps `needle`, what the scans look for; default 24 random hex digits). */
function planted(make: (needle: string) => string, needle = randomBytes(12).toString('hex')): string {
  secrets.push(`p-${needle}`);
  return make(needle);
}

const MARK = '\\[redacted:[0-9a-f]{16}\\]';

let n = 0;
function event(over: Record<string, unknown> = {}): Record<string, any> {
  return {
    occurredAt: new Date(Date.parse('2024-04-01T00:00:00Z') + ++n * 1000).toISOString(),
    actor: { id: 'usr_9', username: 'sec.admin' },
    action: 'update',
    eventType: 'ai.api_key_updated',
    category: 'ai',
    target: { type: 'AIProvider', id: `prov-${n}` },
    ...over,
  };
}

async function postOne(server: RunningServer, e: Record<string, unknown>): Promise<any> {
  const { status, body } = await server.post(e);
  expect(status, JSON.stringify(body)).toBe(201);
  expect(leaksIn(JSON.stringify(body))).toEqual([]);
  const got = await server.getJson(`/v1/events/${body.events[0].id}`);
  expect(got.status).toBe(200);
  return got.body;
}

const REDACTED = { redacted: true, fingerprint: expect.any(String) };
const isRedacted = (v: unknown) =>
  typeof v === 'object' &&
  v !== null &&
  (v as any).redacted === true &&
  typeof (v as any).fingerprint === 'string' &&
  Object.keys(v).length === 2;

function leaksIn(text: string): string[] {
  return secrets.filter((s) => text.includes(s) || text.includes(s.slice(s.indexOf('-') + 1)));
}

/** Secrets found in what the store keeps (SQLite: every file in its directory; see storedBytes). */
async function leaksInStore(): Promise<string[]> {
  return occurrences(
    await storedBytes(dir.file('a.db')),
    secrets.map((s) => s.slice(s.indexOf('-') + 1)),
  );
}

beforeAll(async () => {
  server = await startServer({ dbFile: dir.file('a.db') });
});

afterAll(async () => {
  await server?.stop();
  dir.remove();
  dir2.remove();
});

describe('redaction', () => {
  it('the listed keys (password, secret, token, apiKey, api_key, privateKey, totp) are redacted', async () => {
    const keys = ['password', 'secret', 'token', 'apiKey', 'api_key', 'privateKey', 'totp'];
    const newValue: Record<string, unknown> = { maxChannels: 120, codec: 'opus' };
    for (const k of keys) newValue[k] = secret(k);
    const e = await postOne(server, event({ newValue }));
    const notRedacted = keys.filter((k) => !isRedacted(e.newValue[k]));
    expect(notRedacted).toEqual([]);
    expect(e.newValue.maxChannels).toBe(120);
    expect(e.newValue.codec).toBe('opus');
  });

  it('secret keys are redacted at any depth: nested objects, arrays of objects, oldValue and newValue', async () => {
    const oldValue = { sip: { auth: { username: 'trunk', password: secret('deep-old') } } };
    const newValue = {
      sip: { auth: { username: 'trunk', password: secret('deep-new') } },
      users: [
        { name: 'a', apiKey: secret('arr0') },
        { name: 'b', config: { privateKey: secret('arr1') } },
      ],
      list: [[{ totp: secret('nested-arr') }]],
    };
    const e = await postOne(server, event({ oldValue, newValue }));
    expect(e.oldValue.sip.auth.password).toEqual(REDACTED);
    expect(e.oldValue.sip.auth.username).toBe('trunk');
    expect(e.newValue.sip.auth.password).toEqual(REDACTED);
    expect(e.newValue.users[0]).toEqual({ name: 'a', apiKey: REDACTED });
    expect(e.newValue.users[1].config.privateKey).toEqual(REDACTED);
    expect(e.newValue.list[0][0].totp).toEqual(REDACTED);
  });

  it('case and compound variants of the secret words are redacted', async () => {
    const keys = [
      'Password',
      'PASSWORD',
      'newPassword',
      'db_password',
      'clientSecret',
      'client_secret',
      'accessToken',
      'refresh_token',
      'ApiKey',
      'API_KEY',
      'x-api-key',
      'private_key',
      'totpSecret',
      'totp_seed',
    ];
    const newValue: Record<string, unknown> = {};
    for (const k of keys) newValue[k] = secret(k.replace(/[^a-z]/gi, ''));
    const e = await postOne(server, event({ newValue }));
    expect(keys.filter((k) => !isRedacted(e.newValue[k]))).toEqual([]);
  });

  it('non-string secrets (numbers, objects, arrays) are redacted as a whole', async () => {
    // 16 digits: a shorter number could occur by chance among the metrics' figures or the stored bytes.
    const pin = Number.parseInt(randomBytes(6).toString('hex'), 16) + 1e15;
    secrets.push(String(pin));
    const e = await postOne(
      server,
      event({
        newValue: {
          password: pin,
          token: { value: secret('obj'), expires: 3600 },
          secret: [secret('arr-a'), secret('arr-b')],
        },
      }),
    );
    expect(e.newValue).toEqual({ password: REDACTED, token: REDACTED, secret: REDACTED });
  });

  it('secrets in metadata are redacted too', async () => {
    const e = await postOne(
      server,
      event({
        metadata: { source: 'api', apiKey: secret('meta'), nested: { password: secret('meta-deep') } },
      }),
    );
    expect(e.metadata).toEqual({ source: 'api', apiKey: REDACTED, nested: { password: REDACTED } });
  });

  it(`each of the ${SECRET_KEYS.length} secret key spellings is redacted, each of the ${NEAR_MISS_KEYS.length} near misses kept`, async () => {
    const oldValue: Record<string, unknown> = {};
    const newValue: Record<string, unknown> = {};
    for (const k of SECRET_KEYS) {
      oldValue[k] = secret('sp-old');
      newValue[k] = secret('sp-new');
    }
    for (const k of NEAR_MISS_KEYS) newValue[k] = `kept-${k}`;
    const e = await postOne(server, event({ oldValue, newValue }));
    expect(SECRET_KEYS.filter((k) => !isRedacted(e.oldValue[k]) || !isRedacted(e.newValue[k]))).toEqual([]);
    expect(NEAR_MISS_KEYS.filter((k) => e.newValue[k] !== `kept-${k}`)).toEqual([]);
    // Every secret changed: one change per key, a marker on each side.
    const secretChanges = e.changes.filter((c: any) => SECRET_KEYS.includes(c.path.slice(1)));
    expect(secretChanges).toHaveLength(SECRET_KEYS.length);
    expect(secretChanges.filter((c: any) => !isRedacted(c.old) || !isRedacted(c.new))).toEqual([]);
  });

  it('name/value pairs naming a secret have their value redacted (header and env lists, JSON patch, entries)', async () => {
    const pairs = secretPairs(secret);
    const newValue = Object.fromEntries(pairs.map((p, i) => [`list${i}`, p.value]));
    const headers = secretPairs(secret)[2]!.value;
    const e = await postOne(server, event({ newValue, metadata: { request: { headers } } }));
    expect(leaksIn(JSON.stringify(e))).toEqual([]);
    expect(e.newValue.list1).toEqual([
      { name: 'DB_HOST', value: 'db.internal' },
      { name: 'DB_PASSWORD', value: REDACTED },
    ]);
    expect(e.metadata.request.headers[0]).toEqual({ key: 'Accept', value: 'application/json' });
    expect(e.newValue.list6[0]).toEqual(['Accept', 'text/plain']);
  });

  it('secrets inside free text are replaced in place: reason, userAgent, nested strings, metadata, keys', async () => {
    const tok = planted((h) => `${h}Z9`);
    const pass = planted((h) => h);
    const jwt = (h: string) => `eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiI${h}.${h}`;
    const al = planted((h) => `al_AbCdEfGhIjKl_${h}${h}`);
    const aws = planted((h) => `AKIA${h}`, randomBytes(8).toString('hex').toUpperCase());
    const e = await postOne(
      server,
      event({
        reason: `webhook https://bot:${pass}@hooks.example/x rotated; Authorization: Bearer ${tok}`,
        userAgent: `deploy-bot/1.0 (token ${al})`,
        oldValue: { note: `session ${planted(jwt)}`, keep: 'same' },
        newValue: {
          note: `session ${planted(jwt)}`,
          keep: 'same',
          deep: [{ pem: `-----BEGIN PRIVATE KEY-----\nMII${planted((h) => h)}\n-----END PRIVATE KEY-----` }],
          conn: `Server=db;Password=${planted((h) => h)};Database=app`,
          [`Bearer ${planted((h) => `${h}Z9`)}`]: 'a header pasted as a key',
        },
        metadata: { raw: `{"apiKey":"${planted((h) => h)}"}`, cli: `aws configure ${aws}` },
      }),
    );
    expect(leaksIn(JSON.stringify(e))).toEqual([]);
    expect(e.reason).toMatch(
      new RegExp(`^webhook https://bot:${MARK}@hooks\\.example/x rotated; Authorization: Bearer ${MARK}$`),
    );
    expect(e.userAgent).toMatch(new RegExp(`^deploy-bot/1\\.0 \\(token al_AbCdEfGhIjKl_${MARK}\\)$`));
    expect(e.newValue.conn).toMatch(new RegExp(`^Server=db;Password=${MARK};Database=app$`));
    expect(e.newValue.deep[0].pem).toMatch(new RegExp(`^-----BEGIN PRIVATE KEY-----\\n${MARK}\\n-----END`));
    expect(e.metadata.raw).toMatch(new RegExp(`^\\{"apiKey":"${MARK}"\\}$`));
    expect(e.metadata.cli).toMatch(new RegExp(`^aws configure ${MARK}$`));
    expect(Object.keys(e.newValue)).toContainEqual(expect.stringMatching(new RegExp(`^Bearer ${MARK}$`)));
    // The changed session token shows as a change between two markers; nothing else changed in `note`.
    const note = e.changes.find((c: any) => c.path === '/note');
    expect(note.old).toMatch(new RegExp(`^session ${MARK}$`));
    expect(note.new).toMatch(new RegExp(`^session ${MARK}$`));
    expect(note.old).not.toBe(note.new);
    expect(e.changes.some((c: any) => c.path === '/keep')).toBe(false);
    for (const q of [pass.slice(2, 14), tok.slice(0, 24), al.slice(-20)]) {
      const found = await server.getJson(`/v1/events?${new URLSearchParams({ q })}`);
      expect(found.body.events, q).toEqual([]);
    }
  });

  it('a secret in free text gets the same marker everywhere, so an unchanged one shows no change', async () => {
    const s = planted((h) => h);
    const url = `https://admin:${s}@db.example/app`;
    const e = await postOne(server, event({ oldValue: { url, n: 1 }, newValue: { url, n: 2 }, reason: url }));
    expect(e.changes).toEqual([{ path: '/n', old: 1, new: 2 }]);
    expect(e.reason).toBe(e.newValue.url);
    const byKey = await postOne(server, event({ newValue: { password: s } }));
    expect(e.reason).toBe(`https://admin:[redacted:${byKey.newValue.password.fingerprint}]@db.example/app`);
  });

  it('the authentication log redacts its free text (userAgent) too', async () => {
    const tok = planted((h) => `${h}Z9`);
    const sessionId = `sess-redact-${n}`;
    const { status } = await server.request('/v1/auth-events', {
      method: 'POST',
      json: {
        type: 'login_success',
        user: { username: 'ua.leaker' },
        method: 'password',
        sessionId,
        ip: '10.9.8.7',
        userAgent: `curl/8.5 (Authorization: Bearer ${tok})`,
      },
    });
    expect(status).toBe(201);
    const list = await server.getJson('/v1/auth-events?user=ua.leaker');
    expect(list.body.events).toHaveLength(1);
    expect(list.body.events[0].userAgent).toMatch(
      new RegExp(`^curl/8\\.5 \\(Authorization: Bearer ${MARK}$`),
    );
    const session = await server.getJson(`/v1/sessions/${sessionId}`);
    expect(session.status).toBe(200);
    const hex = tok.slice(0, 24);
    const search = await server.getJson(`/v1/auth-events?q=${hex.slice(3, 15)}`);
    expect(search.body.events).toEqual([]);
    expect(leaksIn(JSON.stringify([list.body, session.body]))).toEqual([]);
  });

  it('different secrets give different fingerprints; the change stays visible in changes', async () => {
    const e = await postOne(
      server,
      event({ oldValue: { password: secret('old') }, newValue: { password: secret('new') } }),
    );
    expect(e.oldValue.password).toEqual(REDACTED);
    expect(e.newValue.password).toEqual(REDACTED);
    expect(e.oldValue.password.fingerprint).not.toBe(e.newValue.password.fingerprint);
    expect(e.oldValue.password.fingerprint.length).toBeGreaterThanOrEqual(8);
    expect(e.changes.some((c: any) => c.path === '/password' || c.path.startsWith('/password/'))).toBe(true);
  });

  it('the same secret gives the same fingerprint, so an unchanged secret shows no change', async () => {
    const s = secret('same');
    const e = await postOne(
      server,
      event({ oldValue: { password: s, maxChannels: 1 }, newValue: { password: s, maxChannels: 2 } }),
    );
    expect(e.oldValue.password.fingerprint).toBe(e.newValue.password.fingerprint);
    expect(e.changes).toEqual([{ path: '/maxChannels', old: 1, new: 2 }]);
    const again = await postOne(server, event({ newValue: { apiKey: s } }));
    expect(again.newValue.apiKey.fingerprint).toBe(e.newValue.password.fingerprint);
  });

  it('the fingerprint is keyed: not a prefix of an unkeyed hash of the secret', async () => {
    const s = secret('unkeyed');
    const e = await postOne(server, event({ newValue: { password: s } }));
    const fp: string = e.newValue.password.fingerprint;
    for (const alg of ['md5', 'sha1', 'sha256', 'sha512']) {
      for (const enc of ['hex', 'base64', 'base64url'] as const) {
        for (const input of [s, JSON.stringify(s)]) {
          const h = createHash(alg).update(input).digest(enc);
          expect(h.startsWith(fp) || fp.startsWith(h.slice(0, 8)), `${alg}/${enc}`).toBe(false);
        }
      }
    }
  });

  it('another store (its own key) gives another fingerprint for the same secret', async () => {
    const s = secret('twostores');
    const a = await postOne(server, event({ newValue: { password: s } }));
    const other = await startServer({ dbFile: dir2.file('b.db') });
    try {
      const b = await postOne(other, event({ newValue: { password: s } }));
      expect(b.newValue.password.fingerprint).not.toBe(a.newValue.password.fingerprint);
    } finally {
      await other.stop();
    }
  });

  it('idempotency works through redaction: same secret → duplicate, other secret → 409', async () => {
    const s = secret('idem');
    const e = event({ id: 'redact-idem', newValue: { password: s } });
    expect((await server.post(e)).status).toBe(201);
    const again = await server.post(e);
    expect(again.status).toBe(201);
    expect(again.body.events[0].duplicate).toBe(true);
    const other = await server.post({ ...e, newValue: { password: secret('idem-other') } });
    expect(other.status).toBe(409);
  });

  it('error responses never echo a secret (400 invalid event, 409 conflict)', async () => {
    const bad = await server.post(event({ action: 'destroy', newValue: { password: secret('err400') } }));
    expect(bad.status).toBe(400);
    expectErrorShape(bad.body);
    expect(leaksIn(JSON.stringify(bad.body))).toEqual([]);
    const ok = await server.post(event({ id: 'redact-conflict', newValue: { password: secret('err409a') } }));
    expect(ok.status).toBe(201);
    const conflict = await server.post(
      event({ id: 'redact-conflict', newValue: { password: secret('err409b') } }),
    );
    expect(conflict.status).toBe(409);
    expect(leaksIn(JSON.stringify(conflict.body))).toEqual([]);
  });

  it('no secret appears in any read response: lists, single events, history, stats, metrics', async () => {
    const texts: string[] = [];
    const { events } = await fetchAllPages(server, '/v1/events', new URLSearchParams({ limit: '500' }));
    expect(events.length).toBeGreaterThan(8);
    texts.push(JSON.stringify(events));
    for (const e of events) {
      texts.push(JSON.stringify((await server.getJson(`/v1/events/${encodeURIComponent(e.id)}`)).body));
      texts.push(
        JSON.stringify(
          (await server.getJson(`/v1/entities/${e.target.type}/${encodeURIComponent(e.target.id)}/history`))
            .body,
        ),
      );
    }
    for (const g of ['action', 'category', 'user', 'eventType', 'day'])
      texts.push(JSON.stringify((await server.getJson(`/v1/stats?groupBy=${g}`)).body));
    texts.push(await (await server.request('/metrics')).text());
    for (const p of ['/v1/auth-events?limit=500', '/v1/sessions?limit=500'])
      texts.push(JSON.stringify((await server.getJson(p)).body));
    expect(leaksIn(texts.join('\n'))).toEqual([]);
  });

  it('keyword search cannot find an event by its secret (whole or part)', async () => {
    const s = secret('searchable');
    await postOne(server, event({ newValue: { password: s, label: 'findme-by-label' } }));
    const hex = s.slice(s.indexOf('-') + 1);
    const byLabel = await server.getJson('/v1/events?q=findme-by-label');
    expect(byLabel.body.events).toHaveLength(1);
    for (const q of [s, hex, hex.slice(4, 14), `"${hex.slice(0, 10)}"`]) {
      const { status, body } = await server.getJson(`/v1/events?${new URLSearchParams({ q })}`);
      expect(status).toBe(200);
      expect(body.events, q).toEqual([]);
    }
  });

  it('no secret is in the database files (db, -wal, -shm; on PostgreSQL rows, files, WAL) while the server runs', async () => {
    if (STORE_KIND === 'sqlite') {
      const files = filesUnder(dir.path).map((f) => f.slice(dir.path.length + 1));
      expect(files).toEqual(expect.arrayContaining(['a.db']));
      expect(files.some((f) => f.endsWith('-wal'))).toBe(true);
    } else {
      const rows = (await storedBytes(dir.file('a.db'))).filter((b) => b.where.startsWith('table '));
      expect(occurrences(rows, ['findme-by-label']), 'the rows of the served database are read').not.toEqual(
        [],
      );
    }
    expect(await leaksInStore()).toEqual([]);
  });

  it('no secret is in the server output', () => {
    const { stdout, stderr } = server.output();
    expect(leaksIn(stdout + stderr)).toEqual([]);
  });

  it('after shutdown no secret is on disk, and a restart keeps the fingerprint key', async () => {
    const s = secret('restart');
    const before = await postOne(server, event({ newValue: { password: s } }));
    expect(await server.stop()).toBe(0);
    expect(await leaksInStore()).toEqual([]);
    server = await startServer({ dbFile: dir.file('a.db') });
    const after = await postOne(server, event({ newValue: { password: s } }));
    expect(after.newValue.password.fingerprint).toBe(before.newValue.password.fingerprint);
    expect(await leaksInStore()).toEqual([]);
  });
});
