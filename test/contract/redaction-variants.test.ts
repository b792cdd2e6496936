// Every spelling of a secret key, name/value pairs, and secrets inside text (README, "Redaction"), planted through
// HTTP: each must come back redacted, be found by no search and appear nowhere in the database files (SQLite
// file, -wal, -shm; PostgreSQL rows, files and WAL), while the server runs and after it stopped.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/temp-dir.js';
import {
  secretEvent as event,
  isRedacted,
  MARK,
  PlantedSecrets,
  REDACTED,
} from './helpers/planted-secrets.js';
import { NEAR_MISS_KEYS, SECRET_KEYS, secretPairs } from './helpers/secret-spellings.js';
import { type RunningServer, startServer } from './helpers/server.js';

const dir = tempDir('auditlog-contract-redaction-variants-');
let server: RunningServer;
const secrets = new PlantedSecrets();
const { secret, planted } = secrets;
const leaksIn = (text: string) => secrets.leaksIn(text);
const postOne = (s: RunningServer, e: Record<string, unknown>) => secrets.postOne(s, e);

beforeAll(async () => {
  server = await startServer({ dbFile: dir.file('v.db') });
});

afterAll(async () => {
  await server?.stop();
  dir.remove();
});

describe('redaction of variants, pairs and text', () => {
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
          deep: [
            {
              pem: `-----BEGIN PRIVATE KEY-----\nMII${planted((h) => h)}\n-----END PRIVATE KEY-----`,
            },
          ],
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

  it('secret words in text spelt full width, in mathematical letters or with look-alike letters', async () => {
    const [wide, bold, cyrillic] = [planted((h) => h), planted((h) => h), planted((h) => h)];
    const e = await postOne(
      server,
      event({
        reason: `ｐａｓｓｗｏｒｄ＝${wide}`,
        userAgent: `𝐩𝐚𝐬𝐬𝐰𝐨𝐫𝐝=${bold} done`,
        newValue: { note: `login раssword=${cyrillic}`, раssword: planted((h) => h) },
      }),
    );
    expect(leaksIn(JSON.stringify(e))).toEqual([]);
    expect(e.reason).toMatch(/^ｐａｓｓｗｏｒｄ＝\[redacted:[0-9a-f]{16}\]$/);
    expect(e.userAgent).toMatch(/^𝐩𝐚𝐬𝐬𝐰𝐨𝐫𝐝=\[redacted:[0-9a-f]{16}\] done$/);
    expect(isRedacted(e.newValue.раssword)).toBe(true);
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
    const sessionId = `sess-redact-${randomBytes(4).toString('hex')}`;
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

  it('no planted secret is in any list answer or in the database files, running and after shutdown', async () => {
    const answers = await Promise.all(
      ['/v1/events?limit=500', '/v1/auth-events?limit=500', '/v1/sessions?limit=500'].map((p) =>
        server.getJson(p),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    expect(leaksIn(JSON.stringify(answers.map((a) => a.body)))).toEqual([]);
    expect(await secrets.leaksInStore(dir.file('v.db'))).toEqual([]);
    expect(await server.stop()).toBe(0);
    expect(await secrets.leaksInStore(dir.file('v.db'))).toEqual([]);
    expect(leaksIn(server.output().stdout + server.output().stderr)).toEqual([]);
  });
});
