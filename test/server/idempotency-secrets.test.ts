import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, sampleEvent, startTestServer, type TestServer } from '../helpers/test-server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => server?.close());

const post = async (body: unknown) => {
  const res = await server.request('/v1/events', { method: 'POST', json: body });
  return { status: res.status, body: await json(res) };
};

describe('a re-sent id tells nothing of a stored secret', () => {
  it('a guess of a redacted secret, right or wrong, is a duplicate; any other change is still a 409', async () => {
    const stored = sampleEvent({
      id: 'idem-secret-1',
      newValue: { password: 'hunter2', maxChannels: 120 },
      reason: 'rotated with token=ghp_abcdefghijklmnopqrstuvwxyz0123456789',
    });
    expect((await post(stored)).status).toBe(201);
    for (const guess of ['hunter1', 'hunter2', '']) {
      const r = await post({ ...stored, newValue: { password: guess, maxChannels: 120 } });
      expect({ guess, status: r.status, duplicate: r.body.events?.[0]?.duplicate }).toEqual({
        guess,
        status: 201,
        duplicate: true,
      });
    }
    const text = await post({
      ...stored,
      reason: 'rotated with token=ghp_zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz',
    });
    expect(text.body.events?.[0]?.duplicate).toBe(true);
    // Not a secret: the content differs, as before.
    const changed = await post({ ...stored, newValue: { password: 'hunter2', maxChannels: 121 } });
    expect(changed.status).toBe(409);
    expect(changed.body.error.code).toBe('idempotency_conflict');
    // The first content stays, the retries stored nothing.
    const got = await json(await server.request('/v1/events/idem-secret-1'));
    expect(got.newValue.maxChannels).toBe(120);
    // A `fingerprint` of the client's own (no redaction marker) is content like any other.
    const own = sampleEvent({ id: 'idem-secret-2', metadata: { fingerprint: '0123456789abcdef' } });
    expect((await post(own)).status).toBe(201);
    const ownChanged = await post({ ...own, metadata: { fingerprint: 'fedcba9876543210' } });
    expect(ownChanged.status).toBe(409);
    const page = await json(await server.request('/v1/events?limit=100'));
    expect(page.events.filter((e: { id: string }) => e.id === 'idem-secret-1')).toHaveLength(1);
  });
});
