import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import Fastify, { type FastifyInstance, type FastifyRequest, type FastifyServerOptions } from 'fastify';
import { Type } from 'typebox';
import { AuditError } from '../core/domain/errors.js';
import { QUERY } from '../core/domain/schemas/common-schemas.js';
import { LIMITS } from '../core/domain/schemas/event-schema.js';
import type { Scope } from '../core/domain/tokens.js';
import type { AuditLog } from '../core/services/audit-log.js';
import { type Metrics, watchDelivery } from './metrics.js';
import { documentDeployment, documentRoute, namedComponents } from './openapi-document.js';
import { installAuth } from './plugins/auth.js';
import { answerFrameworkError, installErrorHandler } from './plugins/error-handler.js';
import { installJsonBody } from './plugins/json-body.js';
import { installLargeBodyCheck } from './plugins/large-bodies.js';
import { installNoBodyCheck } from './plugins/no-body.js';
import { installRequestValidation } from './plugins/request-validation.js';
import { answerClientError, MAX_PATH_PARAM_LENGTH, overlongPathError } from './plugins/url-limits.js';
import { installUrlTextCheck } from './plugins/url-text.js';
import { defaultWebRoot, registerWebUi, type WebUiOptions } from './plugins/web-ui.js';
import { withRequestSerializer } from './request-log.js';
import { authEventsRoutes } from './routes/auth-events-routes.js';
import { destinationRoutes } from './routes/destination-routes.js';
import { erasureRoutes } from './routes/erasure-routes.js';
import { eventsRoutes } from './routes/events-routes.js';
import { exportRoutes } from './routes/export-routes.js';
import { integrityRoutes } from './routes/integrity-routes.js';
import { lifecycleRoutes } from './routes/lifecycle-routes.js';
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
 * Graceful shutdown: once close() starts, new requests get 503 `shutting_down`, and every answer (also to
 * requests still in flight) carries `Connection: close`, so keep-alive clients let go and the server can
 * finish instead of serving them forever. Once no request is in flight, every connection left is closed:
 * Node's closeIdleConnections (Fastify's `forceCloseConnections: 'idle'`) leaves some that carry no request
 * open (one a client opened and never used, measured in the UI tests), and close() then waited for serve's
 * 10 s cut-off.
 */
function installShutdownGate(app: FastifyInstance): void {
  let closing = false;
  // Counted by request, not by hook calls: were a hook ever registered before this one to refuse a request,
  // this onRequest would not run for it while onResponse still would, and a plain counter would reach zero early.
  const inFlight = new Set<FastifyRequest>();
  const closeWhenIdle = () => {
    if (closing && inFlight.size === 0) app.server.closeAllConnections();
  };
  app.addHook('preClose', async () => {
    closing = true;
    setImmediate(closeWhenIdle); // after close() stopped listening
  });
  app.addHook('onRequest', async (request) => {
    inFlight.add(request);
    if (closing)
      throw new AuditError('shutting_down', 'The server is shutting down; retry on another instance');
  });
  const done = (request: FastifyRequest) => {
    if (inFlight.delete(request)) closeWhenIdle();
  };
  app.addHook('onResponse', async (request) => done(request));
  app.addHook('onRequestAbort', async (request) => done(request));
  app.addHook('onSend', async (_request, reply, payload) => {
    if (closing) void reply.header('connection', 'close');
    return payload;
  });
}

/**
 * The HTTP face of the library. Routes translate HTTP to AuditLog calls and back; policy and storage live in
 * the core. Each route's TypeBox schemas are the one description of it: they validate its parameters and the
 * bodies the core does not check itself (plugins/request-validation.ts says which and why), produce
 * /openapi.json and serialise its answers.
 *
 * A route file (routes/*.ts) is a Fastify plugin `async (app, { log }) => { app.get(url, { config: { scope },
 * schema: { operationId, summary, tags, querystring|params|body, response } }, handler) }`, registered below
 * with one line; docs/architecture.md walks through one.
 */
const NO_QUERY = Type.Object({}, QUERY);

export async function buildServer(options: ServerOptions): Promise<FastifyInstance> {
  const { log, metrics } = options;
  const routes: RouteEntry[] = [];
  const app = Fastify({
    logger: withRequestSerializer(options.logger ?? false),
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
  installShutdownGate(app); // first: its onRequest sees every request
  installRequestValidation(app);
  installNoBodyCheck(app);
  installLargeBodyCheck(app);
  // A body must be JSON: other types are a 415, not text that fails validation.
  app.removeContentTypeParser('text/plain');
  installJsonBody(app);
  app.decorate('routeTable', routes);
  app.addHook('onRoute', (r) => {
    // A /v1 route that takes no query parameters refuses any, like the others refuse unknown ones.
    if (r.url.startsWith('/v1/') && !r.schema?.querystring) r.schema = { ...r.schema, querystring: NO_QUERY };
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
        description:
          'Audit trail: administrative actions and sign-ins. The contract in prose is docs/api.md. A known path ' +
          'asked with a method it does not take answers 405 `method_not_allowed` with `Allow`.',
        license: { name: 'MIT', url: 'https://opensource.org/licenses/MIT' },
      },
      servers: [{ url: '/', description: 'this server' }],
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
    transform: documentRoute,
    transformObject: documentDeployment(log.catalog),
    refResolver: namedComponents,
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
  await app.register(destinationRoutes, { log });
  watchDelivery(metrics, log);
  await app.register(lifecycleRoutes, { log });
  await app.register(erasureRoutes, { log });
  await registerWebUi(app, { ...options.webUi, root: options.webUi?.root ?? defaultWebRoot() });
  return app;
}
