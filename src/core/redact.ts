import { createHmac } from 'node:crypto';
import { canonicalJson } from './canonical-json.js';
import { setOwn } from './own-property.js';

/**
 * Secrets never reach the store: a value under a key that names a secret, at any depth of `oldValue`,
 * `newValue` or `metadata`, is replaced by `{ redacted: true, fingerprint }`. The fingerprint is a keyed
 * HMAC prefix (the key lives with the store), so two different secrets show different fingerprints and a
 * reader can see that a key changed without learning it.
 */

export interface RedactedMarker {
  redacted: true;
  fingerprint: string;
}

export interface RedactionOptions {
  /** Extra key names (matched case- and separator-insensitively) or patterns that name secrets. */
  keys?: (string | RegExp)[];
  /** When true, only `keys` apply and the built-in list is off. */
  replaceDefaults?: boolean;
}

/** Words that make any key a secret wherever they appear: `password`, `db_password`, `totpSeed`. */
const SECRET_WORDS = new Set([
  'password',
  'passwd',
  'passphrase',
  'pwd',
  'secret',
  'totp',
  'credential',
  'credentials',
]);
/** Word sequences that make a key a secret when the key ends with them: `apiKey`, `refresh_token`. */
const SECRET_SUFFIXES = [
  ['token'],
  ['api', 'key'],
  ['apikey'],
  ['private', 'key'],
  ['privatekey'],
  ['access', 'key'],
  ['secret', 'key'],
  ['signing', 'key'],
  ['encryption', 'key'],
  ['client', 'secret'],
  ['authorization'],
  ['cookie'],
  ['otp'],
  ['pin'],
];

function keyWords(key: string): string[] {
  return key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

const normalizeKey = (key: string) => key.toLowerCase().replace(/[^a-z0-9]/g, '');

export function defaultIsSecretKey(key: string): boolean {
  const words = keyWords(key);
  if (words.some((w) => SECRET_WORDS.has(w))) return true;
  return SECRET_SUFFIXES.some(
    (suffix) =>
      words.length >= suffix.length && suffix.every((w, i) => words[words.length - suffix.length + i] === w),
  );
}

export function secretKeyMatcher(options: RedactionOptions = {}): (key: string) => boolean {
  const names = new Set(
    (options.keys ?? []).filter((k): k is string => typeof k === 'string').map(normalizeKey),
  );
  const patterns = (options.keys ?? []).filter((k): k is RegExp => k instanceof RegExp);
  const useDefaults = !options.replaceDefaults;
  const cache = new Map<string, boolean>();
  return (key) => {
    let hit = cache.get(key);
    if (hit === undefined) {
      hit =
        (useDefaults && defaultIsSecretKey(key)) ||
        names.has(normalizeKey(key)) ||
        patterns.some((p) => p.test(key));
      if (cache.size < 10_000) cache.set(key, hit);
    }
    return hit;
  };
}

export function isRedactedMarker(value: unknown): value is RedactedMarker {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as RedactedMarker).redacted === true &&
    typeof (value as RedactedMarker).fingerprint === 'string' &&
    keyCount(value) === 2
  );
}

function keyCount(value: object): number {
  let n = 0;
  for (const _ in value) n++;
  return n;
}

export class Redactor {
  readonly #key: Buffer;
  readonly #isSecret: (key: string) => boolean;

  constructor(hmacKey: Buffer, options: RedactionOptions = {}) {
    this.#key = hmacKey;
    this.#isSecret = secretKeyMatcher(options);
  }

  fingerprint(tenant: string, value: unknown): string {
    const text = typeof value === 'string' ? value : canonicalJson(value);
    return createHmac('sha256', this.#key)
      .update(tenant)
      .update('\u0000')
      .update(text)
      .digest('hex')
      .slice(0, 16);
  }

  /** A copy of `value` with every secret replaced; returns `value` itself when nothing needed redacting. */
  redact(tenant: string, value: unknown): unknown {
    if (typeof value !== 'object' || value === null) return value;
    if (Array.isArray(value)) {
      let copy: unknown[] | undefined;
      for (let i = 0; i < value.length; i++) {
        const r = this.redact(tenant, value[i]);
        if (r !== value[i]) {
          copy ??= value.slice();
          copy[i] = r;
        }
      }
      return copy ?? value;
    }
    if (isRedactedMarker(value)) return value;
    let copy: Record<string, unknown> | undefined;
    for (const k in value) {
      const v = (value as Record<string, unknown>)[k];
      let r: unknown;
      if (v !== null && v !== undefined && this.#isSecret(k)) {
        r = { redacted: true, fingerprint: this.fingerprint(tenant, v) } satisfies RedactedMarker;
      } else {
        r = this.redact(tenant, v);
      }
      if (r !== v) {
        copy ??= { ...value };
        setOwn(copy, k, r);
      }
    }
    return copy ?? value;
  }
}
