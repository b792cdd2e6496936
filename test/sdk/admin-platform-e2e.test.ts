// End to end with real processes: `auditlog serve` and the example admin platform (examples/admin-platform).
// Users sign in (password, password + TOTP, password + emailed code) and change things through the admin API
// while the audit service is stopped for 5 s and started again, and while the platform is SIGKILLed and
// restarted. Afterwards every action a user was told succeeded is in the log exactly once, in order, with its
// actor, address, user agent, session and request id, and `auditlog verify` passes.
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { totp } from '../../examples/admin-platform/src/totp.js';
import { runCli, type ServerProcess, startServerProcess } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp-dir.js';
import { freePort } from './sdk-helpers.js';

const MAIN = fileURLToPath(new URL('../../examples/admin-platform/src/main.ts', import.meta.url));
const BOOT = 'Zq8-vN3mT1xR6wK9pL2sD7fH4jG0cB5e';
const OUTAGE_MS = 5_000;

interface Told {
  auditEventId: string;
  stream: 'admin' | 'auth';
  requestId: string;
  user: string;
  sessionId?: string;
  ip: string;
}

describe('the example admin platform, end to end', () => {
  const dir = tempDir('auditlog-e2e-');
  let service: ServerProcess | undefined;
  let app: { child: ChildProcess; url: string; exited: Promise<unknown>; output: () => string } | undefined;
  afterAll(async () => {
    app?.child.kill('SIGKILL');
    await service?.stop();
    dir.remove();
  });

  // Four process starts and a 5 s outage: about 25 s on a quiet machine; the margin is for a loaded one.
  it('loses nothing through an outage of the service and a crash of the platform', {
    timeout: 120_000,
  }, async () => {
    const t0 = Date.now();
    const phases: string[] = [];
    const phase = (name: string) => phases.push(`${name} ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    const servicePort = await freePort();
    const appPort = await freePort();
    const db = dir.file('audit.db');
    const startService = () =>
      startServerProcess(['--db', db, '--port', String(servicePort)], { AUDITLOG_BOOTSTRAP_TOKEN: BOOT });
    service = await startService();
    const ingest = await (
      await fetch(`${service.url}/v1/tokens`, {
        method: 'POST',
        headers: { authorization: `Bearer ${BOOT}`, 'content-type': 'application/json' },
        body: JSON.stringify({ scopes: ['ingest'], name: 'admin-platform' }),
      })
    ).json();

    const startApp = () =>
      new Promise<NonNullable<typeof app>>((resolve, reject) => {
        const child = spawn(process.execPath, ['--import', 'tsx', MAIN], {
          env: {
            ...process.env,
            AUDITLOG_URL: service!.url,
            AUDITLOG_TOKEN: ingest.token,
            ADMIN_PORT: String(appPort),
            ADMIN_SPOOL_DIR: dir.file('spool'),
            ADMIN_MAX_RETRY_DELAY_MS: '400',
          },
        });
        let out = '';
        const exited = new Promise((r) => child.on('exit', r));
        const onData = (d: Buffer) => {
          out += d;
          const m = /listening on (http:\/\/\S+)/.exec(out);
          if (m) resolve({ child, url: m[1]!, exited, output: () => out });
        };
        child.stdout.on('data', onData);
        child.stderr.on('data', onData);
        child.on('exit', (code) => reject(new Error(`admin-platform exited ${code}: ${out}`)));
      });
    app = await startApp();
    phase('service and platform up');

    const told: Told[] = [];
    let n = 0;
    /** One request as a browser behind the platform's (trusted, loopback) proxy would send it. */
    const call = async (
      method: string,
      path: string,
      body: unknown,
      as: { user: string; cookie?: string },
      stream: Told['stream'] = 'admin',
    ) => {
      const requestId = `req-${++n}`;
      const ip = `198.51.100.${(n % 250) + 1}`;
      const res = await fetch(app!.url + path, {
        method,
        headers: {
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          'x-forwarded-for': ip,
          'x-request-id': requestId,
          'user-agent': `e2e-browser/${as.user}`,
          ...(as.cookie ? { cookie: as.cookie } : {}),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const answer = (await res.json()) as any;
      if (answer.auditEventId)
        told.push({
          auditEventId: answer.auditEventId,
          stream,
          requestId,
          user: as.user,
          sessionId: /sid=([0-9a-f]+)/.exec(as.cookie ?? '')?.[1],
          ip,
        });
      return { res, answer };
    };
    const signIn = async (username: string, password: string, code?: () => Promise<string>) => {
      let { res } = await call('POST', '/sign-in', { username, password }, { user: username }, 'auth');
      if (res.status === 401 && code)
        ({ res } = await call(
          'POST',
          '/sign-in',
          { username, password, code: await code() },
          { user: username },
          'auth',
        ));
      expect(res.status).toBe(200);
      const cookie = /sid=[0-9a-f]+/.exec(res.headers.get('set-cookie') ?? '')![0];
      told.at(-1)!.sessionId = cookie.slice(4);
      return { user: username, cookie };
    };
    const outbox = async (username: string) =>
      ((await (await fetch(`${app!.url}/dev/outbox`)).json()) as Record<string, string>)[username]!;
    const everyKind = async (jane: { user: string; cookie: string }, i: number) => {
      const ok = (r: { res: Response }) => expect(r.res.status, `action ${i}`).toBeLessThan(300);
      ok(
        await call(
          'PUT',
          '/api/campaigns/camp-1/pacing',
          { dialRatio: 1 + i / 100, maxAbandonRate: 3 },
          jane,
        ),
      );
      ok(
        await call(
          'PATCH',
          '/api/carriers/trunk-provider-1',
          { maxChannels: 60 + i, password: `sip-${i}` },
          jane,
        ),
      );
      ok(
        await call(
          'PUT',
          '/api/ivr-menus/main-menu',
          { tree: { prompt: `Welcome ${i}`, options: { '1': { action: 'queue', queue: `q${i}` } } } },
          jane,
        ),
      );
      ok(
        await call(
          'POST',
          '/api/leads/bulk-update',
          { leadIds: ['lead-1', 'lead-2'], status: `called-${i}` },
          jane,
        ),
      );
    };

    // Sign-ins of the three kinds, a failure, and one change of each kind of entity, the service up.
    await call(
      'POST',
      '/sign-in',
      { username: 'jane.admin', password: 'wrong' },
      { user: 'jane.admin' },
      'auth',
    );
    let jane = await signIn('jane.admin', 'correct-horse');
    const tom = await signIn('tom.ops', 'battery-staple', async () => totp('JBSWY3DPEHPK3PXP'));
    const eva = await signIn('eva.sup', 'purple-monkey', () => outbox('eva.sup'));
    await call('POST', '/api/users', { username: 'new.agent', role: 'agent' }, jane);
    await call('PUT', '/api/users/usr_3/role', { role: 'admin' }, tom);
    await call('PATCH', '/api/trunk-groups/tg-1', { strategy: 'round_robin' }, tom);
    await call('PUT', '/api/ai-provider', { apiKey: 'sk-live-123456' }, tom);
    await call('POST', '/api/campaigns/camp-1/activate', undefined, eva);
    await call('POST', '/api/users/usr_2/2fa-reset', undefined, jane); // revokes tom's session
    await everyKind(jane, 0);
    // Requests the platform refuses before it records or changes anything: a 400 each (they emptied an IVR
    // menu, stored an object as a role, a NaN as a rate, a 70 KB host the service then refused, and a 500).
    const refused: [string, string, unknown][] = [
      ['PUT', '/api/ivr-menus/main-menu', {}],
      ['PUT', '/api/users/usr_3/role', { role: { $ne: 1 } }],
      ['PUT', '/api/campaigns/camp-1/pacing', { dialRatio: 'fast' }],
      ['POST', '/api/leads/bulk-update', { status: 'x' }],
      ['PATCH', '/api/carriers/trunk-provider-1', { host: `sip.${'x'.repeat(70_000)}.example` }],
    ];
    for (const [method, path, body] of refused)
      expect((await call(method, path, body, jane)).res.status, `${method} ${path}`).toBe(400);
    // Someone not an admin edits only their own user (an agent changed an admin's email).
    const agent = await signIn('new.agent', 'change-me');
    expect((await call('PATCH', '/api/users/usr_1', { email: 'agent@evil.example' }, agent)).res.status).toBe(
      403,
    );

    phase('sign-ins and first changes');
    // The audit service goes away for OUTAGE_MS; the platform keeps working, and is killed halfway.
    await service.stop();
    const downAt = Date.now();
    for (let i = 1; i <= 5; i++) await everyKind(jane, i);
    const inFlight = everyKind(jane, 6).catch(() => {}); // cut short by the kill: only answered ones count
    await new Promise((r) => setTimeout(r, 20));
    app.child.kill('SIGKILL');
    await app.exited;
    await inFlight;
    phase('platform killed');
    app = await startApp(); // the same spool: it holds what the killed process recorded
    jane = await signIn('jane.admin', 'correct-horse'); // sessions were in the killed process's memory
    for (let i = 7; Date.now() - downAt < OUTAGE_MS; i++) {
      await everyKind(jane, i);
      await new Promise((r) => setTimeout(r, 250)); // a few users, not a load test
    }
    phase('platform restarted; outage over');
    service = await startService();
    phase('service restarted');
    for (let i = 100; i < 103; i++) await everyKind(jane, i);
    expect((await call('POST', '/sign-out', undefined, jane, 'auth')).res.status).toBe(200);

    // Everything told arrives: poll until the last one is there.
    const read = async (path: string) => {
      const events: any[] = [];
      let cursor: string | null = null;
      do {
        const q = new URLSearchParams({ limit: '500', order: 'asc', ...(cursor ? { cursor } : {}) });
        const page: any = await (
          await fetch(`${service!.url}${path}?${q}`, { headers: { authorization: `Bearer ${BOOT}` } })
        ).json();
        events.push(...page.events);
        cursor = page.nextCursor;
      } while (cursor);
      return events;
    };
    const started = Date.now();
    const last = told.at(-1)!.auditEventId;
    await expect
      .poll(async () => (await read('/v1/auth-events')).some((e) => e.id === last), { timeout: 15_000 })
      .toBe(true);
    console.log(`e2e: the spool drained ${Date.now() - started} ms after the last action`);
    const admin = (await read('/v1/events')).filter((e) => !e.eventType.startsWith('auditlog.'));
    const auth = await read('/v1/auth-events');
    const byId = new Map([...admin, ...auth].map((e) => [e.id, e]));

    console.log(
      `e2e: ${told.length} acknowledged actions, ${admin.length} admin and ${auth.length} auth events stored`,
    );
    const seqs = told.map((t) => {
      const event = byId.get(t.auditEventId);
      expect(event, `${t.requestId} ${t.auditEventId}`).toBeDefined();
      if (t.stream === 'admin')
        expect(event).toMatchObject({
          actor: { username: t.user },
          ip: t.ip,
          userAgent: `e2e-browser/${t.user}`,
          sessionId: t.sessionId,
          requestId: t.requestId,
        });
      else
        expect(event).toMatchObject({
          user: { username: t.user },
          ip: t.ip,
          userAgent: `e2e-browser/${t.user}`,
        });
      if (t.sessionId && t.stream === 'auth' && event.type !== 'login_failure')
        expect(event.sessionId).toBe(t.sessionId);
      return event.seq as number;
    });
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b)); // in the order the users were answered
    // Exactly once: no request recorded twice (a request id appears on one admin event at most).
    const requestIds = admin.map((e) => e.requestId);
    expect(new Set(requestIds).size).toBe(requestIds.length);
    // Secrets reached the log only as fingerprints.
    expect(JSON.stringify(admin)).not.toContain('sk-live-123456');
    expect(JSON.stringify(admin)).not.toContain('sip-3');
    // The revoked TOTP session and the 2FA reset are both there.
    expect(auth.some((e) => e.type === 'session_revoked' && e.user.username === 'tom.ops')).toBe(true);

    await service.stop();
    service = undefined;
    const verify = await runCli(['verify', '--db', db]);
    expect(verify.code, verify.stdout + verify.stderr).toBe(0);
    phase('verified');
    console.log(`e2e phases: ${phases.join(', ')}`);
  });
});
