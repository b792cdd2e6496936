// The pure parts of streaming: OCSF classes and activities, CEF escaping, the RFC 5424 message and its octet
// counting, filters, and the backoff's bounds.
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_BATCH_SIZE,
  DEFAULT_RETRY,
  matchesFilter,
  retryDelayMs,
  settingsFor,
} from '../../src/core/domain/destination.js';
import { cefLine, type OutgoingEntry, ocsf } from '../../src/core/domain/destination-payload.js';
import { octetCounted, syslogMessage } from '../../src/core/domain/syslog-message.js';

const admin = (
  target: { type: string; id: string },
  action: string,
  extra: Record<string, unknown> = {},
): OutgoingEntry => ({
  id: 'ev-1',
  seq: 7,
  stream: 'event',
  receivedMs: Date.parse('2026-12-05T10:00:00.000Z'),
  facts: { stream: 'event', category: 'users', eventType: 'user.changed' },
  event: {
    id: 'ev-1',
    seq: 7,
    tenant: 'acme',
    occurredAt: '2026-12-05T09:59:59.000Z',
    receivedAt: '2026-12-05T10:00:00.000Z',
    actor: { id: 'usr_1', username: 'jane|admin', type: 'user' },
    action,
    eventType: 'user.changed',
    category: 'users',
    target,
    oldValue: null,
    newValue: { role: 'a=b\\c\nd' },
    changes: [],
    ...extra,
  } as OutgoingEntry['event'],
});

describe('OCSF', () => {
  it('maps accounts to Account Change (3001) and other targets to Entity Management (3004)', () => {
    expect(ocsf(admin({ type: 'User', id: 'u9' }, 'create'))).toMatchObject({
      class_uid: 3001,
      activity_id: 1,
      type_uid: 300101,
      user: { uid: 'u9' },
    });
    expect(ocsf(admin({ type: 'Agent', id: 'a1' }, 'delete'))).toMatchObject({
      class_uid: 3001,
      activity_id: 6,
      type_uid: 300106,
    });
    expect(ocsf(admin({ type: 'User', id: 'u9' }, 'update'))).toMatchObject({
      class_uid: 3001,
      activity_id: 99,
      activity_name: 'Other',
    });
    const entity = ocsf(admin({ type: 'Carrier', id: 'c1' }, 'update'));
    expect(entity).toMatchObject({
      class_uid: 3004,
      activity_id: 3,
      type_uid: 300403,
      entity_result: { uid: 'c1', type: 'Carrier', data: { role: 'a=b\\c\nd' } },
      actor: { user: { uid: 'usr_1', name: 'jane|admin' } },
      metadata: { uid: 'ev-1', sequence: 7, tenant_uid: 'acme', event_code: 'user.changed' },
      time: Date.parse('2026-12-05T09:59:59.000Z'),
    });
  });

  it('maps sign-ins to Authentication (3002): logon, failure, logoff', () => {
    const auth = (type: string): OutgoingEntry => ({
      id: 'a-1',
      seq: 8,
      stream: 'auth',
      receivedMs: 0,
      facts: { stream: 'auth', eventType: type },
      event: {
        id: 'a-1',
        seq: 8,
        tenant: 'acme',
        type,
        occurredAt: '2026-12-05T10:00:00.000Z',
        receivedAt: '',
        user: { username: 'kim' },
        ip: '10.0.0.1',
        method: 'password_totp',
        reason: type === 'login_failure' ? 'bad_totp' : undefined,
      } as OutgoingEntry['event'],
    });
    expect(ocsf(auth('login_success'))).toMatchObject({
      class_uid: 3002,
      activity_id: 1,
      status_id: 1,
      is_mfa: true,
      user: { name: 'kim' },
    });
    expect(ocsf(auth('login_failure'))).toMatchObject({
      type_uid: 300201,
      status_id: 2,
      status_detail: 'bad_totp',
      severity_id: 3,
    });
    expect(ocsf(auth('logout'))).toMatchObject({ activity_id: 2, type_uid: 300202, activity_name: 'Logoff' });
  });
});

describe('CEF and syslog', () => {
  it('escapes the header and the extension', () => {
    const line = cefLine(admin({ type: 'Carrier', id: 'c=1' }, 'update'));
    expect(line.startsWith('CEF:0|auditlog|auditlog|1|user.changed|update Carrier|3|')).toBe(true);
    expect(line).toContain('suser=jane|admin');
    expect(line).toContain('duid=c\\=1');
    expect(line).toContain('externalId=ev-1');
    // No session: neither its value nor a label naming it.
    expect(line).not.toContain('sessionId');
    expect(cefLine(admin({ type: 'Carrier', id: 'c' }, 'update', { sessionId: 's-9' }))).toContain(
      'cs2Label=sessionId cs2=s-9',
    );
  });

  it('writes one RFC 5424 message, framed by its length in bytes', () => {
    const msg = syslogMessage(admin({ type: 'Carrier', id: 'ü' }, 'update'), 'json', 'host one');
    expect(msg).toMatch(
      /^<109>1 2026-12-05T10:00:00\.000Z host_one auditlog - user\.changed \[auditlog@32473 id="ev-1" seq="7" tenant="acme"\] \uFEFF\{"stream":"admin"/,
    );
    const framed = octetCounted(msg);
    expect(Number(framed.slice(0, framed.indexOf(' ')))).toBe(Buffer.byteLength(msg));
  });
});

describe('syslog message size', () => {
  const big = (value: unknown) => admin({ type: 'Carrier', id: 'c' }, 'update', { newValue: value });

  it('cuts the MSG to the maximum, on a whole character, saying so in the structured data', () => {
    const msg = syslogMessage(big({ note: 'ü'.repeat(10_000) }), 'json', 'h', 4096);
    expect(Buffer.byteLength(msg)).toBeLessThanOrEqual(4096);
    expect(Buffer.byteLength(msg)).toBeGreaterThan(4080);
    expect(msg).toMatch(
      /\[auditlog@32473 id="ev-1" seq="7" tenant="acme" truncated="true" bytes="\d+"\] \uFEFF\{/,
    );
    expect(JSON.parse(msg.slice(msg.indexOf('\uFEFF') + 1)).newValue.note).toMatch(/^ü+…$/);
    expect(msg).not.toContain('\uFFFD');
  });

  it('sends whole what fits, and honours a larger maximum', () => {
    const msg = syslogMessage(big({ note: 'x'.repeat(20_000) }), 'json', 'h', 65_536);
    expect(msg).not.toContain('truncated');
    expect(JSON.parse(msg.slice(msg.indexOf('\uFEFF') + 1)).newValue.note).toHaveLength(20_000);
  });

  it('never leaves a CEF escape open before the mark', () => {
    const e = admin({ type: 'Carrier', id: 'c' }, 'update', { reason: '\\'.repeat(5000) });
    for (const max of [2048, 2049, 2050]) {
      const msg = syslogMessage(e, 'cef', 'h', max);
      expect(msg.endsWith('…[truncated]')).toBe(true);
      const before = msg.slice(0, -'…[truncated]'.length);
      expect(/\\*$/.exec(before)![0].length % 2).toBe(0);
    }
  });

  it('is a syslog setting, between 2048 bytes and 1 MiB', () => {
    const syslog = settingsFor('syslog', undefined, { host: 'h', port: 514, maxMessageSize: 65_536 });
    expect(syslog).toMatchObject({ maxMessageSize: 65_536, batchSize: DEFAULT_BATCH_SIZE });
    expect(() => settingsFor('webhook', undefined, { url: 'https://x', maxMessageSize: 4096 })).toThrow(
      /not valid/,
    );
  });
});

describe('filters and backoff', () => {
  it('matches streams, categories and event types', () => {
    const facts = { stream: 'event' as const, category: 'users', eventType: 'user.changed' };
    expect(matchesFilter({}, facts)).toBe(true);
    expect(matchesFilter({ streams: ['auth'] }, facts)).toBe(false);
    expect(matchesFilter({ categories: ['telephony'] }, facts)).toBe(false);
    expect(matchesFilter({ categories: ['users'], eventTypes: ['user.changed'] }, facts)).toBe(true);
    // Sign-ins have no category: a category filter leaves them to `streams`.
    expect(matchesFilter({ categories: ['users'] }, { stream: 'auth', eventType: 'logout' })).toBe(true);
    expect(
      matchesFilter({ streams: ['admin'], categories: ['users'] }, { stream: 'auth', eventType: 'logout' }),
    ).toBe(false);
  });

  it('doubles the delay with jitter between half and all of it, up to the cap', () => {
    expect(retryDelayMs(DEFAULT_RETRY, 1, 0)).toBe(500);
    expect(retryDelayMs(DEFAULT_RETRY, 1, 1)).toBe(1000);
    expect(retryDelayMs(DEFAULT_RETRY, 4, 0.5)).toBe(6000);
    expect(retryDelayMs(DEFAULT_RETRY, 40, 1)).toBe(DEFAULT_RETRY.maxDelayMs);
  });
});
