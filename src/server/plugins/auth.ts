import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AuditLog, Principal } from '../../core/audit-log.js';
import { AuditError } from '../../core/errors.js';
import type { Scope } from '../../store/store.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The scope a route requires; every /v1 route MUST declare one (a test walks the route table). */
    scope?: Scope | Scope[] | 'public';
  }
  interface FastifyRequest {
    principal: Principal;
  }
}

/**
 * Bearer-token authentication and scope checks, declared per route with `config: { scope }`. A /v1 route
 * that forgot to declare a scope is refused (fail closed), and the route-table test names it.
 */
export function installAuth(app: FastifyInstance, log: AuditLog): void {
  app.decorateRequest('principal', null as unknown as Principal);
  app.addHook('onRequest', async (request) => {
    const scope = request.routeOptions.config?.scope;
    const isApi = request.url.startsWith('/v1/');
    if (scope === 'public' || (!isApi && scope === undefined)) return;
    if (scope === undefined) throw new AuditError('forbidden', 'This route declares no scope');
    request.principal = await log.authenticate(bearer(request));
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
