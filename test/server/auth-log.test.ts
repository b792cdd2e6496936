import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, sampleEvent, startTestServer, type TestServer } from '../helpers/test-server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => server?.close());

const T0 = Date.parse('2026-06-01T09:00:00.000Z');
const at = (seconds: number) => new Date(T0 + seconds * 1000).toISOString();
const enc = encodeURIComponent;

async function post(events: unknown[], token?: string) {
  const res = await server.request('/v1/auth-events', { method: 'POST', json: { events }, token });
  return { status: res.status, body: await json(res) };
}

const login = (
  sessionId: string,
  username: string,
  seconds: number,
  extra: Record<string, unknown> = {},
) => ({
  type: 'login_success',
  user: { id: `id-${username}`, username, displayName: username.toUpperCase() },
  method: 'password_totp',
  sessionId,
  ip: '198.51.100.7',
  userAgent: 'Mozilla/5.0',
  occurredAt: at(seconds),
  ...extra,
});
const end = (type: string, sessionId: string, username: string, seconds: number) => ({
  type,
  user: { username },
  sessionId,
  ip: '198.51.100.7',
  occurredAt: at(seconds),
});
const failure = (username: string, ip: string, seconds: number, reason = 'bad_password') => ({
  type: 'login_failure',
  user: { username },
  reason,
  ip,
  occurredAt: at(seconds),
});

describe('sessions', () => {
  it('computes durations to the second for every end reason and keeps open sessions open', async () => {
    const r = await post([
      login('s-logout', 'ana', 0),
      end('logout', 's-logout', 'ana', 3725),
      login('s-expired', 'ben', 10, { method: 'password' }),
      end('session_expired', 's-expired', 'ben', 10 + 1800),
      login('s-revoked', 'cy', 20, { method: 'password_email_2fa' }),
      end('session_revoked', 's-revoked', 'cy', 20 + 59),
      login('s-open', 'dee', 30),
    ]);
    expect(r.status).toBe(201);
    const get = async (id: string) => json(await server.request(`/v1/sessions/${id}`));
    expect(await get('s-logout')).toMatchObject({
      endReason: 'logout',
      durationSeconds: 3725,
      method: 'password_totp',
    });
    expect(await get('s-expired')).toMatchObject({
      endReason: 'expired',
      durationSeconds: 1800,
      method: 'password',
    });
    expect(await get('s-revoked')).toMatchObject({
      endReason: 'revoked',
      durationSeconds: 59,
      method: 'password_email_2fa',
    });
    const open = await get('s-open');
    expect(open).toMatchObject({ endReason: null, endedAt: null, durationSeconds: null, active: true });
    const active = await json(await server.request('/v1/sessions?active=true'));
    expect(active.sessions.map((s: any) => s.sessionId)).toContain('s-open');
    expect(active.sessions.map((s: any) => s.sessionId)).not.toContain('s-logout');
  });

  it('is right when the logout arrives first, is repeated, or has no login on record', async () => {
    await post([end('logout', 's-ooo', 'eve', 600)]);
    let s = await json(await server.request('/v1/sessions/s-ooo'));
    expect(s).toMatchObject({
      loginAt: null,
      loginMissing: true,
      endReason: 'logout',
      durationSeconds: null,
    });
    expect(s.user.username).toBe('eve');
    await post([login('s-ooo', 'eve', 100)]);
    await post([end('logout', 's-ooo', 'eve', 900)]);
    s = await json(await server.request('/v1/sessions/s-ooo'));
    expect(s).toMatchObject({
      loginAt: at(100),
      endedAt: at(600),
      durationSeconds: 500,
      loginMissing: false,
    });
    await post([end('logout', 's-orphan', 'fay', 50)]);
    const orphan = await json(await server.request('/v1/sessions/s-orphan'));
    expect(orphan).toMatchObject({ loginMissing: true, loginAt: null, active: false });
  });

  it('links a session to the administrative actions performed in it', async () => {
    await post([login('s-work', 'gus', 0)]);
    const events = [1, 2, 3].map((i) =>
      sampleEvent({ sessionId: 's-work', occurredAt: at(i * 60), target: { type: 'Queue', id: `q${i}` } }),
    );
    events.push(sampleEvent({ sessionId: 's-other', occurredAt: at(30) }));
    expect((await server.request('/v1/events', { method: 'POST', json: { events } })).status).toBe(201);
    const s = await json(await server.request('/v1/sessions/s-work'));
    expect(s.actions.map((a: any) => a.target.id)).toEqual(['q1', 'q2', 'q3']);
    const filtered = await json(await server.request('/v1/events?sessionId=s-work&order=asc'));
    expect(filtered.events.map((a: any) => a.target.id)).toEqual(['q1', 'q2', 'q3']);
    expect((await server.request('/v1/sessions/no-such-session')).status).toBe(404);
  });
});

describe('auth events', () => {
  it('validates each rule and names the path', async () => {
    const r = await post([
      { type: 'login_success', user: { username: 'x' }, ip: '10.0.0.1' },
      { type: 'login_failure', user: { username: 'x' }, ip: '10.0.0.1' },
      { type: 'logout', user: { username: 'x' }, ip: '10.0.0.1' },
      { type: 'login_failure', user: { username: 'x' }, ip: '999.1.1.1', reason: 'bad_password' },
      { type: 'login_success', user: {}, ip: '10.0.0.1', method: 'sms', sessionId: 's' },
      { type: 'teleport', user: { username: 'x' }, ip: '10.0.0.1' },
      { type: 'logout', user: { username: 'x' }, ip: '10.0.0.1', sessionId: 's', reason: 'bad_password' },
    ]);
    expect(r.status).toBe(400);
    const details = r.body.error.details.map((d: any) => `${d.path} ${d.message}`);
    expect(details).toEqual(
      expect.arrayContaining([
        '/events/0/method is required for login_success',
        '/events/0/sessionId is required for login_success',
        '/events/1/reason is required for login_failure',
        '/events/2/sessionId is required for logout',
        '/events/3/ip must be a valid IPv4 or IPv6 address',
        '/events/4/user/username is required',
        '/events/4/method must be one of: password, password_totp, password_email_2fa',
        '/events/5/type must be one of: login_success, login_failure, logout, session_expired, session_revoked',
        '/events/6/reason is only allowed on login_failure',
      ]),
    );
  });

  it('accepts every failure reason, including for users that do not exist, and filters', async () => {
    const reasons = ['bad_password', 'unknown_user', 'bad_totp', 'bad_email_code', 'locked', 'disabled'];
    const r = await post(reasons.map((reason, i) => failure(`ghost-${i}`, '203.0.113.50', 5000 + i, reason)));
    expect(r.status).toBe(201);
    const list = await json(
      await server.request('/v1/auth-events?type=login_failure&ip=203.0.113.0/24&order=asc'),
    );
    expect(list.events.map((e: any) => e.reason)).toEqual(reasons);
    const byUser = await json(await server.request('/v1/auth-events?user=GHOST-3'));
    expect(byUser.events.map((e: any) => e.user.username)).toEqual(['ghost-3']);
    const q = await json(await server.request('/v1/auth-events?q=bad_e'));
    expect(q.events.map((e: any) => e.reason)).toEqual(['bad_email_code']);
  });

  it('is idempotent by id', async () => {
    const e = { ...failure('idem', '10.9.9.9', 7000), id: 'auth-idem-1' };
    const first = await post([e]);
    const again = await post([e]);
    expect(again.body.events[0]).toMatchObject({
      id: 'auth-idem-1',
      seq: first.body.events[0].seq,
      duplicate: true,
    });
    const conflict = await post([{ ...e, reason: 'locked' }]);
    expect(conflict.status).toBe(409);
  });

  it('pages with stable cursors', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: any = await json(
        await server.request(
          `/v1/auth-events?limit=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
        ),
      );
      seen.push(...page.events.map((e: any) => e.id));
      cursor = page.nextCursor;
    } while (cursor);
    const all = await json(await server.request('/v1/auth-events?limit=500'));
    expect(seen).toEqual(all.events.map((e: any) => e.id));
    expect(new Set(seen).size).toBe(seen.length);
  });
});

describe('failures and alerts', () => {
  const base = 100_000;
  beforeAll(async () => {
    const events = [
      // Brute force: 6 failures for mallory within 10 minutes from two IPs.
      ...[0, 60, 120, 300, 400, 600].map((s, i) =>
        failure('mallory', i % 2 ? '192.0.2.1' : '192.0.2.2', base + s),
      ),
      // Not brute force: 5 failures for trent spread over more than 15 minutes (4 in any window).
      ...[0, 300, 600, 850, 1000].map((s) => failure('trent', '192.0.2.9', base + s)),
      // Spraying: one IP, 10 distinct usernames within 5 minutes.
      ...Array.from({ length: 10 }, (_, i) =>
        failure(`user${i}`, '203.0.113.66', base + 2000 + i * 30, 'unknown_user'),
      ),
      // Not spraying: 9 usernames from another IP.
      ...Array.from({ length: 9 }, (_, i) =>
        failure(`other${i}`, '203.0.113.77', base + 2000 + i * 30, 'unknown_user'),
      ),
      // Brute force in varied case: 6 failures for one username spelt three ways.
      ...['Eve', 'eve', 'EVE', 'eVe', 'Eve', 'eve'].map((name, i) =>
        failure(name, '198.51.100.9', base + 6000 + i * 30),
      ),
    ];
    expect((await post(events)).status).toBe(201);
  });

  it('counts failures in the window ending at `to`, by user and by IP, edges included and excluded', async () => {
    const to = at(base + 601); // window [base - 299, base + 601)
    const byUser = await json(await server.request(`/v1/auth/failures?window=15m&groupBy=user&to=${to}`));
    const mallory = byUser.groups.find((g: any) => g.key === 'mallory');
    expect(mallory).toEqual({ key: 'mallory', count: 6, firstAt: at(base), lastAt: at(base + 600) });
    // `to` is exclusive: the failure exactly at `to` is outside.
    const exclusive = await json(
      await server.request(`/v1/auth/failures?window=15m&groupBy=user&to=${at(base + 600)}`),
    );
    expect(exclusive.groups.find((g: any) => g.key === 'mallory').count).toBe(5);
    // Just outside the start: window 10m ending at base+601 starts at base+1, so the failure at base is out.
    const short = await json(await server.request(`/v1/auth/failures?window=10m&groupBy=user&to=${to}`));
    expect(short.groups.find((g: any) => g.key === 'mallory').count).toBe(5);
    const byIp = await json(
      await server.request(`/v1/auth/failures?window=1h&groupBy=ip&to=${at(base + 3000)}`),
    );
    expect(byIp.groups.find((g: any) => g.key === '203.0.113.66').count).toBe(10);
    expect((await server.request('/v1/auth/failures?window=forever')).status).toBe(400);
  });

  it('takes usernames that differ in case as one target of a brute force, as its attemptsQuery does', async () => {
    const res = await json(await server.request(`/v1/alerts?from=${at(base + 5990)}&to=${at(base + 7000)}`));
    expect(res.alerts).toEqual([
      expect.objectContaining({ kind: 'brute_force', subject: 'eve', count: 6, ipCount: 1 }),
    ]);
    const attempts = await json(await server.request(`/v1/auth-events?${res.alerts[0].attemptsQuery}`));
    expect(attempts.events.map((e: any) => e.user.username)).toHaveLength(6);
    const byUser = await json(
      await server.request(`/v1/auth/failures?window=15m&groupBy=user&to=${at(base + 6200)}`),
    );
    expect(byUser.groups).toEqual([expect.objectContaining({ key: 'eve', count: 6 })]);
    // Its buckets name it as the group does.
    const bucketed = await json(
      await server.request(`/v1/auth/failures?window=15m&groupBy=user&bucket=5m&to=${at(base + 6200)}`),
    );
    expect(bucketed.buckets.flatMap((b: any) => b.groups.map((g: any) => g.key))).toEqual(['eve']);
  });

  it('raises brute-force and spraying alerts, and none below the thresholds', async () => {
    const res = await json(await server.request(`/v1/alerts?from=${at(base - 10)}&to=${at(base + 5000)}`));
    const brute = res.alerts.filter((a: any) => a.kind === 'brute_force');
    const spray = res.alerts.filter((a: any) => a.kind === 'password_spraying');
    expect(brute).toEqual([
      {
        kind: 'brute_force',
        subject: 'mallory',
        count: 6,
        firstAt: at(base),
        lastAt: at(base + 600),
        ips: ['192.0.2.1', '192.0.2.2'],
        ipCount: 2,
        attemptsQuery: `type=login_failure&user=mallory&from=${enc(at(base))}&to=${enc(at(base + 600.001))}`,
      },
    ]);
    expect(spray).toHaveLength(1);
    expect(spray[0]).toMatchObject({
      subject: '203.0.113.66',
      count: 10,
      firstAt: at(base + 2000),
      lastAt: at(base + 2270),
      usernameCount: 10,
    });
    expect(spray[0].usernames).toHaveLength(10);
    // The query lists exactly the attempts the alert counts.
    const attempts = await json(await server.request(`/v1/auth-events?${spray[0].attemptsQuery}&limit=500`));
    expect(attempts.events.map((e: any) => e.user.username).sort()).toEqual(spray[0].usernames.sort());
    expect(res.nextCursor).toBeNull();
  });
});

describe('tenant isolation of the authentication log', () => {
  it('shows one tenant nothing of another', async () => {
    const other = await server.token('other-tenant', ['read', 'ingest']);
    await post([login('s-other-tenant', 'zed', 0)], other);
    expect((await server.request('/v1/sessions/s-other-tenant')).status).toBe(404);
    expect((await server.request('/v1/sessions/s-logout', { token: other })).status).toBe(404);
    const list = await json(await server.request('/v1/auth-events?limit=500', { token: other }));
    expect(list.events.map((e: any) => e.user.username)).toEqual(['zed']);
    const sessions = await json(await server.request('/v1/sessions', { token: other }));
    expect(sessions.sessions.map((s: any) => s.sessionId)).toEqual(['s-other-tenant']);
    const alerts = await json(
      await server.request(`/v1/alerts?from=${at(0)}&to=${at(200000)}`, { token: other }),
    );
    expect(alerts.alerts).toEqual([]);
    const failures = await json(
      await server.request(`/v1/auth/failures?window=30d&to=${at(200000)}`, { token: other }),
    );
    expect(failures.groups).toEqual([]);
  });
});

describe('sessions list', () => {
  it('filters by user, IP, time and state, and pages in login order', async () => {
    const t = 300_000;
    await post([
      login('p1', 'hana', t, { ip: '10.77.0.1' }),
      login('p2', 'hana', t + 60, { ip: '10.77.0.2' }),
      login('p3', 'ivan', t + 120, { ip: '10.77.1.1' }),
      end('logout', 'p1', 'hana', t + 200),
      login('p4', 'ivan', t + 180, { ip: '2001:db8::7' }),
    ]);
    const ids = async (q: string) =>
      (await json(await server.request(`/v1/sessions?${q}`))).sessions.map((s: any) => s.sessionId);
    const range = `from=${at(t)}&to=${at(t + 181)}`;
    expect(await ids(`${range}&user=HANA`)).toEqual(['p2', 'p1']);
    expect(await ids(`${range}&user=id-ivan&order=asc`)).toEqual(['p3', 'p4']);
    expect(await ids(`${range}&ip=10.77.0.0/16`)).toEqual(['p3', 'p2', 'p1']);
    expect(await ids(`${range}&ip=2001:db8::/32`)).toEqual(['p4']);
    expect(await ids(`${range}&active=false`)).toEqual(['p1']);
    expect(await ids(`from=${at(t + 60)}&to=${at(t + 120)}`)).toEqual(['p2']);
    const pages: string[] = [];
    let cursor: string | null = null;
    do {
      const page: any = await json(
        await server.request(`/v1/sessions?${range}&limit=2${cursor ? `&cursor=${cursor}` : ''}`),
      );
      pages.push(...page.sessions.map((s: any) => s.sessionId));
      cursor = page.nextCursor;
    } while (cursor);
    expect(pages).toEqual(['p4', 'p3', 'p2', 'p1']);
    expect((await server.request('/v1/sessions?active=maybe')).status).toBe(400);
  });
});
