// The SDK refuses at record() what the service would refuse later (docs/sdk.md). It compiles the server's own
// rule modules (packages/sdk/tsconfig.json) and reads the server's schemas, which its build writes out as
// JSON (packages/sdk/scripts/build.mjs): this file runs the SDK's checks — from its source and from its
// built package — and the server's on the same events.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as built from '../../packages/sdk/dist/packages/sdk/src/rules/check-event.js';
import * as source from '../../packages/sdk/src/rules/check-event.js';
import { AuditError } from '../../src/core/domain/errors.js';
import { checkAuthEvents } from '../../src/core/domain/prepare-auth-event.js';
import { checkEvents } from '../../src/core/domain/prepare-event.js';

/** The catalog is the deployment's, which the SDK cannot know: every category is taken on both sides. */
const categories = {
  has: () => true,
  [Symbol.iterator]: () => [][Symbol.iterator](),
} as unknown as Set<string>;

/** What the server answers for one event sent as JSON: 201 (undefined), or the status and paths it names. */
function server(kind: 'event' | 'auth', sent: unknown): { status: number; paths: string[] } | undefined {
  const event = JSON.parse(JSON.stringify(sent));
  try {
    if (kind === 'event') checkEvents([event], [''], { now: Date.now(), categories });
    else checkAuthEvents([event], [''], Date.now());
    return undefined;
  } catch (error) {
    if (!(error instanceof AuditError)) throw error;
    const status = error.code === 'payload_too_large' ? 413 : 400;
    return { status, paths: [...new Set(error.details.map((d) => d.path))].sort() };
  }
}

type Checks = typeof source;

function sdk(checks: Checks, kind: 'event' | 'auth', event: Record<string, unknown>) {
  const p = kind === 'event' ? checks.eventProblems(event) : checks.authEventProblems(event);
  const details = p.tooLarge.length > 0 ? p.tooLarge : p.invalid;
  if (details.length === 0) return undefined;
  return {
    status: p.tooLarge.length > 0 ? 413 : 400,
    paths: [...new Set(details.map((d) => d.path))].sort(),
  };
}

const event = (over: Record<string, unknown> = {}) => ({
  id: '01890a5d-ac96-774b-bcce-b302099a8057',
  occurredAt: '2026-11-26T09:30:00.000Z',
  actor: { id: 'usr_1', username: 'jane.admin' },
  action: 'update',
  category: 'telephony',
  eventType: 'carrier.updated',
  target: { type: 'Carrier', id: 'carrier-1' },
  newValue: { maxChannels: 2 },
  ...over,
});
const auth = (over: Record<string, unknown> = {}) => ({
  type: 'login_success',
  user: { username: 'jane.admin' },
  method: 'password',
  sessionId: 's1',
  ip: '198.51.100.7',
  ...over,
});

const sides: [string, Checks][] = [
  ['source', source],
  ['built package (rebuild it: npm run build:sdk)', built],
];

describe.each(sides)("the SDK's event checks, from its %s", (_, checks) => {
  const big = (bytes: number) => 'x'.repeat(bytes);
  const events: Record<string, unknown>[] = [
    event(),
    event({ newValue: big(65_536) }),
    event({ newValue: big(65_534) }),
    event({ oldValue: big(70_000), newValue: big(70_000) }),
    event({ metadata: { note: big(16_400) } }),
    event({ metadata: { a: 1 } }),
    event({ metadata: [1] }),
    event({ newValue: { deep: JSON.parse(`${'['.repeat(70)}${']'.repeat(70)}`) } }),
    event({ reason: big(200_000), userAgent: big(60_000) }),
    event({ colour: 'red' }),
    event({ target: { type: 'Carrier', id: 'a\nb' } }),
    event({ target: { type: 'Carrier', id: '..' } }),
    event({ target: { type: '.', id: 'x', extra: 1 } }),
    event({ id: '..', sessionId: '.' }),
    event({ eventType: 'auditlog.token_created' }),
    event({ eventType: 'AuditLog.x' }),
    event({ eventType: undefined, target: { type: 'Auditlog', id: 'x' } }),
    event({ eventType: undefined, target: { type: 'T'.repeat(128), id: 'x' } }),
    event({ eventType: 'NoDots' }),
    event({ actor: { id: 'token:abc' } }),
    event({ actor: { id: ' CLI：root' } }),
    event({ actor: { id: '' } }),
    event({ actor: { id: 'x', type: 'robot' } }),
    event({ action: 'rename' }),
    event({ ip: '999.1.1.1' }),
    event({ ip: '::1' }),
    event({ occurredAt: 'yesterday' }),
    event({ occurredAt: '2026-02-30T00:00:00Z' }),
    event({ category: '' }),
    event({ newValue: { n: 2 ** 60 } }),
    event({ newValue: { s: 'a\u0000b', bad: '\ud800' } }),
    event({ newValue: { '\ud800': 1 } }),
    event({ requestId: 'é'.repeat(256) }),
    event({ requestId: 'é'.repeat(257) }),
    event({ sessionId: '😀'.repeat(256) }),
    // Names an object inherits are unknown fields like any other (the SDK once took them as allowed).
    event({ constructor: 1 }),
    { ...event(), ...JSON.parse('{"__proto__": {"id": "x"}}') },
    event({ actor: { id: 'x', toString: 'y' } }),
  ];
  it('refuses an administrative event exactly when the server would, naming the same fields', () => {
    for (const e of events)
      expect(sdk(checks, 'event', e), JSON.stringify(e).slice(0, 200)).toEqual(server('event', e));
  });

  const auths: Record<string, unknown>[] = [
    auth(),
    auth({ method: undefined }),
    auth({ type: 'login_failure', method: undefined, sessionId: undefined, reason: 'bad_password' }),
    auth({ type: 'login_failure', reason: undefined }),
    auth({ type: 'logout', sessionId: undefined, method: undefined }),
    auth({ reason: 'locked' }),
    auth({ ip: 'localhost' }),
    auth({ sessionId: '..' }),
    auth({ user: { username: 'a\u0007' } }),
    auth({ user: { username: 'x', role: 'admin' } }),
    auth({ userAgent: big(300_000) }),
    auth({ method: 'magic_link' }),
    auth({ hasOwnProperty: 1 }),
  ];
  it('refuses an authentication event exactly when the server would', () => {
    for (const e of auths)
      expect(sdk(checks, 'auth', e), JSON.stringify(e).slice(0, 200)).toEqual(server('auth', e));
  });

  const text = fc.oneof(
    fc.constantFrom(
      'ok',
      '',
      '.',
      '..',
      'a\u0001',
      'token:x',
      'auditlog.x',
      'a.b',
      '\ud800',
      '::1',
      'NoDots',
    ),
    fc.constantFrom('2026-11-26T09:30:00Z', '2026-02-30T00:00:00Z', 'login_failure', 'logout', 'password'),
    fc.string({ maxLength: 20 }),
  );
  const field = fc.oneof(text, fc.integer(), fc.constant(undefined), fc.dictionary(text, text));
  const inherited = ['constructor', '__proto__', 'toString'];

  it('agrees with the server on generated administrative events', () => {
    const keys = ['id', 'eventType', 'category', 'ip', 'sessionId', 'requestId', 'reason', 'metadata', 'x'];
    const more = ['occurredAt', 'action', 'userAgent', 'oldValue', 'actor', ...inherited];
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom(...keys, ...more), field), text, text, (over, type, id) => {
        const e = event({ ...over, target: { type, id } });
        expect(sdk(checks, 'event', e)).toEqual(server('event', e));
      }),
      { numRuns: 2000 },
    );
  });

  it('agrees with the server on generated authentication events', () => {
    const keys = [
      'type',
      'method',
      'sessionId',
      'reason',
      'ip',
      'occurredAt',
      'userAgent',
      'user',
      ...inherited,
    ];
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom(...keys), field), (over) => {
        const e = JSON.parse(JSON.stringify(auth(over)));
        expect(sdk(checks, 'auth', e)).toEqual(server('auth', e));
      }),
      { numRuns: 2000 },
    );
  });
});
