import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { setOwn } from './own-property.js';

/**
 * Crypto-shredding primitives (docs/lifecycle.md#erasure-of-a-data-subject). A personal field is stored as an
 * envelope `{"enc":"v1","kid":…,"ct":…}` (AES-256-GCM under the subject's random key); the subject key is
 * stored wrapped by the tenant's wrap key; filters use a keyed blind index. Both tenant keys are derived
 * from one master secret kept in a key file beside the signing key, never in the database.
 */

export interface Envelope {
  enc: 'v1';
  kid: string;
  ct: string;
}

/** What a read shows in place of a field whose subject was erased. */
export const ERASED = Object.freeze({ erased: true });

export interface TenantKeys {
  /** Wraps subject keys (AES-256-GCM). */
  wrap: Buffer;
  /** Keys the blind index (HMAC-SHA-256). */
  blind: Buffer;
}

/** The tenant's keys: HKDF-SHA-256 of the master secret, one `info` per tenant and purpose. */
export function tenantKeys(master: Buffer, tenant: string): TenantKeys {
  const derive = (purpose: string) =>
    Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), `auditlog ${purpose} ${tenant}`, 32));
  return { wrap: derive('subject-key-wrap'), blind: derive('blind-index') };
}

export function newSubjectKey(): Buffer {
  return randomBytes(32);
}

// IVs come from a pool filled 4 KiB at a time: one random call per 341 seals, not one per field.
let ivPool = Buffer.alloc(0);
let ivAt = 0;
function freshIv(): Buffer {
  if (ivAt + 12 > ivPool.length) {
    ivPool = randomBytes(4092);
    ivAt = 0;
  }
  ivAt += 12;
  return ivPool.subarray(ivAt - 12, ivAt);
}

/** iv ‖ tag ‖ ciphertext, base64; the additional data binds it to its context (tenant and key id). */
function seal(key: Buffer, plain: Buffer, aad: string): string {
  const iv = freshIv();
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(aad));
  const ct = Buffer.concat([cipher.update(plain), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), ct]).toString('base64');
}

function open(key: Buffer, sealed: string, aad: string): Buffer {
  const raw = Buffer.from(sealed, 'base64');
  const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
  decipher.setAAD(Buffer.from(aad));
  decipher.setAuthTag(raw.subarray(12, 28));
  return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]);
}

/** The subject key wrapped for storage; a row moved to another tenant or key id does not unwrap. */
export function wrapSubjectKey(wrap: Buffer, tenant: string, kid: string, key: Buffer): string {
  return seal(wrap, key, `${tenant}\u0000${kid}`);
}

export function unwrapSubjectKey(wrap: Buffer, tenant: string, kid: string, wrapped: string): Buffer {
  return open(wrap, wrapped, `${tenant}\u0000${kid}`);
}

export function encryptValue(key: Buffer, kid: string, value: unknown): Envelope {
  return { enc: 'v1', kid, ct: seal(key, Buffer.from(JSON.stringify(value)), kid) };
}

export function decryptValue(key: Buffer, envelope: Envelope): unknown {
  return JSON.parse(open(key, envelope.ct, envelope.kid).toString('utf8'));
}

export function isEnvelope(value: unknown): value is Envelope {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const v = value as Record<string, unknown>;
  return (
    v.enc === 'v1' && typeof v.kid === 'string' && typeof v.ct === 'string' && Object.keys(v).length === 3
  );
}

/** What every blind index starts with (a column holding one is sealed). */
export const BLIND_PREFIX = 'bi:';

/**
 * The blind index of a value: HMAC-SHA-256 under the tenant's blind key, 128 bits in hex, prefixed so it
 * never equals a clear value. `kind` separates name spaces (an actor id equal to someone's IP differs).
 */
export function blindIndex(blind: Buffer, kind: 'actor' | 'user' | 'ip', value: string): string {
  // Audit events repeat the same actors and addresses endlessly: each is computed once per tenant key.
  let cache = blindCache.get(blind);
  if (!cache) {
    cache = new Map();
    blindCache.set(blind, cache);
  }
  const k = `${kind}\u0000${value}`;
  let out = cache.get(k);
  if (out === undefined) {
    out = `${BLIND_PREFIX}${createHmac('sha256', blind).update(k).digest('hex').slice(0, 32)}`;
    if (cache.size >= 50_000) cache.clear();
    cache.set(k, out);
  }
  return out;
}
const blindCache = new WeakMap<Buffer, Map<string, string>>();

/** The stable reference of a subject in `subject_keys`: its blind index, never its clear id. */
export function subjectRef(blind: Buffer, actorId: string): string {
  return blindIndex(blind, 'actor', actorId);
}

/** Every key id an entry's body names (a cheap text scan; envelopes are canonical JSON). */
export function envelopeKids(body: string): string[] {
  if (!body.includes('"enc":"v1"')) return [];
  const out = new Set<string>();
  for (const m of body.matchAll(/"enc":"v1","kid":"([^"\\]+)"/g)) out.add(m[1]!);
  return [...out];
}

/**
 * The value with every envelope replaced by its clear value, or by ERASED when its key is gone (null in
 * `keys`) or does not open it. Envelopes can sit anywhere (a JSON Pointer path, or inside `changes`).
 */
export function revealValue(value: unknown, keys: ReadonlyMap<string, Buffer | null>): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (isEnvelope(value)) {
    const key = keys.get(value.kid);
    if (!key) return { ...ERASED };
    try {
      return decryptValue(key, value);
    } catch {
      return { ...ERASED };
    }
  }
  if (Array.isArray(value)) return value.map((v) => revealValue(v, keys));
  const out: Record<string, unknown> = {};
  // setOwn: a member named __proto__ is data; out[k] = … set the prototype and the member vanished.
  for (const [k, v] of Object.entries(value)) setOwn(out, k, revealValue(v, keys));
  return out;
}
