// An event's `ip` may carry an IPv6 zone id (`fe80::1%eth0`, kept verbatim), but the stores index the
// address only, so the `ip=` filter cannot tell zones apart. A filter with a zone id was read as its address
// (events of every zone, and of none, matched `ip=fe80::1%eth0`); it is now a 400 naming `ip` on every
// endpoint that filters by IP, and `ip=fe80::1` finds the address under every zone.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, sampleEvent, sampleSignIn, startTestServer, type TestServer } from '../helpers/test-server.js';

let server: TestServer;
const enc = encodeURIComponent;

beforeAll(async () => {
  server = await startTestServer();
  const events = [
    sampleEvent({ id: 'zoned', ip: 'fe80::1%eth0' }),
    sampleEvent({ id: 'other-zone', ip: 'fe80::1%eth1' }),
    sampleEvent({ id: 'plain', ip: 'fe80::1' }),
    sampleEvent({ id: 'elsewhere', ip: 'fe80::2' }),
  ];
  const res = await server.request('/v1/events', { method: 'POST', json: { events } });
  expect(res.status, JSON.stringify(await json(res))).toBeLessThan(300);
  const signIn = {
    ...sampleSignIn('in-1', { id: 'u1', username: 'ann' }, '2026-06-01T09:00:00Z'),
    ip: 'fe80::1%eth0',
  };
  const auth = await server.request('/v1/auth-events', { method: 'POST', json: { events: [signIn] } });
  expect(auth.status, JSON.stringify(await json(auth))).toBeLessThan(300);
});
afterAll(async () => server?.close());

describe('ip= with an IPv6 zone id', () => {
  it('events keep the zone id they were sent with', async () => {
    const body = await json(await server.request('/v1/events/zoned'));
    expect(body.ip).toBe('fe80::1%eth0');
  });

  it('is a 400 naming ip on every endpoint that filters by IP, address or CIDR block', async () => {
    const paths = [
      '/v1/events',
      '/v1/stats?groupBy=action&',
      '/v1/export',
      '/v1/auth-events',
      '/v1/sessions',
    ];
    for (const ip of ['fe80::1%eth0', 'fe80::%eth0/64', 'fe80::1%25eth0']) {
      for (const path of paths) {
        const sep = path.endsWith('&') ? '' : '?';
        const res = await server.request(`${path}${sep}ip=${enc(ip)}`);
        const body = await json(res);
        expect([res.status, body.error?.code], `${path} ${ip}`).toEqual([400, 'invalid_query']);
        expect(body.error.details[0].path, `${path} ${ip}`).toBe('/ip');
        expect(body.error.details[0].message).toMatch(/zone id/);
      }
    }
  });

  it('the address without a zone finds it under every zone', async () => {
    const ids = (await json(await server.request(`/v1/events?ip=${enc('fe80::1')}&order=asc`))).events.map(
      (e: { id: string }) => e.id,
    );
    expect(ids.sort()).toEqual(['other-zone', 'plain', 'zoned']);
    const block = await json(await server.request(`/v1/events?ip=${enc('fe80::/64')}`));
    expect(block.events).toHaveLength(4);
    const auth = await json(await server.request(`/v1/auth-events?ip=${enc('fe80::1')}`));
    expect(auth.events.map((e: { ip: string }) => e.ip)).toEqual(['fe80::1%eth0']);
  });
});
