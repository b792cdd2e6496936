import { createHmac } from 'node:crypto';
import { canonicalJson } from './canonical-json.js';
import { setOwn } from './own-property.js';
import { type SecretKeyOptions, SecretKeys } from './secret-keys.js';
import { SecretText } from './secret-text.js';

/**
 * Secrets never reach the store. In `oldValue`, `newValue` and `metadata`, at any depth:
 * - a value under a key that names a secret (secret-keys.ts) becomes `{ redacted: true, fingerprint }`;
 * - so does the value of a name/value pair whose name names a secret — an object with a name field
 *   (`name`, `key`, `field`, `header`, `variable`, `param`, `path`, …) and value fields (`value`, `data`,
 *   `old`/`new`, `from`/`to`, …), as in header and environment lists, or a `[name, value]` entry of an
 *   array (whatever else it holds);
 * - a secret inside a string (secret-text.ts), and inside a key, becomes `[redacted:<fingerprint>]`, the
 *   rest of the text kept.
 * Free-text fields (`reason`, `userAgent`) go through `redactText`. Booleans, null and markers already
 * present are kept: a boolean is not a secret, and an exported event imports again unchanged.
 *
 * The fingerprint is a keyed HMAC prefix (the key lives with the store) over the tenant and the secret, so
 * two different secrets show different fingerprints, the same secret the same one wherever it appears, and
 * a reader can see that a secret changed without learning it.
 */

export interface RedactedMarker {
  redacted: true;
  fingerprint: string;
}

export interface RedactionOptions extends SecretKeyOptions {
  /**
   * Extra free-text patterns. Every match — or, when the pattern has a named group `secret`, that group —
   * becomes `[redacted:<fingerprint>]` wherever text is scanned.
   */
  patterns?: RegExp[];
  /** When true, the built-in words and the built-in text patterns are off: only `keys` and `patterns` apply. */
  replaceDefaults?: boolean;
}

const fieldSet = (text: string) => new Set(text.trim().split(/\s+/));
/** Fields (lower case, separators dropped) that name the setting of a name/value pair… */
const NAME_FIELDS = fieldSet(`name key field fieldname header headername variable var envvar param parameter
  parametername parameterkey setting property attribute option path`);
/** …and those that hold its value. */
const VALUE_FIELDS = fieldSet(`value values val content data parametervalue old new oldvalue newvalue from to
  before after previous current`);
/** What a key is, as bits, memoised per key: its role in a name/value pair, a secret name, secret text. */
const NAME = 1;
const VALUE = 2;
const SECRET = 4;
const HOLDS_SECRET = 8;
const roleOf = (key: string): number => {
  const k = key.toLowerCase().replace(/[^a-z0-9]/g, '');
  return NAME_FIELDS.has(k) ? NAME : VALUE_FIELDS.has(k) ? VALUE : 0;
};
/** Longer strings are not names of a setting: they are not looked up (nor memoised) as keys. */
const MAX_NAME_LENGTH = 128;
/** Strings found free of secrets are remembered up to this length and this count, then forgotten. */
const CLEAN_TEXT_LENGTH = 512;
const MEMO_LIMIT = 20_000;

const FINGERPRINT = /^[0-9a-f]{16}$/;

/** A marker this library wrote: exactly `redacted: true` and a 16-hex `fingerprint`. */
export function isRedactedMarker(value: unknown): value is RedactedMarker {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as RedactedMarker).redacted === true &&
    typeof (value as RedactedMarker).fingerprint === 'string' &&
    FINGERPRINT.test((value as RedactedMarker).fingerprint) &&
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
  readonly #keys: SecretKeys;
  readonly #text: SecretText;
  readonly #keyInfo = new Map<string, number>();
  readonly #clean = new Set<string>();

  constructor(hmacKey: Buffer, options: RedactionOptions = {}) {
    this.#key = hmacKey;
    this.#keys = new SecretKeys(options);
    this.#text = new SecretText({
      isSecretKey: (k) => this.#keys.isSecret(k),
      keyFragments: this.#keys.fragments(),
      patterns: options.patterns,
      builtIn: !options.replaceDefaults,
    });
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

  /**
   * `text` with every secret span replaced by `[redacted:<fingerprint>]`; `text` itself when it holds none.
   * MUST be stable: the same text gives the same result, and a result redacts to itself.
   */
  redactText(tenant: string, text: string): string {
    if (this.#clean.has(text)) return text;
    const out = this.#text.redact(text, (secret) => `[redacted:${this.fingerprint(tenant, secret)}]`);
    // Only secret-free strings are remembered: the memo never holds a secret.
    if (out === text && text.length <= CLEAN_TEXT_LENGTH) {
      if (this.#clean.size >= MEMO_LIMIT) this.#clean.clear();
      this.#clean.add(text);
    }
    return out;
  }

  /** A copy of `value` with every secret replaced; returns `value` itself when nothing needed redacting. */
  redact(tenant: string, value: unknown): unknown {
    if (typeof value === 'string') return this.redactText(tenant, value);
    if (typeof value !== 'object' || value === null) return value;
    if (Array.isArray(value)) return this.#array(tenant, value);
    if (isRedactedMarker(value)) return value;
    return this.#object(tenant, value as Record<string, unknown>);
  }

  #mark(tenant: string, v: unknown): unknown {
    if (v === null || v === undefined || typeof v === 'boolean' || isRedactedMarker(v)) return v;
    return { redacted: true, fingerprint: this.fingerprint(tenant, v) } satisfies RedactedMarker;
  }

  #isSecretName(v: unknown): boolean {
    return typeof v === 'string' && v.length <= MAX_NAME_LENGTH && this.#keys.isSecret(v);
  }

  #infoOf(key: string): number {
    let info = this.#keyInfo.get(key);
    if (info === undefined) {
      info = roleOf(key) | (this.#keys.isSecret(key) ? SECRET : 0);
      // A key holding a secret (`{"Bearer …": 1}`) is not remembered: the memo never holds a secret.
      if (this.#text.spans(key).length > 0) return info | HOLDS_SECRET;
      if (this.#keyInfo.size >= MEMO_LIMIT) this.#keyInfo.clear();
      this.#keyInfo.set(key, info);
    }
    return info;
  }

  #object(tenant: string, value: Record<string, unknown>): unknown {
    let copy: Record<string, unknown> | undefined;
    let secretPair = false;
    let valueKeys: string[] | undefined;
    for (const k in value) {
      const v = value[k];
      const info = this.#infoOf(k);
      if (info & NAME) secretPair ||= this.#isSecretName(v);
      if (info & VALUE) {
        valueKeys ??= [];
        valueKeys.push(k);
      }
      const r = info & SECRET ? this.#mark(tenant, v) : this.redact(tenant, v);
      const rk = info & HOLDS_SECRET ? this.redactText(tenant, k) : k;
      if (r !== v || rk !== k) {
        copy ??= { ...value };
        if (rk !== k) delete copy[k];
        setOwn(copy, rk, r);
      }
    }
    if (secretPair && valueKeys) {
      copy ??= { ...value };
      for (const k of valueKeys) setOwn(copy, k, this.#mark(tenant, value[k]));
    }
    return copy ?? value;
  }

  #array(tenant: string, value: unknown[]): unknown {
    let copy: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const item = value[i];
      let r: unknown;
      if (isPair(item) && this.#isSecretName(item[0])) {
        const [name, v] = item as [string, unknown];
        const mv = this.#mark(tenant, v);
        r = mv === v ? item : [name, mv];
      } else {
        r = this.redact(tenant, item);
      }
      if (r !== item) {
        copy ??= value.slice();
        copy[i] = r;
      }
    }
    return copy ?? value;
  }
}

/**
 * `["Authorization", "…"]` as an item of a list: an entry of a map or a header list — also where the list
 * mixes entries with other items (`{name, value}` objects, strings), which hid the pair's secret before.
 */
function isPair(item: unknown): item is [string, unknown] {
  return Array.isArray(item) && item.length === 2 && typeof item[0] === 'string';
}
