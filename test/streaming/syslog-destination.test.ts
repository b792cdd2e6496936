// Syslog destinations end to end against Debian's rsyslogd (a private instance: own config, ports, pid file):
// RFC 5424 messages with octet counting over TCP and over TLS (a certificate from a test CA made here with
// openssl), bodies as JSON, CEF and OCSF; rsyslog killed for a while and started again: nothing missing.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeIfPossible } from '../helpers/describe-if-possible.js';
import {
  makeTestCa,
  RsyslogReceiver,
  rsyslogUnavailable,
  type SyslogLine,
} from '../helpers/rsyslog-receiver.js';
import { tempDir } from '../helpers/temp-dir.js';
import { json, sampleEvent, startTestServer, type TestServer } from '../helpers/test-server.js';

describeIfPossible(
  'syslog destinations',
  'rsyslogd with its openssl driver, and openssl',
  rsyslogUnavailable,
  () => {
    const dir = tempDir();
    let server: TestServer;
    let rsyslog: RsyslogReceiver;
    let caPem: string;

    beforeAll(async () => {
      const ca = makeTestCa(dir.path);
      caPem = ca.caPem;
      [server, rsyslog] = await Promise.all([startTestServer(), RsyslogReceiver.create(dir.path, ca)]);
      server.log.delivery.start({
        pollMs: 50,
        leaseMs: 2000,
        retry: { baseDelayMs: 40, maxDelayMs: 200, maxFailures: 1000 },
      });
    });
    afterAll(async () => {
      await server?.close();
      await rsyslog?.stop();
      dir.remove();
    });

    const create = async (body: Record<string, unknown>) => {
      const res = await server.request('/v1/destinations', {
        method: 'POST',
        json: { kind: 'syslog', ...body },
      });
      expect(res.status, await res.clone().text()).toBe(201);
      return (await json(res)).destination.id as string;
    };
    const post = async (n: number, from: number) => {
      const events = Array.from({ length: n }, (_, i) =>
        sampleEvent({ eventType: 'carrier.updated', target: { type: 'Carrier', id: `trunk-${from + i}` } }),
      );
      expect((await server.request('/v1/events', { method: 'POST', json: { events } })).status).toBe(201);
    };
    const body = (l: SyslogLine) => l.msg.replace(/^\uFEFF/, '');
    const jsonIds = () =>
      new Set(
        rsyslog
          .lines()
          .filter((l) => body(l).startsWith('{"stream"'))
          .map((l) => JSON.parse(body(l)).id),
      );
    const cefIds = () =>
      new Set(
        rsyslog
          .lines()
          .filter((l) => body(l).startsWith('CEF:0|'))
          .map((l) => /externalId=(\S+)/.exec(body(l))?.[1]),
      );
    const ocsf = () =>
      rsyslog
        .lines()
        .filter((l) => body(l).startsWith('{"class_uid"'))
        .map((l) => JSON.parse(body(l)));

    it('delivers RFC 5424 messages over TLS (JSON) and TCP (CEF, OCSF), parsed by rsyslog', async () => {
      await create({
        name: 'TLS JSON',
        host: 'localhost',
        port: rsyslog.tlsPort,
        tls: true,
        caPem,
        filter: { streams: ['admin'] },
      });
      await create({ name: 'TCP CEF', host: '127.0.0.1', port: rsyslog.tcpPort, format: 'cef' });
      await create({
        name: 'TCP OCSF',
        host: '127.0.0.1',
        port: rsyslog.tcpPort,
        format: 'ocsf',
        filter: { eventTypes: ['login_failure', 'carrier.updated'] },
      });
      await post(20, 0);
      const auth = await server.request('/v1/auth-events', {
        method: 'POST',
        json: {
          type: 'login_failure',
          user: { username: 'mallory' },
          reason: 'bad_password',
          ip: '203.0.113.9',
        },
      });
      expect(auth.status, await auth.clone().text()).toBe(201);
      const stored = (await json(await server.request('/v1/events?limit=100'))).events as {
        id: string;
        eventType: string;
      }[];
      const carrierIds = stored.filter((e) => e.eventType === 'carrier.updated').map((e) => e.id);
      expect(carrierIds).toHaveLength(20);
      await expect
        .poll(() => carrierIds.every((id) => jsonIds().has(id) && cefIds().has(id)), { timeout: 20_000 })
        .toBe(true);
      await expect.poll(() => ocsf().length, { timeout: 20_000 }).toBe(21);

      const line = rsyslog
        .lines()
        .find((l) => body(l).startsWith('{"stream"') && l.msgid === 'carrier.updated')!;
      expect(line).toMatchObject({ app: 'auditlog', pri: '109' }); // facility 13 (log audit), notice
      expect(line.sd).toMatch(/^\[auditlog@32473 id="[^"]+" seq="\d+" tenant="default"\]$/);
      // The CEF destination delivers on its own schedule: the sign-in may come a batch after the carriers.
      const cefFailure = () =>
        rsyslog.lines().find((l) => body(l).startsWith('CEF:0|auditlog|auditlog|1|login_failure|'));
      await expect.poll(() => cefFailure() !== undefined, { timeout: 20_000 }).toBe(true);
      const failure = cefFailure()!;
      expect(failure).toMatchObject({ msgid: 'login_failure', pri: '108' }); // warning
      expect(body(failure)).toContain('suser=mallory');
      expect(body(failure)).toContain('outcome=failure');
      const signIn = ocsf().find((o) => o.class_uid === 3002);
      expect(signIn).toMatchObject({
        activity_id: 1,
        type_uid: 300201,
        status_id: 2,
        user: { name: 'mallory' },
      });
      expect(ocsf().filter((o) => o.class_uid === 3004)).toHaveLength(20);
    });

    it('refuses a certificate from another CA', async () => {
      const id = await create({ name: 'Untrusted', host: 'localhost', port: rsyslog.tlsPort, tls: true });
      const res = await json(await server.request(`/v1/destinations/${id}/test`, { method: 'POST' }));
      expect(res.delivered).toBe(false);
      expect(res.error).toMatch(/certificate/i);
      expect((await server.request(`/v1/destinations/${id}`, { method: 'DELETE' })).status).toBe(204);
    });

    it('misses nothing while rsyslog is down', async () => {
      await rsyslog.stop();
      await post(15, 100);
      await expect
        .poll(
          async () =>
            (await json(await server.request('/v1/destinations'))).destinations.every(
              (d: { status: { lastError: string | null } }) => d.status.lastError !== null,
            ),
          { timeout: 20_000 },
        )
        .toBe(true);
      await rsyslog.start();
      const stored = (await json(await server.request('/v1/events?limit=200'))).events as {
        id: string;
        eventType: string;
      }[];
      const carrierIds = stored.filter((e) => e.eventType === 'carrier.updated').map((e) => e.id);
      expect(carrierIds).toHaveLength(35);
      await expect
        .poll(() => carrierIds.every((id) => jsonIds().has(id) && cefIds().has(id)), { timeout: 20_000 })
        .toBe(true);
      await expect
        .poll(
          async () =>
            (await json(await server.request('/v1/destinations'))).destinations.map(
              (d: { status: { eventsBehind: number } }) => d.status.eventsBehind,
            ),
          { timeout: 20_000 },
        )
        .toEqual([0, 0, 0]);
    });
  },
);
