import {
  createPrivateKey,
  createPublicKey,
  hash as digestOf,
  generateKeyPairSync,
  type KeyObject,
  sign,
  verify,
} from 'node:crypto';
import { canonicalJson } from './canonical-json.js';
import { AuditError } from './errors.js';

/**
 * Ed25519 signing of checkpoints. A checkpoint states that a tenant's chain had `hash` at `seq`; its
 * signature covers the RFC 8785 canonical JSON of `{ tenant, seq, hash, signedAt, keyId }`. The key id is
 * the first 16 hex digits of the SHA-256 of the public key (SPKI DER), so a verifier can pick the key.
 */
export interface CheckpointClaim {
  tenant: string;
  seq: number;
  hash: string;
  signedAt: string;
  keyId: string;
}

export interface SignedCheckpoint extends CheckpointClaim {
  /** base64 Ed25519 signature over canonicalJson(claim). */
  signature: string;
}

export interface SigningKey {
  keyId: string;
  privateKey: KeyObject;
  publicKeyPem: string;
}

export function keyIdOf(publicKey: KeyObject): string {
  return digestOf('sha256', publicKey.export({ type: 'spki', format: 'der' }), 'hex').slice(0, 16);
}

/** A key from PEM text, or from base64 of PKCS#8 DER (AUDITLOG_SIGNING_KEY accepts both). */
export function parsePrivateKey(text: string): SigningKey {
  let privateKey: KeyObject;
  try {
    privateKey = text.includes('-----BEGIN')
      ? createPrivateKey(text)
      : createPrivateKey({ key: Buffer.from(text.trim(), 'base64'), format: 'der', type: 'pkcs8' });
  } catch (error) {
    throw new AuditError('invalid_request', `The signing key cannot be read: ${(error as Error).message}`);
  }
  if (privateKey.asymmetricKeyType !== 'ed25519') {
    throw new AuditError(
      'invalid_request',
      `The signing key must be Ed25519, not ${privateKey.asymmetricKeyType}`,
    );
  }
  return fromPrivate(privateKey);
}

export function generateSigningKey(): { key: SigningKey; privatePem: string } {
  const { privateKey } = generateKeyPairSync('ed25519');
  return {
    key: fromPrivate(privateKey),
    privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  };
}

function fromPrivate(privateKey: KeyObject): SigningKey {
  const publicKey = createPublicKey(privateKey);
  return {
    keyId: keyIdOf(publicKey),
    privateKey,
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

export function signCheckpoint(key: SigningKey, claim: Omit<CheckpointClaim, 'keyId'>): SignedCheckpoint {
  const full: CheckpointClaim = { ...claim, keyId: key.keyId };
  return { ...full, signature: signText(key, canonicalJson(claimOf(full))) };
}

/** Whether `checkpoint`'s signature is valid under `publicKeyPem`. */
export function checkpointSignatureValid(checkpoint: SignedCheckpoint, publicKeyPem: string): boolean {
  return textSignatureValid(canonicalJson(claimOf(checkpoint)), checkpoint.signature, publicKeyPem);
}

/**
 * The base64 Ed25519 signature of `text` by `key`: what every signed statement of the log (checkpoints, purge
 * records, export end lines) carries, each over a text of its own shape.
 */
export function signText(key: SigningKey, text: string): string {
  return sign(null, Buffer.from(text), key.privateKey).toString('base64');
}

/** Whether `signature` (base64) is `publicKeyPem`'s over `text`; false for a key or signature it cannot read. */
export function textSignatureValid(text: string, signature: string, publicKeyPem: string): boolean {
  try {
    return verify(null, Buffer.from(text), createPublicKey(publicKeyPem), Buffer.from(signature, 'base64'));
  } catch {
    return false;
  }
}

function claimOf(c: CheckpointClaim): CheckpointClaim {
  return { tenant: c.tenant, seq: c.seq, hash: c.hash, signedAt: c.signedAt, keyId: c.keyId };
}

/** Reads a public key (PEM) and returns its key id, or throws a clear error. */
export function publicKeyInfo(pem: string): { keyId: string; publicKeyPem: string } {
  try {
    const key = createPublicKey(pem);
    return { keyId: keyIdOf(key), publicKeyPem: key.export({ type: 'spki', format: 'pem' }).toString() };
  } catch (error) {
    throw new AuditError('invalid_request', `The public key cannot be read: ${(error as Error).message}`);
  }
}
