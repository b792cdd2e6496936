import { AuditError } from '../domain/errors.js';
import type { Scope, TokenRecord } from '../domain/tokens.js';
import {
  assertStrongBootstrapToken,
  bootstrapTokenRecord,
  type IssuedToken,
  isActive,
  issueToken,
  parseBearer,
  SCOPES,
  secretMatches,
  TENANT_PATTERN,
  TENANT_RULE,
} from '../domain/tokens.js';
import type { Store } from '../ports/store.js';
import { audited, type SelfAudit } from './self-audit.js';

/** Who is calling: the tenant a token belongs to and what it may do. */
export interface Principal {
  tokenId: string;
  tenant: string;
  scopes: ReadonlySet<Scope>;
  name: string | null;
  kind: TokenRecord['kind'];
  /** When the token stops working: its own expiry or its parent's, whichever is first. */
  expiresMs: number | null;
}

/** Who did an administrative act on the log itself, and from where (for the self-audit events). */
export interface ActingParty {
  actor: { id: string; username?: string; displayName?: string; type: 'user' | 'service' | 'system' };
  ip?: string;
  userAgent?: string;
}

export const VIEWER_TTL = { minSeconds: 30, defaultSeconds: 900, maxSeconds: 3600 } as const;

/** Viewer tokens have one parent (they cannot mint); the bound only stops a cycle planted in the table. */
const MAX_PARENTS = 8;

const INACTIVE = 'The token is unknown, revoked or expired';

/** A secret that matched no token (401): a guess, the only failure the failed-authentication limit counts. */
export class WrongSecret extends AuditError {
  constructor() {
    super('unauthorized', INACTIVE);
  }
}

export function actingToken(p: Principal, ip?: string, userAgent?: string): ActingParty {
  return {
    actor: { id: `token:${p.tokenId}`, username: p.name ?? p.tokenId, type: 'service' },
    ...(ip ? { ip } : {}),
    ...(userAgent ? { userAgent } : {}),
  };
}

/**
 * Tokens and scopes. A token belongs to one tenant; only the SHA-256 of its secret is stored; revocation
 * takes effect on the next request (no cache). Creating and revoking tokens, viewer tokens included, are
 * recorded as events of the token's tenant, attributed to whoever did it.
 */
export class AccessControl {
  readonly #store: Store;
  readonly #now: () => number;
  readonly #audit: SelfAudit;

  constructor(store: Store, now: () => number, audit: SelfAudit) {
    this.#store = store;
    this.#now = now;
    this.#audit = audit;
  }

  /**
   * The principal a bearer token stands for. 401 for a missing, unknown, revoked or expired token, and for a
   * token any of whose parents (the tokens that minted it, checked on every use) is revoked, expired or
   * gone; a viewer token without a parent (minted before parents were recorded) is refused. A secret that
   * matched no token throws `WrongSecret`, the only 401 that counts as a guess.
   */
  async authenticate(bearer: string | undefined): Promise<Principal> {
    if (!bearer) throw new AuditError('unauthorized', 'Send Authorization: Bearer <token>');
    const { id, secret } = parseBearer(bearer);
    const record = await this.#store.tokens.find(id);
    if (!record || !secretMatches(record, secret)) throw new WrongSecret();
    return {
      tokenId: record.id,
      tenant: record.tenant,
      scopes: new Set(record.scopes),
      name: record.name,
      kind: record.kind,
      expiresMs: await this.#validUntil(record, this.#now()),
    };
  }

  /** When a token stops working: its own expiry or a parent's, whichever is first; 401 when it already has. */
  async #validUntil(token: TokenRecord, nowMs: number): Promise<number | null> {
    let until: number | null = null;
    let t: TokenRecord | undefined = token;
    for (let depth = 0; t !== undefined && depth <= MAX_PARENTS; depth++) {
      if (!isActive(t, nowMs)) break;
      if (t.expiresMs !== null) until = until === null ? t.expiresMs : Math.min(until, t.expiresMs);
      if (t.parentId === null) {
        if (t.kind === 'viewer') break;
        return until;
      }
      t = await this.#store.tokens.find(t.parentId);
    }
    throw new AuditError('unauthorized', INACTIVE);
  }

  /**
   * Makes `token` the operator's bootstrap token (all scopes, tenant `default`): created unless it exists,
   * and every other bootstrap token still active revoked (recorded like any revocation, by `by`), so that
   * changing AUDITLOG_BOOTSTRAP_TOKEN rotates a leaked one instead of leaving it valid. A token weaker than
   * 128 bits (see `bootstrapTokenProblem`) MUST be refused: 400 `invalid_request`, nothing stored. So MUST a
   * token revoked before — checked before anything is revoked, so that a node started with a stale value
   * neither brings the old token back nor revokes the current one. Returns the ids it revoked.
   */
  async ensureBootstrapToken(token: string, by: ActingParty): Promise<string[]> {
    assertStrongBootstrapToken(token);
    const record = bootstrapTokenRecord(token, this.#now());
    const existing = await this.#store.tokens.find(record.id);
    if (existing && existing.revokedMs !== null)
      throw new AuditError(
        'invalid_request',
        `AUDITLOG_BOOTSTRAP_TOKEN names token ${record.id}, revoked at ${new Date(existing.revokedMs).toISOString()}: set a new one, or unset it`,
      );
    if (!existing) await this.#store.tokens.createIfAbsent(record);
    const stale = (await this.#store.tokens.list(OPERATOR_TENANT)).filter(
      (t) => t.kind === 'bootstrap' && t.id !== record.id && t.revokedMs === null,
    );
    // Another node starting with the same token may revoke them at the same moment: each revocation is
    // made and recorded once, by the node whose update revoked it.
    const revoked: string[] = [];
    for (const t of stale) if (await this.revokeToken(t.id, by)) revoked.push(t.id);
    return revoked;
  }

  /** On a store with no token at all, creates an admin token and returns it (to print once). */
  async createFirstAdminToken(by: ActingParty): Promise<IssuedToken | null> {
    if ((await this.#store.tokens.count()) > 0) return null;
    return this.createToken({ tenant: OPERATOR_TENANT, scopes: [...SCOPES], name: 'first admin token' }, by);
  }

  /**
   * A token of `input.tenant`. `caller`, the admin token asking (absent: the operator at the command line),
   * MUST be one of that tenant or of the operator's tenant (403 naming `/tenant`): a tenant's admin token
   * manages that tenant's tokens, destinations and data, and must not mint itself a way into another's.
   */
  async createToken(
    input: { tenant: unknown; scopes: unknown; name?: unknown },
    by: ActingParty,
    caller?: Principal,
  ): Promise<IssuedToken> {
    const { tenant, scopes, name } = validateTokenInput(input);
    assertManages(caller, tenant, '/tenant');
    const issued = issueToken(tenant, scopes, { name, nowMs: this.#now() });
    const event = {
      ...by,
      action: 'create',
      category: 'security',
      eventType: 'auditlog.token_created',
      target: { type: 'Token', id: issued.record.id, ...(name ? { name } : {}) },
      newValue: publicToken(issued.record),
    };
    await audited(this.#audit, tenant, event, (p) => this.#store.tokens.create(issued.record, p));
    return issued;
  }

  /**
   * A short-lived, read-only token of the caller's tenant, for a host page to hand to the embedded UI. It
   * MUST NOT outlive the caller: it expires with it at the latest and stops when the caller is revoked
   * (`authenticate` checks the parent on every use). A viewer token MUST NOT mint one (403). Recorded as an
   * `auditlog.viewer_token_created` event.
   */
  async createViewerToken(
    p: Principal,
    ttlSeconds: unknown,
    by: ActingParty,
  ): Promise<{ token: string; expiresAt: string }> {
    if (p.kind === 'viewer') throw new AuditError('forbidden', 'A viewer token cannot mint tokens');
    const ttl = ttlSeconds === undefined ? VIEWER_TTL.defaultSeconds : Number(ttlSeconds);
    if (!Number.isInteger(ttl) || ttl < VIEWER_TTL.minSeconds || ttl > VIEWER_TTL.maxSeconds) {
      throw new AuditError('invalid_request', 'Invalid ttlSeconds', [
        {
          path: '/ttlSeconds',
          message: `must be an integer from ${VIEWER_TTL.minSeconds} to ${VIEWER_TTL.maxSeconds}`,
        },
      ]);
    }
    const now = this.#now();
    const expiresMs = Math.min(now + ttl * 1000, p.expiresMs ?? Number.POSITIVE_INFINITY);
    const issued = issueToken(p.tenant, ['read'], {
      name: `viewer via ${p.name ?? p.tokenId}`,
      nowMs: now,
      expiresMs,
      kind: 'viewer',
      parentId: p.tokenId,
    });
    const event = {
      ...by,
      action: 'create',
      category: 'security',
      eventType: 'auditlog.viewer_token_created',
      target: { type: 'Token', id: issued.record.id, name: issued.record.name },
      newValue: publicToken(issued.record),
    };
    await audited(this.#audit, p.tenant, event, (r) => this.#store.tokens.create(issued.record, r));
    return { token: issued.token, expiresAt: new Date(expiresMs).toISOString() };
  }

  /**
   * Every API and bootstrap token, and the viewer tokens that still work (each names its parent), of
   * `tenant` or of every tenant; a `caller` not of the operator's tenant sees its own tenant's only.
   */
  async listTokens(tenant?: string, caller?: Principal): Promise<ReturnType<typeof publicToken>[]> {
    if (tenant !== undefined) assertManages(caller, tenant, '/tenant');
    const now = this.#now();
    const all = await this.#store.tokens.list(
      tenant ?? (caller && caller.tenant !== OPERATOR_TENANT ? caller.tenant : undefined),
    );
    return all.filter((t) => t.kind !== 'viewer' || isActive(t, now)).map(publicToken);
  }

  /**
   * Revokes a token and the viewer tokens it minted; 404 when there is none with this id, or when it is of
   * a tenant `caller` does not manage (another tenant's ids are 404, like unknown ones). Returns whether this
   * call revoked it (and recorded `auditlog.token_revoked`); false when it was revoked already.
   */
  async revokeToken(id: string, by: ActingParty, caller?: Principal): Promise<boolean> {
    const record = await this.#store.tokens.find(id);
    if (!record || !manages(caller, record.tenant))
      throw new AuditError('not_found', `Token ${id} not found`);
    const event = {
      ...by,
      action: 'delete',
      category: 'security',
      eventType: 'auditlog.token_revoked',
      target: { type: 'Token', id, ...(record.name ? { name: record.name } : {}) },
      oldValue: publicToken(record),
      newValue: null,
    };
    // Checked before the change; recorded by the call that revoked it only (the store writes the pending
    // record then only): a concurrent revoke (another node, a second request) is a no-op.
    const pending = this.#audit.pending(record.tenant, event);
    if (!(await this.#store.tokens.revoke(id, this.#now(), pending))) return false;
    await this.#audit.settle();
    return true;
  }
}

/** The operator's tenant: its admin tokens (the bootstrap token's among them) manage every tenant's tokens. */
export const OPERATOR_TENANT = 'default';

/** Whether `caller` (absent: the operator at the command line) may manage the tokens of `tenant`. */
function manages(caller: Principal | undefined, tenant: string): boolean {
  return caller === undefined || caller.tenant === OPERATOR_TENANT || caller.tenant === tenant;
}

function assertManages(caller: Principal | undefined, tenant: string, path: string): void {
  if (manages(caller, tenant)) return;
  const message = `an admin token of tenant ${caller!.tenant} manages that tenant's tokens only; those of other tenants are the operator's (tenant ${OPERATOR_TENANT})`;
  throw new AuditError('forbidden', `Tokens of tenant ${tenant} are not this token's to manage`, [
    { path, message },
  ]);
}

/** A token as the API shows it: never the secret or its hash. */
export function publicToken(t: TokenRecord) {
  return {
    id: t.id,
    tenant: t.tenant,
    name: t.name,
    scopes: t.scopes,
    kind: t.kind,
    createdAt: new Date(t.createdMs).toISOString(),
    revokedAt: t.revokedMs === null ? null : new Date(t.revokedMs).toISOString(),
    expiresAt: t.expiresMs === null ? null : new Date(t.expiresMs).toISOString(),
    parentId: t.parentId,
  };
}

/**
 * What a token name must not hold: control characters, lone surrogates, and the bidirectional formatting
 * characters (U+202A-202E, U+2066-2069, marks), which make a name read reversed wherever it is shown — in
 * token lists, the UI and every self-audit event's actor.username.
 */
const UNPRINTABLE =
  /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]|[\uD800-\uDFFF]/u;

function validateTokenInput(input: { tenant: unknown; scopes: unknown; name?: unknown }): {
  tenant: string;
  scopes: Scope[];
  name: string | null;
} {
  const details = [];
  if (typeof input.tenant !== 'string' || !TENANT_PATTERN.test(input.tenant)) {
    details.push({
      path: '/tenant',
      message: TENANT_RULE,
    });
  }
  const scopes = input.scopes;
  if (!Array.isArray(scopes) || scopes.length === 0 || scopes.some((s) => !SCOPES.includes(s as Scope))) {
    details.push({ path: '/scopes', message: `must list one or more of: ${SCOPES.join(', ')}` });
  }
  const name = input.name;
  if (
    name !== undefined &&
    name !== null &&
    (typeof name !== 'string' || name.length === 0 || name.length > 128 || UNPRINTABLE.test(name))
  ) {
    details.push({
      path: '/name',
      message: 'must be 1-128 printable characters (no control or bidirectional formatting characters)',
    });
  } else if (typeof name === 'string' && name.trim() === '') {
    // A name of spaces names nothing, in token lists and as every self-audit event's actor.
    details.push({ path: '/name', message: 'must not be blank' });
  }
  if (details.length > 0) throw new AuditError('invalid_request', 'The token request is not valid', details);
  return {
    tenant: input.tenant as string,
    scopes: [...new Set(scopes as Scope[])],
    name: typeof name === 'string' && name !== '' ? name : null,
  };
}
