// Viewer tokens (POST /v1/viewer-sessions) never outlive the token that minted them, mint nothing, are
// listed with their parent, and minting one is recorded (red-team report, issue 20 finding 3).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueToken } from '../../src/core/domain/tokens.js';
import { json, sampleEvent, startTestServer, type TestServer } from '../helpers/test-server.js';

let server: TestServer;
/** The server's clock runs this far ahead of the wall clock: tests move it to expire tokens. */
let shiftMs = 0;
beforeAll(async () => {
  server = await startTestServer({ now: () => Date.now() + shiftMs });
});
afterAll(async () => server?.close());

const idOf = (token: string) => token.slice(3, 15);

async function mintViewer(
  parent: string,
  ttlSeconds?: number,
): Promise<{ token: string; expiresAt: string }> {
  const res = await server.request('/v1/viewer-sessions', {
    method: 'POST',
    token: parent,
    json: ttlSeconds === undefined ? {} : { ttlSeconds },
  });
  expect(res.status, await res.clone().text()).toBe(201);
  return json(res);
}

const reads = async (token: string) => (await server.request('/v1/events?limit=1', { token })).status;

describe('viewer tokens', () => {
  it('cannot mint tokens: neither viewer tokens nor API tokens', async () => {
    const reader = await server.token('acme', ['read']);
    const viewer = await mintViewer(reader);
    const again = await server.request('/v1/viewer-sessions', {
      method: 'POST',
      token: viewer.token,
      json: { ttlSeconds: 3600 },
    });
    expect(again.status).toBe(403);
    expect((await json(again)).error.code).toBe('forbidden');
    const api = await server.request('/v1/tokens', {
      method: 'POST',
      token: viewer.token,
      json: { tenant: 'acme', scopes: ['read'] },
    });
    expect(api.status).toBe(403);
    expect(
      (await server.request('/v1/events', { method: 'POST', token: viewer.token, json: sampleEvent() }))
        .status,
    ).toBe(403);
    expect(await reads(viewer.token)).toBe(200);
  });

  it('stop working when their parent is revoked, and are shown revoked', async () => {
    const reader = await server.token('acme', ['read'], 'platform-backend');
    const viewers = [await mintViewer(reader), await mintViewer(reader)];
    for (const v of viewers) expect(await reads(v.token)).toBe(200);
    expect((await server.request(`/v1/tokens/${idOf(reader)}`, { method: 'DELETE' })).status).toBe(204);
    for (const v of viewers) expect(await reads(v.token)).toBe(401);
    for (const v of viewers)
      expect((await server.log.store.tokens.find(idOf(v.token)))?.revokedMs).not.toBeNull();
    const listed = (await json(await server.request('/v1/tokens?tenant=acme'))).tokens.map((t: any) => t.id);
    for (const v of viewers) expect(listed).not.toContain(idOf(v.token));
  });

  it('expire with their parent at the latest, checked on every use', async () => {
    const now = Date.now() + shiftMs;
    // A parent that expires in ten minutes (the API mints none; a library user or an older version might).
    const parent = issueToken('acme', ['read'], { name: 'expiring', nowMs: now, expiresMs: now + 600_000 });
    await server.log.store.tokens.create(parent.record);
    const viewer = await mintViewer(parent.token, 3600);
    expect(Date.parse(viewer.expiresAt)).toBe(now + 600_000);
    const me = await json(await server.request('/v1/me', { token: viewer.token }));
    expect(me.expiresAt).toBe(new Date(now + 600_000).toISOString());
    // A chain left by a version that let viewers mint: the grandchild outlives its parent on paper only.
    const child = issueToken('acme', ['read'], {
      kind: 'viewer',
      nowMs: now,
      expiresMs: now + 300_000,
      parentId: parent.record.id,
    });
    const grandchild = issueToken('acme', ['read'], {
      kind: 'viewer',
      nowMs: now,
      expiresMs: now + 3_600_000,
      parentId: child.record.id,
    });
    await server.log.store.tokens.create(child.record);
    await server.log.store.tokens.create(grandchild.record);
    expect(await reads(grandchild.token)).toBe(200);
    shiftMs += 301_000;
    try {
      expect(await reads(child.token)).toBe(401);
      expect(await reads(grandchild.token)).toBe(401);
      expect(await reads(viewer.token)).toBe(200);
      shiftMs += 300_000;
      expect(await reads(parent.token)).toBe(401);
      expect(await reads(viewer.token)).toBe(401);
    } finally {
      shiftMs = 0;
    }
  });

  it('without a recorded parent (minted before parents were kept) are refused', async () => {
    const now = Date.now();
    const orphan = issueToken('acme', ['read'], { kind: 'viewer', nowMs: now, expiresMs: now + 3_600_000 });
    await server.log.store.tokens.create(orphan.record);
    expect(await reads(orphan.token)).toBe(401);
  });

  it('are listed with their parent while they work', async () => {
    const reader = await server.token('globex', ['read'], 'globex-backend');
    const viewer = await mintViewer(reader, 120);
    const { tokens } = await json(await server.request('/v1/tokens?tenant=globex'));
    expect(tokens.find((t: any) => t.id === idOf(viewer.token))).toEqual({
      id: idOf(viewer.token),
      tenant: 'globex',
      name: 'viewer via globex-backend',
      scopes: ['read'],
      kind: 'viewer',
      createdAt: expect.any(String),
      revokedAt: null,
      expiresAt: viewer.expiresAt,
      parentId: idOf(reader),
    });
    expect(tokens.find((t: any) => t.id === idOf(reader))).toMatchObject({ kind: 'api', parentId: null });
    expect(JSON.stringify(tokens)).not.toContain(viewer.token.slice(-43));
  });

  it('minting one is an audit event of the tenant, attributed to the minting token', async () => {
    const reader = await server.token('initech', ['read'], 'initech-backend');
    const viewer = await mintViewer(reader, 60);
    const events = (await json(await server.request('/v1/events?category=security', { token: reader })))
      .events;
    const minted = events.filter((e: any) => e.eventType === 'auditlog.viewer_token_created');
    expect(minted).toHaveLength(1);
    expect(minted[0]).toMatchObject({
      action: 'create',
      actor: { id: `token:${idOf(reader)}`, username: 'initech-backend', type: 'service' },
      target: { type: 'Token', id: idOf(viewer.token), name: 'viewer via initech-backend' },
      newValue: { kind: 'viewer', parentId: idOf(reader), scopes: ['read'], expiresAt: viewer.expiresAt },
      ip: '127.0.0.1',
    });
    expect(JSON.stringify(minted)).not.toContain(viewer.token.slice(-43));
  });
});
