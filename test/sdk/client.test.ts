// The SDK against a real audit service (test/helpers/test-server.ts): delivery in order and exactly once,
// context filling, dead letters, the spool's bound and segments, the lock, Retry-After of a real 429.
import { appendFileSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import { validate, version } from 'uuid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AuditClient,
  type DeadLetter,
  type RetryInfo,
  retryAfterMs,
  runAs,
  SpoolFullError,
  SpoolLockedError,
} from '../../packages/sdk/src/index.js';
import { tempDir } from '../helpers/temp-dir.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
import { adminEvent, freePort, storedEvents } from './sdk-helpers.js';

describe('AuditClient against a real server', () => {
  let server: TestServer;
  let token: string;
  const dir = tempDir('auditlog-sdk-');
  let spools = 0;
  const spoolDir = () => dir.file(`spool-${++spools}`);

  beforeAll(async () => {
    server = await startTestServer();
    token = await server.token('default', ['ingest'], 'platform');
  });
  afterAll(async () => {
    await server?.close();
    dir.remove();
  });

  it('delivers recorded events in order, once, with client-side UUIDv7 ids and times', async () => {
    const client = await AuditClient.open({ url: server.url, token, spoolDir: spoolDir() });
    const ids: string[] = [];
    for (let n = 0; n < 5; n++) ids.push((await client.record(adminEvent(n))).id);
    const auth = await client.auth
      .loginFailed({ username: 'mallory', method: 'password', reason: 'bad_password' })
      .catch((e) => e);
    expect(auth).toBeInstanceOf(TypeError); // no ip: outside a request context, the caller must give one
    await client.flush(10_000);
    await client.close();
    for (const id of ids) expect(validate(id) && version(id)).toBe(7);
    const stored = (await storedEvents(server.request)).filter((e) => ids.includes(e.id));
    expect(stored.map((e) => e.id)).toEqual(ids);
    expect(stored[2].oldValue).toEqual({ maxChannels: 2 });
    expect(client.pendingBytes).toBe(0);
  });

  it('fills actor, ip, user agent, session and request id from runAs, across awaits', async () => {
    const client = await AuditClient.open({ url: server.url, token, spoolDir: spoolDir() });
    const context = {
      actor: { id: 'job_7', username: 'nightly-import', type: 'service' as const },
      ip: '203.0.113.9',
      userAgent: 'import-job/1.0',
      sessionId: 'sess-job-7',
      requestId: 'corr-123',
    };
    const { id, authId } = await runAs(context, async () => {
      await new Promise((r) => setTimeout(r, 5));
      const { actor: _omitted, ...event } = adminEvent(99);
      const recorded = await client.record(event);
      const auth = await client.auth.loginSucceeded({ method: 'password_totp' });
      return { id: recorded.id, authId: auth.id };
    });
    await client.close();
    const event = (await storedEvents(server.request)).find((e) => e.id === id);
    expect(event).toMatchObject({
      actor: { id: 'job_7', username: 'nightly-import', type: 'service' },
      ip: '203.0.113.9',
      userAgent: 'import-job/1.0',
      sessionId: 'sess-job-7',
      requestId: 'corr-123',
    });
    const login = (await storedEvents(server.request, '/v1/auth-events')).find((e) => e.id === authId);
    expect(login).toMatchObject({
      type: 'login_success',
      method: 'password_totp',
      user: { id: 'job_7', username: 'nightly-import' },
      ip: '203.0.113.9',
      sessionId: 'sess-job-7',
    });
  });

  it('sets refused events aside in the dead-letter file with the reason, and delivers the rest in order', async () => {
    const spool = spoolDir();
    // Spooled while the service is away, so that the three travel in one batch that the server refuses whole.
    const offline = await AuditClient.open({
      url: `http://127.0.0.1:${await freePort()}`,
      token,
      spoolDir: spool,
    });
    const clash = (await offline.record(adminEvent(1))).id;
    const good1 = (await offline.record(adminEvent(2))).id;
    const bad = (await offline.record(adminEvent(3, { category: 'no-such-category' }))).id;
    const conflicting = (await offline.record(adminEvent(4, { id: clash }))).id;
    const good2 = (await offline.record(adminEvent(5))).id;
    await offline.close({ flushTimeoutMs: 0 });

    const letters: DeadLetter[] = [];
    const client = await AuditClient.open({
      url: server.url,
      token,
      spoolDir: spool,
      onDeadLetter: (letter) => letters.push(letter),
    });
    await client.flush(10_000);
    await client.close();
    const stored = (await storedEvents(server.request)).map((e) => e.id);
    expect(stored.filter((id) => [clash, good1, bad, good2].includes(id))).toEqual([clash, good1, good2]);
    expect(letters.map((l) => [l.event.id, l.status, l.code])).toEqual([
      [bad, 400, 'invalid_event'],
      [conflicting, 409, 'idempotency_conflict'],
    ]);
    expect(letters[0]!.reason).toContain('/events/0/category');
    const file = readFileSync(client.deadLetterFile, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(file).toEqual(letters);
  });

  it('retries a refused token (401) and a wrong URL (404) instead of dead-lettering the spool', async () => {
    const spool = spoolDir();
    const created = await (
      await server.request('/v1/tokens', { method: 'POST', json: { scopes: ['ingest'], name: 'revoked' } })
    ).json();
    expect((await server.request(`/v1/tokens/${created.id}`, { method: 'DELETE' })).status).toBe(204);
    for (const [url, key, status] of [
      [server.url, created.token, 401],
      [`${server.url}/no-such-prefix/`, token, 404],
    ] as const) {
      const retries: RetryInfo[] = [];
      const letters: DeadLetter[] = [];
      const client = await AuditClient.open({
        url,
        token: key,
        spoolDir: spool,
        initialRetryDelayMs: 10,
        maxRetryDelayMs: 20,
        onRetry: (info) => retries.push(info),
        onDeadLetter: (letter) => letters.push(letter),
      });
      await client.record(adminEvent(1));
      await expect.poll(() => retries.length).toBeGreaterThanOrEqual(3);
      await client.close({ flushTimeoutMs: 0 });
      expect(retries[0]!.status).toBe(status);
      expect(letters).toEqual([]);
    }
    const client = await AuditClient.open({ url: server.url, token, spoolDir: spool });
    await client.flush(10_000);
    await client.close();
    expect(existsSync(client.deadLetterFile)).toBe(false);
  });

  it('refuses a record() past maxSpoolBytes with a clear error, keeping what it accepted', async () => {
    const spool = spoolDir();
    const offline = await AuditClient.open({
      url: `http://127.0.0.1:${await freePort()}`,
      token,
      spoolDir: spool,
      maxSpoolBytes: 4000,
    });
    const accepted: string[] = [];
    let refusal: unknown;
    for (let n = 0; n < 100 && refusal === undefined; n++) {
      await offline.record(adminEvent(n)).then(
        (r) => accepted.push(r.id),
        (e) => (refusal = e),
      );
    }
    expect(refusal).toBeInstanceOf(SpoolFullError);
    expect(String(refusal)).toMatch(
      /spool .* is full: \d+ bytes wait to be sent \(maxSpoolBytes 4000\); the event was NOT recorded/,
    );
    expect(offline.pendingBytes).toBeLessThanOrEqual(4000);
    expect(accepted.length).toBeGreaterThan(5);
    await offline.close({ flushTimeoutMs: 0 });
    const client = await AuditClient.open({ url: server.url, token, spoolDir: spool });
    await client.flush(10_000);
    await client.close();
    const stored = (await storedEvents(server.request)).map((e) => e.id);
    expect(stored.filter((id) => accepted.includes(id))).toEqual(accepted);
  });

  it('rolls the spool over small segments, delivers across them in order and deletes the sent ones', async () => {
    const spool = spoolDir();
    const offline = await AuditClient.open({
      url: `http://127.0.0.1:${await freePort()}`,
      token,
      spoolDir: spool,
      segmentBytes: 1500,
    });
    const ids: string[] = [];
    for (let n = 0; n < 30; n++) ids.push((await offline.record(adminEvent(n))).id);
    await offline.close({ flushTimeoutMs: 0 });
    expect(readdirSync(spool).filter((f) => f.startsWith('seg-')).length).toBeGreaterThan(3);
    const client = await AuditClient.open({
      url: server.url,
      token,
      spoolDir: spool,
      segmentBytes: 1500,
      batchSize: 7,
    });
    await client.flush(10_000);
    await client.close();
    const stored = (await storedEvents(server.request)).map((e) => e.id);
    expect(stored.filter((id) => ids.includes(id))).toEqual(ids);
    expect(readdirSync(spool).filter((f) => f.startsWith('seg-')).length).toBe(1);
  });

  it('cuts a line torn by a crash mid-write (never acknowledged) and delivers the rest', async () => {
    const spool = spoolDir();
    const offline = await AuditClient.open({
      url: `http://127.0.0.1:${await freePort()}`,
      token,
      spoolDir: spool,
    });
    const ids = [(await offline.record(adminEvent(1))).id, (await offline.record(adminEvent(2))).id];
    await offline.close({ flushTimeoutMs: 0 });
    const segment = readdirSync(spool).find((f) => f.startsWith('seg-'))!;
    appendFileSync(`${spool}/${segment}`, '{"k":"event","e":{"id":"torn-by-a-cr');
    const letters: DeadLetter[] = [];
    const client = await AuditClient.open({
      url: server.url,
      token,
      spoolDir: spool,
      onDeadLetter: (l) => letters.push(l),
    });
    const after = (await client.record(adminEvent(3))).id;
    await client.flush(10_000);
    await client.close();
    const stored = (await storedEvents(server.request)).map((e) => e.id);
    expect(stored.filter((id) => [...ids, after].includes(id))).toEqual([...ids, after]);
    expect(letters).toEqual([]);
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    const now = Date.parse('2026-12-05T10:00:00Z');
    expect(retryAfterMs('7', now)).toBe(7000);
    expect(retryAfterMs('Sat, 05 Dec 2026 10:00:30 GMT', now)).toBe(30_000);
    expect(retryAfterMs('Sat, 05 Dec 2026 09:00:00 GMT', now)).toBe(0);
    expect(retryAfterMs('soon', now)).toBeUndefined();
    expect(retryAfterMs(null, now)).toBeUndefined();
  });

  it('lets one client at a time use a spool', async () => {
    const spool = spoolDir();
    const first = await AuditClient.open({ url: server.url, token, spoolDir: spool });
    await expect(AuditClient.open({ url: server.url, token, spoolDir: spool })).rejects.toBeInstanceOf(
      SpoolLockedError,
    );
    await first.close();
    await expect(first.record(adminEvent(1))).rejects.toThrow(/closed: the event was NOT recorded/);
    const second = await AuditClient.open({ url: server.url, token, spoolDir: spool });
    await second.close();
    expect(existsSync(`${spool}/lock`)).toBe(false);
  });
});

describe('AuditClient and a real 429 with Retry-After', () => {
  let server: TestServer;
  const dir = tempDir('auditlog-sdk-');
  beforeAll(async () => {
    // One wrong secret per minute locks this address out for the rest of the minute: 429 with Retry-After.
    server = await startTestServer({}, { maxAuthFailuresPerMinute: 1 });
  });
  afterAll(async () => {
    await server?.close();
    dir.remove();
  });

  it('waits as long as the service says, not its own backoff', async () => {
    const token = await server.token('default', ['ingest']);
    for (let i = 0; i < 3; i++)
      await server.request('/v1/me', {
        token: 'al_AAAAAAAAAAAA_wrongwrongwrongwrongwrongwrongwrongwrongwro',
      });
    const retries: RetryInfo[] = [];
    const client = await AuditClient.open({
      url: server.url,
      token,
      spoolDir: dir.file('spool'),
      initialRetryDelayMs: 10,
      maxRetryDelayMs: 50,
      onRetry: (info) => retries.push(info),
    });
    await client.record(adminEvent(1));
    await expect.poll(() => retries.length).toBe(1);
    // With its own backoff (10–50 ms) it would have tried a dozen times by now.
    await new Promise((r) => setTimeout(r, 600));
    await client.close({ flushTimeoutMs: 0 });
    expect(retries).toHaveLength(1);
    expect(retries[0]).toMatchObject({ attempt: 1, status: 429 });
    expect(retries[0]!.retryAfterMs).toBeGreaterThanOrEqual(1000);
    expect(retries[0]!.delayMs).toBe(retries[0]!.retryAfterMs);
    expect(retries[0]!.reason).toContain('rate_limited');
  });
});
