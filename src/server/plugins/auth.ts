import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AuditError } from '../../core/domain/errors.js';
import type { Scope } from '../../core/domain/tokens.js';
import {
  type ActingParty,
  actingToken,
  type Principal,
  WrongSecret,
} from '../../core/services/access-control.js';
import type { AuditLog } from '../../core/services/audit-log.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The scope a route requires; every /v1 route MUST declare one (a test walks the route table). */
    scope?: Scope | Scope[] | 'public';
  }
  interface FastifyRequest {
    principal: Principal;
    /** The principal as the author of self-audit events (token, address, user agent). */
    acting: () => ActingParty;
  }
}

export interface AuthOptions {
  /** Wrong secrets one address may send per minute; past that it is locked out for the rest of the minute. */
  maxFailuresPerMinute?: number;
}

/**
 * Bearer-token authentication and scope checks, declared per route with `config: { scope }`. A /v1 route
 * that forgot to declare a scope is refused (fail closed), and the route-table test names it. A viewer token
 * is read-only: it MUST NOT reach any route but GET (so it mints nothing).
 *
 * Guessing: wrong secrets count per client address (an IPv6 address per /64). Past the limit the address is
 * locked out for the rest of the minute: every request needing a token is answered 429 with Retry-After
 * before any token is looked at, so a right guess looks exactly like a wrong one. Only wrong secrets count —
 * not a missing token, a revoked or expired one sent with its right secret, nor a store that cannot be asked
 * (503) — so a platform whose stale viewer tokens keep knocking does not lock itself out. The key is the
 * address, not the token id: ids are not secret (every self-audit event names `token:<id>`), a lock per id
 * would let anyone lock a platform out from anywhere, and secrets of 128 bits and more make guessing one id
 * from many addresses hopeless.
 */
export function installAuth(app: FastifyInstance, log: AuditLog, options: AuthOptions = {}): void {
  const failures = app.createRateLimit({ max: options.maxFailuresPerMinute ?? 30, timeWindow: 60_000 });
  const lockedOut = (reply: FastifyReply, seconds: number) => {
    void reply.header('retry-after', String(seconds));
    return new AuditError(
      'rate_limited',
      `Too many failed authentications from this address; retry in ${seconds} s`,
    );
  };
  app.decorateRequest('principal', null as unknown as Principal);
  app.decorateRequest('acting', function (this: FastifyRequest) {
    return actingToken(this.principal, this.ip, this.headers['user-agent']);
  });
  app.addHook('onRequest', async (request, reply) => {
    const scope = request.routeOptions.config?.scope;
    // No route matched: the not-found handler answers 404.
    if (request.routeOptions.url === undefined) return;
    const isApi = request.url.startsWith('/v1/');
    if (scope === 'public' || (!isApi && scope === undefined)) return;
    if (scope === undefined) throw new AuditError('forbidden', 'This route declares no scope');
    const lock = await failures(request, { increment: false });
    if (!lock.isAllowed && lock.isExceeded) throw lockedOut(reply, lock.ttlInSeconds);
    try {
      request.principal = await log.access.authenticate(bearer(request));
    } catch (error) {
      // The store could not be asked (503): not a failed authentication, so never counted towards a 429.
      if (error instanceof AuditError && error.code === 'store_unavailable') throw error;
      if (error instanceof WrongSecret) {
        const limit = await failures(request);
        if (!limit.isAllowed && limit.isExceeded) throw lockedOut(reply, limit.ttlInSeconds);
      }
      throw error;
    }
    if (request.principal.kind === 'viewer' && request.method !== 'GET' && request.method !== 'HEAD') {
      throw new AuditError('forbidden', 'A viewer token is read-only: it may only read');
    }
    const needed = Array.isArray(scope) ? scope : [scope];
    if (!needed.some((s) => request.principal.scopes.has(s))) {
      throw new AuditError('forbidden', `This token lacks the ${needed.join(' or ')} scope`);
    }
  });
}

function bearer(request: FastifyRequest): string | undefined {
  const h = request.headers.authorization;
  if (!h) return undefined;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(h);
  return m ? m[1] : undefined;
}
