// record() throws at once for an event the service would always refuse (docs/sdk.md), naming the field,
// and spools nothing: the action fails now instead of the event being dead-lettered later.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditClient, EventTooLargeError, InvalidEventError, runAs } from '../../packages/sdk/src/index.js';
import { tempDir } from '../helpers/temp-dir.js';
import { adminEvent, freePort } from './sdk-helpers.js';

describe('record() refuses at once what the service would refuse', () => {
  const dir = tempDir('auditlog-sdk-refuse-');
  let client: AuditClient;
  const spoolDir = dir.file('spool');

  beforeAll(async () => {
    // Nothing listens: a refused event must not depend on the service to be refused.
    client = await AuditClient.open({ url: `http://127.0.0.1:${await freePort()}`, token: 't', spoolDir });
  });
  afterAll(async () => {
    await client?.close({ flushTimeoutMs: 0 });
    dir.remove();
  });

  const cases: [
    string,
    Record<string, unknown>,
    RegExp,
    typeof InvalidEventError | typeof EventTooLargeError,
  ][] = [
    [
      'a newValue over 65,536 bytes',
      { newValue: { blob: 'x'.repeat(65_536) } },
      /newValue is over 65536/,
      EventTooLargeError,
    ],
    [
      'metadata over 16 KiB',
      { metadata: { note: 'x'.repeat(16_400) } },
      /metadata is over 16384/,
      EventTooLargeError,
    ],
    ['an unknown field', { colour: 'red' }, /colour is not an allowed field/, InvalidEventError],
    [
      'a control character in target.id',
      { target: { type: 'Carrier', id: 'a\nb' } },
      /target\/id must not contain control/,
      InvalidEventError,
    ],
    [
      'a reserved eventType',
      { eventType: 'auditlog.token_created' },
      /eventType is reserved/,
      InvalidEventError,
    ],
    [
      'a reserved actor id (token:)',
      { actor: { id: 'token:abc' } },
      /actor\/id is reserved/,
      InvalidEventError,
    ],
    ['a reserved actor id (cli:)', { actor: { id: 'cli:root' } }, /actor\/id is reserved/, InvalidEventError],
    [
      'a ".." target id',
      { target: { type: 'Carrier', id: '..' } },
      /target\/id must not be "\." or "\.\."/,
      InvalidEventError,
    ],
    ['a "." event id', { id: '.' }, /^record\(\): id must not be/, InvalidEventError],
    ['an invalid ip', { ip: '999.1.1.1' }, /ip must be a valid IPv4/, InvalidEventError],
    [
      'an unknown action',
      { action: 'rename' },
      /action must be one of: create, update, delete/,
      InvalidEventError,
    ],
    [
      'an occurredAt that is no date',
      { occurredAt: 'yesterday' },
      /occurredAt must be an RFC 3339/,
      InvalidEventError,
    ],
    [
      'an unsafe integer',
      { newValue: { n: 2 ** 60 } },
      /newValue\/n is an integer beyond/,
      InvalidEventError,
    ],
    // Nested deeper than the stack: a RangeError (Maximum call stack size exceeded), not the refusal.
    [
      'a newValue nested 5,000 levels',
      { newValue: nested(5000) },
      /newValue must not nest deeper than 64/,
      InvalidEventError,
    ],
    [
      'a newValue nested 100 levels',
      { newValue: nested(100) },
      /newValue must not nest deeper than 64/,
      InvalidEventError,
    ],
    // JSON cannot carry these: JSON.stringify wrote null, and null was stored.
    ['NaN', { newValue: { n: Number.NaN } }, /newValue\/n must be a finite number/, InvalidEventError],
    [
      'Infinity',
      { metadata: { list: [1, Number.POSITIVE_INFINITY] } },
      /metadata\/list\/1 must be a finite number/,
      InvalidEventError,
    ],
    [
      '-Infinity',
      { oldValue: { 'a/b': Number.NEGATIVE_INFINITY } },
      /oldValue\/a~1b must be a finite number/,
      InvalidEventError,
    ],
    // JSON.stringify threw a TypeError for these, which record() passed on as it was.
    [
      'a circular structure',
      { newValue: circular() },
      /newValue\/self\/self refers to an object/,
      InvalidEventError,
    ],
    [
      'a BigInt',
      { metadata: { big: 10n ** 20n } },
      /metadata\/big must be a JSON number, not a BigInt/,
      InvalidEventError,
    ],
  ];
  for (const [name, overrides, message, type] of cases) {
    it(`throws for ${name}`, async () => {
      const error = await client.record(adminEvent(1, overrides)).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(type);
      expect((error as Error).message).toMatch(message);
      expect((error as Error).message).toMatch(/the event was NOT recorded/);
    });
  }

  it('throws for a login_success without a method, and for a session event without a session', async () => {
    await runAs(
      { actor: { id: 'usr_1', username: 'jane' }, ip: '198.51.100.7', sessionId: 's1' },
      async () => {
        await expect(client.auth.loginSucceeded({} as never)).rejects.toThrow(
          /method is required for login_success/,
        );
      },
    );
    await expect(client.auth.logout({ user: { username: 'jane' }, ip: '198.51.100.7' })).rejects.toThrow(
      /sessionId is required for logout/,
    );
  });

  it('throws for an authentication event nested 5,000 levels deep or holding NaN', async () => {
    const failed = {
      type: 'login_failure',
      user: { username: 'm' },
      reason: 'bad_password',
      ip: '203.0.113.9',
    };
    const deep = await client.recordAuth({ ...failed, userAgent: nested(5000) } as never).catch((e) => e);
    expect(deep).toBeInstanceOf(InvalidEventError);
    expect(deep.message).toMatch(/^recordAuth\(\): the event is nested too deeply/);
    const nan = await client.recordAuth({ ...failed, userAgent: Number.NaN } as never).catch((e) => e);
    expect(nan).toBeInstanceOf(InvalidEventError);
    expect(nan.message).toMatch(/userAgent must be a finite number/);
    expect(nan.message).not.toMatch(/must be string/);
  });

  it('spooled none of them', () => {
    expect(client.pendingBytes).toBe(0);
    for (const name of readdirSync(spoolDir).filter((n) => n.startsWith('seg-')))
      expect(readFileSync(join(spoolDir, name), 'utf8')).toBe('');
  });

  it('takes the ip given to loginFailed outside a request context', async () => {
    await client.auth.loginFailed({ username: 'mallory', reason: 'bad_password', ip: '203.0.113.9' });
    const spooled = readdirSync(spoolDir)
      .filter((n) => n.startsWith('seg-'))
      .map((n) => readFileSync(join(spoolDir, n), 'utf8'))
      .join('');
    expect(spooled).toContain('"ip":"203.0.113.9"');
  });

  it('takes what JSON carries as the service will read it (a Date as its string)', async () => {
    const at = new Date('2026-11-26T09:30:00Z');
    await expect(
      client.record(adminEvent(3, { newValue: { at, list: [undefined] } })),
    ).resolves.toHaveProperty('id');
  });

  it('takes -0 as 0, as the service reads it back', async () => {
    const { id } = await client.record(adminEvent(4, { newValue: { z: -0 } }));
    const line = readdirSync(spoolDir)
      .filter((n) => n.startsWith('seg-'))
      .flatMap((n) => readFileSync(join(spoolDir, n), 'utf8').split('\n'))
      .find((l) => l.includes(id));
    expect(line).toContain('"newValue":{"z":0}');
  });

  it('leaves an occurredAt ahead of the client clock to the service, whose clock decides', async () => {
    const ahead = new Date(Date.now() + 60 * 60_000).toISOString();
    await expect(client.record(adminEvent(2, { occurredAt: ahead }))).resolves.toHaveProperty('id');
  });
});

/** A value `levels` objects deep. */
function nested(levels: number): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  let at = root;
  for (let i = 1; i < levels; i++) {
    const next = {};
    at.a = next;
    at = next;
  }
  return root;
}

/** `{ self: { self: <the first> } }`: a structure that holds itself two levels down. */
function circular(): Record<string, unknown> {
  const top: Record<string, unknown> = {};
  top.self = { self: top };
  return top;
}
