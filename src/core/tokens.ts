import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Scope, TokenRecord } from '../store/store.js';

/**
 * API tokens: `al_<id>_<secret>`. Only SHA-256 of the secret is stored (a token is 256 random bits, so a
 * fast hash is enough); the id finds the record and the hashes are compared in constant time. A bootstrap
 * token is any string an operator chose; its id is derived from its hash.
 */
export const SCOPES: readonly Scope[] = ['ingest', 'read', 'export', 'admin'];

export interface IssuedToken {
  record: TokenRecord;
  /** The full bearer token: shown once, never stored. */
  token: string;
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

export function issueToken(
  tenant: string,
  scopes: Scope[],
  options: { name?: string | null; nowMs: number; expiresMs?: number | null; kind?: TokenRecord['kind'] },
): IssuedToken {
  const id = randomBytes(9).toString('base64url');
  const secret = randomBytes(32).toString('base64url');
  return {
    token: `al_${id}_${secret}`,
    record: {
      id,
      tenant,
      name: options.name ?? null,
      scopes: [...new Set(scopes)],
      secretHash: sha256(secret),
      createdMs: options.nowMs,
      revokedMs: null,
      expiresMs: options.expiresMs ?? null,
      kind: options.kind ?? 'api',
    },
  };
}

export function bootstrapTokenRecord(secret: string, nowMs: number): TokenRecord {
  return {
    id: bootstrapId(secret),
    tenant: 'default',
    name: 'bootstrap',
    scopes: [...SCOPES],
    secretHash: sha256(secret),
    createdMs: nowMs,
    revokedMs: null,
    expiresMs: null,
    kind: 'bootstrap',
  };
}

const bootstrapId = (secret: string) => `boot-${sha256(`auditlog-bootstrap\n${secret}`).slice(0, 16)}`;

/** Which record a bearer token names, and the secret to check against it. */
export function parseBearer(token: string): { id: string; secret: string } {
  const m = /^al_([A-Za-z0-9_-]{12})_([A-Za-z0-9_-]{43})$/.exec(token);
  if (m) return { id: m[1]!, secret: m[2]! };
  return { id: bootstrapId(token), secret: token };
}

export function secretMatches(record: TokenRecord, secret: string): boolean {
  const a = Buffer.from(record.secretHash, 'hex');
  const b = Buffer.from(sha256(secret), 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}

export function isActive(record: TokenRecord, nowMs: number): boolean {
  return record.revokedMs === null && (record.expiresMs === null || record.expiresMs > nowMs);
}

export const TENANT_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
