import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { AuditError } from '../core/domain/errors.js';
import { LIMITS } from '../core/domain/schemas/event-schema.js';
import type { Scope } from '../core/domain/tokens.js';
import type { AuditLog } from '../core/services/audit-log.js';
import type { Metrics } from './metrics.js';
import { installAuth } from './plugins/auth.js';
import { answerFrameworkError, installErrorHandler } from './plugins/error-handler.js';
import { answerClientError, MAX_PATH_PARAM_LENGTH, overlongPathError } from './plugins/url-limits.js';
import { installUrlTextCheck } from './plugins/url-text.js';
import { defaultWebRoot, registerWebUi, type WebUiOptions } from './plugins/web-ui.js';
import { authEventsRoutes } from './routes/auth-events-routes.js';
import { eventsRoutes } from './routes/events-routes.js';
import { exportRoutes } from './routes/export-routes.js';
import { integrityRoutes } from './routes/integrity-routes.js';
import { operationsRoutes } from './routes/operations-routes.js';
import { proofRoutes } from './routes/proof-routes.js';
import { sessionInfoRoutes } from './routes/session-info-routes.js';
import { tokenRoutes } from './routes/token-routes.js';

/** What the route-table test walks: every route and the scope it declares. */
export interface RouteEntry {
  method: string;
  url: string;
  scope: Scope | Scope[] | 'public' | undefined;
}

declare module 'fastify' {
  interface FastifyInstance {
    routeTable: RouteEntry[];
  }
}

export interface ServerOptions {
  log: AuditLog;
  metrics: Metrics;
  logger?: FastifyServerOptions['logger'];
  /** Failed authentications per address and minute before 429 (default 30). */
  maxAuthFailuresPerMinute?: number;
  /**
   * Addresses or CIDR blocks of the reverse proxies in front of the server, whose `X-Forwarded-For` names the
   * client; default none, so the peer is the client. Behind an unnamed proxy every client is one address: one
   * guesser locks everybody out, and self-audit events record the proxy.
   */
  trustProxy?: string[];
  /** Seconds a request may take before the server gives up on it. */
  requestTimeoutSeconds?: number;
  /** The web UI at `/`; default: the package's built web/dist, framed by nobody. */
  webUi?: Partial<WebUiOptions>;
}

/**
 * The HTTP face of the library. Routes translate HTTP to AuditLog calls and back; validation, policy and
 * storage live in the core. Fastify's own body validation is off: the core validates, so every client —
 * HTTP, CLI import, library — gets the same rules and the same error paths. Schemas still document every
 * route in /openapi.json and serialise responses.
 */
/**
 * Graceful shutdown: once close() starts, new requests get 503 `shutting_down`, and every answer (also to
 * requests still in flight) carries `Connection: close`, so keep-alive clients let go and the server can
 * finish instead of serving them forever.
 */
function installShutdownGate(app: FastifyInstance): void {
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onRequest', async () => {
    if (closing)
      throw new AuditError('shutting_down', 'The server is shutting down; retry on another instance');
  });
  app.addHook('onSend', async (_request, reply, payload) => {
    if (closing) void reply.header('connection', 'close');
    return payload;
  });
}

export async function buildServer(options: ServerOptions): Promise<FastifyInstance> {
  const { log, metrics } = options;
  const routes: RouteEntry[] = [];
  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: LIMITS.requestBytes,
    requestTimeout: (options.requestTimeoutSeconds ?? 30) * 1000,
    connectionTimeout: 60_000,
    forceCloseConnections: 'idle',
    return503OnClosing: false,
    // JSON may carry keys named __proto__ or constructor as data; the core never assigns them with
    // obj[key] = …, so they are stored as they came (see core/own-property.ts).
    onProtoPoisoning: 'ignore',
    onConstructorPoisoning: 'ignore',
    ajv: { customOptions: { strict: false } },
    routerOptions: { maxParamLength: MAX_PATH_PARAM_LENGTH },
    trustProxy: options.trustProxy?.length ? options.trustProxy : false,
    clientErrorHandler: answerClientError,
    frameworkErrors: (error, request, reply) =>
      answerFrameworkError(
        error.code === 'FST_ERR_MAX_PARAM_LENGTH' ? overlongPathError(request.url, routes) : error,
        request,
        reply,
      ),
  });
  app.setValidatorCompiler(() => (value) => ({ value }));
  // A body must be JSON: other types are a 415, not text that fails validation.
  app.removeContentTypeParser('text/plain');
  installShutdownGate(app);
  app.decorate('routeTable', routes);
  app.addHook('onRoute', (r) => {
    for (const method of [r.method].flat()) {
      if (method !== 'HEAD') routes.push({ method, url: r.url, scope: r.config?.scope });
    }
  });
  installErrorHandler(app);
  await app.register(rateLimit, { global: false });
  installAuth(app, log, { maxFailuresPerMinute: options.maxAuthFailuresPerMinute });
  installUrlTextCheck(app);

  app.addHook('onResponse', async (request, reply) => {
    metrics.requests
      .labels(request.method, request.routeOptions.url ?? 'unknown', String(reply.statusCode))
      .observe(reply.elapsedTime / 1000);
  });

  await app.register(swagger, {
    openapi: {
      info: {
        title: 'auditlog',
        version: '1',
        description: 'Audit trail: administrative actions and sign-ins',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
  });
  app.get('/openapi.json', { config: { scope: 'public' }, schema: { hide: true } }, async () =>
    app.swagger(),
  );

  await app.register(operationsRoutes, { registry: metrics.registry, store: log.store });
  await app.register(eventsRoutes, { log });
  await app.register(exportRoutes, { log });
  await app.register(authEventsRoutes, { log });
  await app.register(integrityRoutes, { log });
  await app.register(proofRoutes, { log });
  await app.register(sessionInfoRoutes, { log });
  await app.register(tokenRoutes, { log });
  await registerWebUi(app, { ...options.webUi, root: options.webUi?.root ?? defaultWebRoot() });
  return app;
}
