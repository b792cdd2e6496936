import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  createPrivateKey,
  generateKeyPairSync,
  randomBytes,
  sign,
} from 'node:crypto';
import { AuditError } from './errors.js';

/**
 * A webhook destination's signing keys, per Standard Webhooks: a symmetric secret (`whsec_` + base64) for
 * `v1` HMAC-SHA256 signatures, and an Ed25519 key pair (`whsk_` / `whpk_`, raw 32-byte keys in base64) for
 * `v1a` signatures that a receiver checks with the public key only.
 */
export interface WebhookKeys {
  secret: string;
  signingKey: string;
  /** After a rotation: the keys replaced, still signing alongside the new ones until `untilMs`. */
  previous?: { secret: string; signingKey: string; untilMs: number };
}

export function generateWebhookKeys(): { keys: WebhookKeys; publicKey: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const rawPrivate = (privateKey.export({ format: 'jwk' }) as { d: string }).d;
  const rawPublic = (publicKey.export({ format: 'jwk' }) as { x: string }).x;
  return {
    keys: {
      secret: `whsec_${randomBytes(32).toString('base64')}`,
      signingKey: `whsk_${Buffer.from(rawPrivate, 'base64url').toString('base64')}`,
    },
    publicKey: `whpk_${Buffer.from(rawPublic, 'base64url').toString('base64')}`,
  };
}

/** Who holds which secret, without showing it: the first 16 hex digits of its SHA-256. */
export function secretFingerprint(secret: string): string {
  return createHash('sha256').update(secret).digest('hex').slice(0, 16);
}

/** Standard Webhooks headers for one delivery: the content signed is `${id}.${timestamp}.${body}`. */
export function webhookHeaders(
  keys: WebhookKeys,
  id: string,
  timestampS: number,
  body: string,
): Record<string, string> {
  const content = Buffer.from(`${id}.${timestampS}.${body}`);
  const signatures = (k: { secret: string; signingKey: string }) => {
    const hmacKey = Buffer.from(k.secret.replace(/^whsec_/, ''), 'base64');
    const v1 = createHmac('sha256', hmacKey).update(content).digest('base64');
    const v1a = sign(null, content, edKey(k.signingKey)).toString('base64');
    return [`v1,${v1}`, `v1a,${v1a}`];
  };
  // During a rotation's overlap the old keys sign too (Standard Webhooks allows several signatures), so a
  // receiver still holding the old secret or public key keeps verifying until it is updated.
  const previous = keys.previous && keys.previous.untilMs > timestampS * 1000 ? keys.previous : null;
  return {
    'webhook-id': id,
    'webhook-timestamp': String(timestampS),
    'webhook-signature': [...signatures(keys), ...(previous ? signatures(previous) : [])].join(' '),
  };
}

const edKeys = new Map<string, ReturnType<typeof createPrivateKey>>();

function edKey(signingKey: string) {
  let key = edKeys.get(signingKey);
  if (!key) {
    const raw = Buffer.from(signingKey.replace(/^whsk_/, ''), 'base64');
    // PKCS#8 for a raw Ed25519 private key: a fixed 16-byte prefix, then the 32 bytes.
    const der = Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), raw]);
    key = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
    if (edKeys.size > 1000) edKeys.clear();
    edKeys.set(signingKey, key);
  }
  return key;
}

/**
 * Secrets at rest: AES-256-GCM under the store's destination key (kept in the store's meta, like the
 * redaction key), so that the secrets never appear in clear in a row, an export or an API answer.
 */
export function sealSecret(key: Buffer, plain: unknown): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const body = Buffer.concat([cipher.update(JSON.stringify(plain), 'utf8'), cipher.final()]);
  return ['v1', iv.toString('base64'), cipher.getAuthTag().toString('base64'), body.toString('base64')].join(
    '.',
  );
}

export function openSecret<T>(key: Buffer, sealed: string): T {
  const [version, iv, tag, body] = sealed.split('.');
  if (version !== 'v1' || !iv || !tag || body === undefined)
    throw new AuditError('internal', 'A destination secret is sealed in an unknown form');
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64'));
    decipher.setAuthTag(Buffer.from(tag, 'base64'));
    const plain = Buffer.concat([decipher.update(Buffer.from(body, 'base64')), decipher.final()]);
    return JSON.parse(plain.toString('utf8')) as T;
  } catch {
    throw new AuditError('internal', 'A destination secret cannot be opened with this store key');
  }
}
