import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { AuditError } from './errors.js';

/**
 * API tokens: `al_<id>_<secret>`. Only SHA-256 of the secret is stored (a token is 256 random bits, so a
 * fast hash is enough); the id finds the record and the hashes are compared in constant time. A bootstrap
 * token is a string the operator chose (strong enough, see `bootstrapTokenProblem`); its id is derived from
 * its hash, unless it is itself an `al_` token.
 */
export const SCOPES: readonly Scope[] = ['ingest', 'read', 'export', 'admin'];

export interface IssuedToken {
  record: TokenRecord;
  /** The full bearer token: shown once, never stored. */
  token: string;
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/** 12 base64url characters; never a leading `-`, so `auditlog token revoke <id>` is not read as an option. */
function tokenId(): string {
  for (;;) {
    const id = randomBytes(9).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

export function issueToken(
  tenant: string,
  scopes: Scope[],
  options: {
    name?: string | null;
    nowMs: number;
    expiresMs?: number | null;
    kind?: TokenRecord['kind'];
    parentId?: string | null;
  },
): IssuedToken {
  const id = tokenId();
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
      parentId: options.parentId ?? null,
    },
  };
}

/** The record of an operator's bootstrap token; MUST be refused unless `bootstrapTokenProblem` is null. */
export function bootstrapTokenRecord(token: string, nowMs: number): TokenRecord {
  const { id, secret } = parseBearer(token);
  return {
    id,
    tenant: 'default',
    name: 'bootstrap',
    scopes: [...SCOPES],
    secretHash: sha256(secret),
    createdMs: nowMs,
    revokedMs: null,
    expiresMs: null,
    kind: 'bootstrap',
    parentId: null,
  };
}

const bootstrapId = (secret: string) => `boot-${sha256(`auditlog-bootstrap\n${secret}`).slice(0, 16)}`;

const AL_TOKEN = /^al_([A-Za-z0-9_-]{12})_([A-Za-z0-9_-]{43})$/;

/** Which record a bearer token names, and the secret to check against it. */
export function parseBearer(token: string): { id: string; secret: string } {
  const m = AL_TOKEN.exec(token);
  if (m) return { id: m[1]!, secret: m[2]! };
  return { id: bootstrapId(token), secret: token };
}

/** At least this many bits, estimated from length and alphabet. */
export const BOOTSTRAP_MIN_BITS = 128;

/**
 * Why an operator's bootstrap token is too weak to hold every scope, or null when it is strong enough: an
 * `al_` token, 32 or more hex digits (4 bits each), or 22 or more base64/base64url characters (6 bits each,
 * `=` padding not counted), with at least 8 distinct characters. This checks the form, not the randomness:
 * a passphrase of the right form passes, so generate the token (`openssl rand -base64 32`).
 */
export function bootstrapTokenProblem(token: string): string | null {
  if (AL_TOKEN.test(token)) return null;
  const advice = 'use 22 or more random base64url characters, e.g. the output of `openssl rand -base64 32`';
  const digits = token.replace(/={1,2}$/, '');
  const bitsEach = /^[0-9a-f]+$/i.test(digits) ? 4 : /^[A-Za-z0-9+/_-]+$/.test(digits) ? 6 : 0;
  if (bitsEach === 0) return `it must consist of letters, digits and - _ + / only; ${advice}`;
  const bits = digits.length * bitsEach;
  if (bits < BOOTSTRAP_MIN_BITS) {
    return `${digits.length} ${bitsEach === 4 ? 'hex digits' : 'characters'} hold at most ${bits} bits, fewer than ${BOOTSTRAP_MIN_BITS}; ${advice}`;
  }
  if (new Set(digits).size < 8) return `it repeats too few characters to be random; ${advice}`;
  return null;
}

/** Throws a 400 `invalid_request` (exit code 2 in the CLI) when `bootstrapTokenProblem` finds one. */
export function assertStrongBootstrapToken(token: string): void {
  const problem = bootstrapTokenProblem(token);
  if (problem !== null) {
    throw new AuditError(
      'invalid_request',
      `AUDITLOG_BOOTSTRAP_TOKEN is too weak to hold every scope: ${problem}`,
    );
  }
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
/** What TENANT_PATTERN asks, as every refusal of a tenant name says it (API and CLI). */
export const TENANT_RULE =
  'must be 1-64 letters, digits, dot, dash or underscore, starting with a letter or digit';

export type Scope = 'ingest' | 'read' | 'export' | 'admin';

export interface TokenRecord {
  id: string;
  tenant: string;
  name: string | null;
  scopes: Scope[];
  /** SHA-256 of the secret, hex. */
  secretHash: string;
  createdMs: number;
  revokedMs: number | null;
  expiresMs: number | null;
  kind: 'api' | 'bootstrap' | 'viewer';
  /** The token that minted this one (viewer tokens); it is valid only while its parent is. */
  parentId: string | null;
}
