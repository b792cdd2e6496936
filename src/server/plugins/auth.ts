import type { FastifyInstance, FastifyRequest } from 'fastify';
import { type ActingParty, actingToken, type Principal } from '../../core/access-control.js';
import type { AuditLog } from '../../core/audit-log.js';
import { AuditError } from '../../core/errors.js';
import type { Scope } from '../../store/store.js';

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
  /** Failed authentications one address may make per minute before it is answered 429. */
  maxFailuresPerMinute?: number;
}

/**
 * Bearer-token authentication and scope checks, declared per route with `config: { scope }`. A /v1 route
 * that forgot to declare a scope is refused (fail closed), and the route-table test names it. Only failed
 * authentications count towards the per-address limit, so valid traffic is never slowed.
 */
export function installAuth(app: FastifyInstance, log: AuditLog, options: AuthOptions = {}): void {
  const countFailure = app.createRateLimit({ max: options.maxFailuresPerMinute ?? 30, timeWindow: 60_000 });
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
    try {
      request.principal = await log.access.authenticate(bearer(request));
    } catch (error) {
      // The store could not be asked (503): not a failed authentication, so never counted towards a 429.
      if (error instanceof AuditError && error.code === 'store_unavailable') throw error;
      const limit = await countFailure(request);
      if (!limit.isAllowed && limit.isExceeded) {
        void reply.header('retry-after', String(limit.ttlInSeconds));
        throw new AuditError(
          'rate_limited',
          `Too many failed authentications; retry in ${limit.ttlInSeconds} s`,
        );
      }
      throw error;
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
