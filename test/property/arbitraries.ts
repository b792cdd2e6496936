// Generators for the property tests: JSON values as hostile as the rules allow (deep, wide, any Unicode,
// extreme numbers, keys such as __proto__), events and sign-ins built from them, and what each reads back as.
import fc from 'fast-check';
import { canonicalJson } from '../../src/core/domain/canonical-json.js';
import { categoryKeys, DEFAULT_CATALOG } from '../../src/core/domain/catalog.js';
import { defaultEventType } from '../../src/core/domain/default-event-type.js';
import { setOwn } from '../../src/core/domain/own-property.js';
import { isSecretKey } from '../../src/core/domain/secret-keys.js';
import { SecretText } from '../../src/core/domain/secret-text.js';

/**
 * fast-check options: `AUDITLOG_PROPERTY_RUNS` replaces every property's default number of runs (a longer
 * run: `AUDITLOG_PROPERTY_RUNS=2000 npx vitest run test/property`), `AUDITLOG_PROPERTY_SEED` replays a
 * failure with the seed fast-check printed.
 */
export function propertyOptions(defaultRuns: number): fc.Parameters<unknown> {
  const seed = Number(process.env.AUDITLOG_PROPERTY_SEED);
  return {
    numRuns: propertyRuns(defaultRuns),
    ...(Number.isInteger(seed) ? { seed } : {}),
    endOnFailure: true,
  };
}

export function propertyRuns(defaultRuns: number): number {
  const runs = Number(process.env.AUDITLOG_PROPERTY_RUNS);
  return Number.isInteger(runs) && runs > 0 ? runs : defaultRuns;
}

/** A test's time limit for `runs` cases of about `msPerRun` each (a long run must not time out). */
export const timeoutFor = (runs: number, msPerRun: number) => Math.max(60_000, runs * msPerRun * 4);

/** Keys that name something on Object.prototype, JSON Pointer's escapes, and other awkward ones: all data. */
export const HOSTILE_KEYS = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'toJSON',
  'valueOf',
  'hasOwnProperty',
  'isPrototypeOf',
  '__defineGetter__',
  '__lookupSetter__',
  'length',
  '0',
  '',
  '~',
  '/',
  '~1',
  'a/b~0c',
  'redacted',
  'fingerprint',
];

const ODD_TEXT = [
  '\u2028',
  '\u2029',
  '\u202e',
  '\u200b',
  '\ufeff',
  '\uffff',
  '\u{10ffff}',
  'e\u0301',
  '\\',
  '"',
];

/** Redaction rewrites secrets (by key, and inside any text): generated data holds none, so it reads back as sent. */
const secretText = new SecretText({ isSecretKey: (k) => isSecretKey(k) });
function holdsNoSecret(text: string): boolean {
  return secretText.spans(text).length === 0;
}

/** Any well-formed text without NUL: every code point, graphemes, C0/C1 controls, bidi and zero-width marks. */
export const anyText = fc
  .oneof(
    fc.string({ unit: 'binary', maxLength: 16 }),
    fc.string({ unit: 'grapheme', maxLength: 8 }),
    fc.string({ unit: 'binary-ascii', maxLength: 16 }),
    fc.constantFrom(...ODD_TEXT),
  )
  .map((s) => s.replaceAll('\u0000', ''))
  .filter(holdsNoSecret);

/** Text allowed in ids and names: no control characters, not `.` or `..` (see url-segment.ts). */
export const nameText = (maxLength = 24) =>
  fc
    .string({
      unit: fc.oneof(fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }), fc.constantFrom(...ODD_TEXT)),
      minLength: 1,
      maxLength,
    })
    .map((s) => s.replace(/[\u0000-\u001f\u007f]/g, ''))
    .filter((s) => s.length > 0 && s !== '.' && s !== '..');

const key = fc.oneof(fc.constantFrom(...HOSTILE_KEYS), anyText).filter((k) => !isSecretKey(k));

/** Every number the API keeps exactly: within ±(2^53 − 1), and -0 (read back as 0). */
export const exactNumber = fc.oneof(
  fc.integer(),
  fc.maxSafeInteger(),
  fc.double({ min: -Number.MAX_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER, noNaN: true }),
  fc.constantFrom(
    0,
    -0,
    Number.MAX_SAFE_INTEGER,
    -Number.MAX_SAFE_INTEGER,
    Number.MIN_VALUE,
    -1e-300,
    0.1,
    1e-7,
  ),
);

const leaf = fc.oneof(anyText, exactNumber, fc.boolean(), fc.constant(null));

/** An object whose keys are own data properties, whatever their name (`o[k] = v` would not do that for __proto__). */
function objectOf(entries: [string, unknown][]): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  for (const [k, v] of entries) setOwn(o, k, v);
  return o;
}

const tree = fc.letrec<{ value: unknown; array: unknown[]; object: Record<string, unknown> }>((tie) => ({
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leaf, tie('array'), tie('object')),
  array: fc.array(tie('value'), { maxLength: 5 }),
  object: fc.uniqueArray(fc.tuple(key, tie('value')), { maxLength: 5, selector: ([k]) => k }).map(objectOf),
}));

/** A value nested `levels` deep, alternating objects with hostile keys and arrays. */
const deep = fc
  .tuple(fc.integer({ min: 1, max: 63 }), leaf, fc.array(fc.constantFrom(...HOSTILE_KEYS), { minLength: 1 }))
  .map(([levels, inner, keys]) => {
    let v: unknown = inner;
    for (let i = 0; i < levels; i++) v = i % 2 ? [v] : objectOf([[keys[i % keys.length]!, v]]);
    return v;
  });

const wide = fc
  .uniqueArray(fc.tuple(key, leaf), { minLength: 20, maxLength: 120, selector: ([k]) => k })
  .map(objectOf);

/** Any JSON value the API accepts in oldValue and newValue. */
export const jsonValue = fc.oneof(
  { weight: 6, arbitrary: tree.value },
  { weight: 1, arbitrary: deep },
  { weight: 1, arbitrary: wide },
);

/** Any JSON object the API accepts as metadata (kept under its 16 KiB). */
export const jsonObject = fc.oneof(
  tree.object,
  deep.map((v) => objectOf([['deep', v]])),
);

const CATEGORIES = categoryKeys(DEFAULT_CATALOG);
const optional = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });
const freeText = anyText;
const ip = fc.oneof(fc.ipV4(), fc.ipV6());
const pastTime = fc
  .date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date(Date.now() - 60_000), noInvalidDate: true })
  .map((d) => d.toISOString());

/** Drops the properties that are `undefined`, as JSON does. */
function defined<T extends Record<string, unknown>>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

/** An administrative event; `unique` makes its id, target and session its own (and findable by keyword). */
export const eventFields = fc.record({
  idText: nameText(20),
  actor: fc.record({
    id: nameText(),
    username: optional(nameText()),
    displayName: optional(nameText()),
    type: optional(fc.constantFrom('user', 'service', 'system')),
  }),
  action: fc.constantFrom('create', 'update', 'delete'),
  eventType: optional(fc.stringMatching(/^[a-z0-9_]{1,8}(\.[a-z0-9_]{1,8}){1,3}$/)),
  category: fc.constantFrom(...CATEGORIES),
  targetType: nameText(),
  targetText: nameText(),
  targetName: optional(nameText()),
  oldValue: optional(jsonValue),
  newValue: optional(jsonValue),
  metadata: optional(jsonObject),
  ip: optional(ip),
  userAgent: optional(freeText),
  requestId: optional(nameText()),
  reason: optional(freeText),
  occurredAt: pastTime,
  sessionText: nameText(),
  login: fc.record({
    userId: optional(nameText()),
    displayName: optional(nameText()),
    userAgent: optional(freeText),
    ip,
  }),
});
export type EventFields = typeof eventFields extends fc.Arbitrary<infer T> ? T : never;

export interface Case {
  token: string;
  event: Record<string, unknown>;
  login: Record<string, unknown>;
}

/** The request bodies of one generated case; `token` is a word only this case holds (keyword search). */
export function buildCase(f: EventFields, token: string): Case {
  const sessionId = `${token} ${f.sessionText}`;
  const event = defined({
    id: `${token} ${f.idText}`,
    occurredAt: f.occurredAt,
    actor: defined(f.actor),
    action: f.action,
    eventType: f.eventType,
    category: f.category,
    target: defined({ type: f.targetType, id: `${token} ${f.targetText}`, name: f.targetName }),
    oldValue: f.oldValue,
    newValue: f.newValue,
    metadata: f.metadata,
    ip: f.ip,
    userAgent: f.userAgent,
    sessionId,
    requestId: f.requestId,
    reason: f.reason,
  });
  const login = defined({
    type: 'login_success',
    occurredAt: f.occurredAt,
    user: defined({
      id: f.login.userId,
      username: `${token} ${f.actor.id}`,
      displayName: f.login.displayName,
    }),
    method: 'password',
    sessionId,
    ip: f.login.ip,
    userAgent: f.login.userAgent,
  });
  return { token, event, login };
}

/** JSON's own reading of a value: what the API must return for it (-0 reads as 0, key order is free). */
export const asJson = (v: unknown): unknown => (v === undefined ? undefined : JSON.parse(JSON.stringify(v)));

/** The event's content as every read path must return it (without `changes`, seq, tenant, receivedAt). */
export function expectedEvent(e: Record<string, any>): Record<string, unknown> {
  return defined({
    id: e.id,
    occurredAt: new Date(e.occurredAt).toISOString(),
    actor: { ...e.actor, type: e.actor.type ?? 'user' },
    action: e.action,
    eventType: e.eventType ?? defaultEventType(e.target.type, e.action),
    category: e.category,
    target: e.target,
    oldValue: asJson(e.oldValue) ?? null,
    newValue: asJson(e.newValue) ?? null,
    metadata: asJson(e.metadata),
    ip: e.ip,
    userAgent: e.userAgent,
    sessionId: e.sessionId,
    requestId: e.requestId,
    reason: e.reason,
  });
}

/** Fields an event's content may carry: what the round trip compares. */
const CONTENT_FIELDS = [
  'id',
  'occurredAt',
  'actor',
  'action',
  'eventType',
  'category',
  'target',
  'oldValue',
  'newValue',
  'metadata',
  'ip',
  'userAgent',
  'sessionId',
  'requestId',
  'reason',
] as const;

/** An event's content as canonical JSON (RFC 8785: key order free, numbers as ES prints them). */
export function content(e: Record<string, unknown>): string {
  const picked: Record<string, unknown> = {};
  for (const k of CONTENT_FIELDS) if (e[k] !== undefined) setOwn(picked, k, e[k]);
  return canonicalJson(picked);
}
