// Secrets are never stored in clear (API.md, "Administrative events"): values under secret-looking keys, at any depth,
// become { "redacted": true, "fingerprint": "<keyed HMAC prefix>" }. The secret bytes must appear in no response and
// nowhere in the database files (WAL and shared-memory files included), while running and after shutdown.
// On PostgreSQL "the database files" are every row of every table, the database's files and the WAL.
import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { filesUnder, occurrences } from '../helpers/stored-bytes.js';
import { tempDir } from '../helpers/temp-dir.js';
import { secretEvent as event, isRedacted, PlantedSecrets, REDACTED } from './helpers/planted-secrets.js';
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
const secrets = new PlantedSecrets();
const { secret } = secrets;
const leaksIn = (text: string) => secrets.leaksIn(text);
const leaksInStore = () => secrets.leaksInStore(dir.file('a.db'));
const postOne = (s: RunningServer, e: Record<string, unknown>) => secrets.postOne(s, e);

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
    secrets.add(String(pin));
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

  it('idempotency works through redaction: same secret → duplicate, and another secret too (no oracle)', async () => {
    const s = secret('idem');
    const e = event({ id: 'redact-idem', newValue: { password: s } });
    expect((await server.post(e)).status).toBe(201);
    const again = await server.post(e);
    expect(again.status).toBe(201);
    expect(again.body.events[0].duplicate).toBe(true);
    // A 409 here would tell whoever re-sends the id whether a guess of the stored secret was right.
    const other = await server.post({ ...e, newValue: { password: secret('idem-other') } });
    expect(other.status).toBe(201);
    expect(other.body.events[0].duplicate).toBe(true);
  });

  it('error responses never echo a secret (400 invalid event, 409 conflict)', async () => {
    const bad = await server.post(event({ action: 'destroy', newValue: { password: secret('err400') } }));
    expect(bad.status).toBe(400);
    expectErrorShape(bad.body);
    expect(leaksIn(JSON.stringify(bad.body))).toEqual([]);
    const ok = await server.post(
      event({ id: 'redact-conflict', newValue: { password: secret('err409a'), maxChannels: 1 } }),
    );
    expect(ok.status).toBe(201);
    const conflict = await server.post(
      event({ id: 'redact-conflict', newValue: { password: secret('err409b'), maxChannels: 2 } }),
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
