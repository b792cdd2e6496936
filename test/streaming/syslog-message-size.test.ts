// A message over the receiver's maximum against a stock rsyslogd (imtcp's default of 8096 bytes): sent
// truncated as one well-formed record under the entry's own header, never split into records whose header
// would be the event's content.
import { hostname } from 'node:os';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { OutgoingEntry } from '../../src/core/domain/destination-payload.js';
import { DEFAULT_SYSLOG_MAX_MESSAGE, syslogMessage } from '../../src/core/domain/syslog-message.js';
import { SyslogSender } from '../../src/core/services/delivery/syslog-sender.js';
import { describeIfPossible } from '../helpers/describe-if-possible.js';
import {
  makeTestCa,
  RsyslogReceiver,
  rsyslogUnavailable,
  type SyslogLine,
} from '../helpers/rsyslog-receiver.js';
import { tempDir } from '../helpers/temp-dir.js';
import { json, sampleEvent, startTestServer, type TestServer } from '../helpers/test-server.js';

const FORGED = '<38>1 2026-12-05T10:00:00Z fw01 sshd - login_success - FORGED';

describeIfPossible(
  'syslog message size',
  'rsyslogd with its openssl driver, and openssl',
  rsyslogUnavailable,
  () => {
    const dir = tempDir();
    let server: TestServer;
    let rsyslog: RsyslogReceiver;

    beforeAll(async () => {
      [server, rsyslog] = await Promise.all([
        startTestServer(),
        RsyslogReceiver.create(dir.path, makeTestCa(dir.path), null),
      ]);
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

    it('delivers a 20 KB event as exactly one record under its own header', async () => {
      for (const format of ['json', 'ocsf'] as const) {
        const res = await server.request('/v1/destinations', {
          method: 'POST',
          json: { kind: 'syslog', name: `stock ${format}`, host: '127.0.0.1', port: rsyslog.tcpPort, format },
        });
        expect(res.status, await res.clone().text()).toBe(201);
      }
      // The forged header at every offset a split could fall on, so that any remainder would start with one.
      const note = Array.from(
        { length: 20_000 / FORGED.length },
        (_, i) => `${' '.repeat(i % 7)}${FORGED}`,
      ).join('\n');
      const event = sampleEvent({ eventType: 'carrier.updated', newValue: { note } });
      const posted = await server.request('/v1/events', { method: 'POST', json: { events: [event] } });
      expect(posted.status, await posted.clone().text()).toBe(201);
      const id = (await json(await server.request('/v1/events?limit=1'))).events[0].id as string;
      const mine = () => rsyslog.lines().filter((l) => l.sd.includes(`id="${id}"`));
      await expect.poll(() => mine().length, { timeout: 20_000 }).toBe(2);
      await new Promise((r) => setTimeout(r, 500)); // a split remainder would be written just after
      // Every record rsyslog wrote is one of ours: its own header, nothing taken from the event's content.
      const lines = rsyslog.lines();
      expect(lines.map((l) => [l.app, l.host])).toEqual(lines.map(() => ['auditlog', expect.any(String)]));
      expect(lines.filter((l) => l.msgid === 'carrier.updated').length).toBe(
        lines.filter((l) => l.sd.includes(`id="${id}"`)).length,
      );
      for (const l of mine()) {
        expect(l.msgid).toBe('carrier.updated');
        expect(l.sd).toMatch(
          new RegExp(
            `^\\[auditlog@32473 id="${id}" seq="\\d+" tenant="default" truncated="true" bytes="\\d+"\\]$`,
          ),
        );
        // What arrives still parses as one JSON document, whose marker says what was cut.
        const body = JSON.parse(l.msg.replace(/^\uFEFF/, ''));
        const bytes = Number(/bytes="(\d+)"/.exec(l.sd)?.[1]);
        if (body.class_uid) {
          expect(body.unmapped.truncated).toMatchObject({
            bytes,
            shortened: expect.arrayContaining(['entity_result.data.note']),
          });
          expect(body.entity_result.data.note).toMatch(/^\n?<38>1 .*…$/s);
          expect(body.metadata.uid).toBe(id);
        } else {
          // The note is in changes too: both are shortened.
          expect(body.truncated).toMatchObject({
            bytes,
            shortened: ['newValue.note', 'changes[1].new'],
            dropped: [],
          });
          expect(body.newValue.note).toMatch(/^<38>1 .*…$/s);
          expect(body).toMatchObject({ stream: 'admin', id, eventType: 'carrier.updated' });
        }
      }
      expect(
        mine()
          .map((l) => 'class_uid' in JSON.parse(l.msg.replace(/^\uFEFF/, '')))
          .sort(),
      ).toEqual([false, true]);
    });

    it('sends a message of exactly the default maximum whole, and one byte more truncated', async () => {
      const entry = (pad: number, id = 'edge-a'): OutgoingEntry => ({
        id,
        seq: 1,
        stream: 'event',
        receivedMs: Date.now(),
        facts: { stream: 'event', category: 'telephony', eventType: 'carrier.updated' },
        event: {
          id,
          seq: 1,
          tenant: 'default',
          occurredAt: new Date().toISOString(),
          receivedAt: '',
          actor: { id: 'usr_1' },
          action: 'update',
          eventType: 'carrier.updated',
          category: 'telephony',
          target: { type: 'Carrier', id: 'c' },
          oldValue: null,
          newValue: { pad: 'x'.repeat(pad) },
          changes: [],
        } as unknown as OutgoingEntry['event'],
      });
      const size = (pad: number) => Buffer.byteLength(syslogMessage(entry(pad), 'json', hostname()));
      const exact = DEFAULT_SYSLOG_MAX_MESSAGE - size(0);
      expect(size(exact)).toBe(DEFAULT_SYSLOG_MAX_MESSAGE);
      const sender = new SyslogSender({
        format: 'json',
        host: '127.0.0.1',
        port: rsyslog.tcpPort,
        filter: {},
        batchSize: 10,
      });
      await sender.send([entry(exact), entry(exact + 1, 'edge-b')]);
      const edge = () => rsyslog.lines().filter((l) => l.sd.includes('id="edge-'));
      await expect.poll(() => edge().length, { timeout: 10_000 }).toBe(2);
      await new Promise((r) => setTimeout(r, 300));
      const [whole, cut] = edge() as [SyslogLine, SyslogLine];
      expect(whole.sd).not.toContain('truncated');
      expect(JSON.parse(whole.msg.replace(/^\uFEFF/, '')).newValue.pad).toHaveLength(exact);
      expect(cut.sd).toContain('truncated="true"');
      expect(JSON.parse(cut.msg.replace(/^\uFEFF/, '')).newValue.pad).toMatch(/^x+…$/);
      expect(rsyslog.lines().every((l) => l.app === 'auditlog')).toBe(true);
    });
  },
);
