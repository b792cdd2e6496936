import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { occurrences } from '../helpers/stored-bytes.js';
import { ADMIN_TOKEN, json, sampleEvent, startTestServer, type TestServer } from '../helpers/test-server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => server?.close());

describe('tokens', () => {
  it('creates a token whose secret is shown once and never stored', async () => {
    const res = await server.request('/v1/tokens', {
      method: 'POST',
      json: { tenant: 'acme', scopes: ['read', 'ingest'], name: 'platform' },
    });
    expect(res.status).toBe(201);
    const { id, token } = await json(res);
    // al_<12-char id>_<43-char secret>; both are base64url, so either may itself contain '_'.
    const parts = /^al_([A-Za-z0-9_-]{12})_([A-Za-z0-9_-]{43})$/.exec(token);
    expect(parts, token).not.toBeNull();
    expect(parts![1]).toBe(id);
    const secret = parts![2]!;
    // SQLite: the file, -wal and -shm; PostgreSQL: every row of every table, and the database's files and WAL.
    const stored = await server.storedBytes();
    expect(occurrences(stored, [id]), 'the token id is stored, so this looks at the right store').not.toEqual(
      [],
    );
    expect(occurrences(stored, [secret])).toEqual([]);
    const list = await json(await server.request('/v1/tokens'));
    const listed = list.tokens.find((t: any) => t.id === id);
    expect(listed).toMatchObject({
      tenant: 'acme',
      scopes: ['read', 'ingest'],
      name: 'platform',
      revokedAt: null,
    });
    expect(JSON.stringify(list)).not.toContain(secret);
  });

  it('revokes at once', async () => {
    const token = await server.token('acme', ['read']);
    expect((await server.request('/v1/events', { token })).status).toBe(200);
    const id = token.slice(3, 15);
    expect((await server.request(`/v1/tokens/${id}`, { method: 'DELETE' })).status).toBe(204);
    const after = await server.request('/v1/events', { token });
    expect(after.status).toBe(401);
    expect((await server.request('/v1/tokens/unknown-id', { method: 'DELETE' })).status).toBe(404);
  });

  it('rejects invalid token requests with the path', async () => {
    const res = await server.request('/v1/tokens', {
      method: 'POST',
      json: { tenant: 'a b', scopes: ['root'] },
    });
    expect(res.status).toBe(400);
    const paths = (await json(res)).error.details.map((d: any) => d.path);
    expect(paths).toEqual(['/tenant', '/scopes/0']);
  });

  it('records token creation and revocation in the token’s tenant, attributed to the acting token', async () => {
    const admin = await server.token('default', ['admin'], 'ops-admin');
    const adminId = admin.slice(3, 15);
    const created = await json(
      await server.request('/v1/tokens', {
        method: 'POST',
        token: admin,
        json: { tenant: 'initech', scopes: ['read'], name: 'bi' },
      }),
    );
    await server.request(`/v1/tokens/${created.id}`, { method: 'DELETE', token: admin });
    const reader = await server.token('initech', ['read']);
    const events = (
      await json(await server.request('/v1/events?category=security&order=asc', { token: reader }))
    ).events;
    const mine = events.filter((e: any) => e.target.id === created.id);
    expect(mine.map((e: any) => e.eventType)).toEqual(['auditlog.token_created', 'auditlog.token_revoked']);
    for (const e of mine) {
      expect(e.actor).toMatchObject({ id: `token:${adminId}`, username: 'ops-admin', type: 'service' });
      expect(e.target).toEqual({ type: 'Token', id: created.id, name: 'bi' });
      expect(e.ip).toBe('127.0.0.1');
    }
    expect(JSON.stringify(mine)).not.toContain(created.token.slice(-43));
  });

  it('mints short-lived read-only viewer tokens for the own tenant', async () => {
    const ingest = await server.token('acme', ['ingest', 'read']);
    const res = await server.request('/v1/viewer-sessions', {
      method: 'POST',
      token: ingest,
      json: { ttlSeconds: 60 },
    });
    expect(res.status).toBe(201);
    const { token, expiresAt } = await json(res);
    expect(Date.parse(expiresAt) - Date.now()).toBeGreaterThan(50_000);
    expect(Date.parse(expiresAt) - Date.now()).toBeLessThanOrEqual(60_000);
    expect((await server.request('/v1/events', { token })).status).toBe(200);
    expect((await server.request('/v1/events', { method: 'POST', token, json: sampleEvent() })).status).toBe(
      403,
    );
    const bad = await server.request('/v1/viewer-sessions', {
      method: 'POST',
      token: ingest,
      json: { ttlSeconds: 999999 },
    });
    expect(bad.status).toBe(400);
  });
});

describe('failed authentications', () => {
  it('lock the address out after the limit: 429 with Retry-After, even for the right token', async () => {
    const limited = await startTestServerWithLimit(5);
    try {
      const good = await limited.token('acme', ['read']);
      const guess = `${good.slice(0, 16)}${'A'.repeat(43)}`;
      const statuses: number[] = [];
      for (let i = 0; i < 8; i++)
        statuses.push((await limited.request('/v1/events', { token: guess })).status);
      expect(statuses).toEqual([401, 401, 401, 401, 401, 429, 429, 429]);
      for (const token of [good, ADMIN_TOKEN]) {
        const locked = await limited.request('/v1/events', { token });
        expect(locked.status).toBe(429);
        expect(locked.headers.get('retry-after')).toMatch(/^[1-9]\d*$/);
        expect(await json(locked)).toEqual({
          error: { code: 'rate_limited', message: expect.stringContaining('retry in'), details: [] },
        });
      }
      // Without a trusted proxy, X-Forwarded-For is the client's word: it does not get around the lock.
      const spoofed = await limited.request('/v1/events', {
        token: good,
        headers: { 'x-forwarded-for': '198.51.100.77' },
      });
      expect(spoofed.status).toBe(429);
      // Routes that need no token are not locked.
      expect((await limited.request('/healthz', { token: null })).status).toBe(200);
    } finally {
      await limited.close();
    }
  });

  it('count only wrong secrets: a missing token, or a revoked or expired one with its right secret, do not', async () => {
    const limited = await startTestServerWithLimit(3);
    try {
      const revoked = await limited.token('acme', ['read']);
      await limited.request(`/v1/tokens/${revoked.slice(3, 15)}`, { method: 'DELETE' });
      const reader = await limited.token('acme', ['read']);
      const viewer = await json(
        await limited.request('/v1/viewer-sessions', { method: 'POST', token: reader, json: {} }),
      );
      await limited.request(`/v1/tokens/${reader.slice(3, 15)}`, { method: 'DELETE' });
      for (let i = 0; i < 10; i++) {
        expect((await limited.request('/v1/events', { token: null })).status).toBe(401);
        expect((await limited.request('/v1/events', { token: revoked })).status).toBe(401);
        expect((await limited.request('/v1/events', { token: viewer.token })).status).toBe(401);
      }
      expect((await limited.request('/v1/events', { method: 'POST', json: sampleEvent() })).status).toBe(201);
    } finally {
      await limited.close();
    }
  });

  it('behind a named proxy, lock out the guessing client only, not the platform', async () => {
    const limited = await startTestServer({}, { maxAuthFailuresPerMinute: 3, trustProxy: ['127.0.0.0/8'] });
    try {
      const good = await limited.token('acme', ['read']);
      const from = (client: string, token: string) =>
        limited.request('/v1/events', { token, headers: { 'x-forwarded-for': client } });
      for (let i = 0; i < 4; i++) await from('203.0.113.9', `${good.slice(0, 16)}${'B'.repeat(43)}`);
      expect((await from('203.0.113.9', good)).status).toBe(429);
      expect((await from('198.51.100.7', good)).status).toBe(200);
      // IPv6 clients are keyed by /64: another address of the same /64 is the same client.
      for (let i = 0; i < 4; i++) await from('2001:db8:1:2::a', `${good.slice(0, 16)}${'C'.repeat(43)}`);
      expect((await from('2001:db8:1:2::b', good)).status).toBe(429);
      expect((await from('2001:db8:1:3::a', good)).status).toBe(200);
    } finally {
      await limited.close();
    }
  });
});

async function startTestServerWithLimit(max: number): Promise<TestServer> {
  return startTestServer({}, { maxAuthFailuresPerMinute: max });
}

describe("a tenant's admin token", () => {
  it("manages its own tenant's tokens only; the operator's (tenant default) manage every tenant's", async () => {
    const acmeAdmin = await server.token('acme-ops', ['admin', 'read']);
    const otherToken = await server.token('globex', ['read']);
    const otherId = otherToken.slice(3, 15);
    const acme = (path: string, init: Parameters<TestServer['request']>[1] = {}) =>
      server.request(path, { ...init, token: acmeAdmin });

    // Into another tenant, or the operator's: 403 naming /tenant, nothing created.
    for (const tenant of ['default', 'globex']) {
      const refused = await acme('/v1/tokens', { method: 'POST', json: { tenant, scopes: ['admin'] } });
      expect(refused.status, tenant).toBe(403);
      expect((await json(refused)).error.details).toEqual([
        {
          path: '/tenant',
          message:
            "an admin token of tenant acme-ops manages that tenant's tokens only; those of other tenants are the operator's (tenant default)",
        },
      ]);
    }
    expect((await acme('/v1/tokens?tenant=globex')).status).toBe(403);
    // Another tenant's token is 404 to it, like an unknown one, and keeps working.
    expect((await acme(`/v1/tokens/${otherId}`, { method: 'DELETE' })).status).toBe(404);
    expect((await server.request('/v1/events', { token: otherToken })).status).toBe(200);

    // Its own tenant: created, listed (only its own), revoked.
    const created = await acme('/v1/tokens', { method: 'POST', json: { scopes: ['ingest'] } });
    expect(created.status).toBe(201);
    const { id } = await json(created);
    const listed = (await json(await acme('/v1/tokens'))).tokens as { id: string; tenant: string }[];
    expect(new Set(listed.map((t) => t.tenant))).toEqual(new Set(['acme-ops']));
    expect(listed.map((t) => t.id)).toContain(id);
    expect((await acme(`/v1/tokens/${id}`, { method: 'DELETE' })).status).toBe(204);

    // The operator's token lists and revokes across tenants.
    const all = (await json(await server.request('/v1/tokens'))).tokens as { tenant: string }[];
    expect(all.map((t) => t.tenant)).toEqual(expect.arrayContaining(['default', 'acme-ops', 'globex']));
    expect((await server.request(`/v1/tokens/${otherId}`, { method: 'DELETE' })).status).toBe(204);
  });
});
