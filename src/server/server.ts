import swagger from '@fastify/swagger';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { AuditLog } from '../core/audit-log.js';
import { LIMITS } from '../core/schemas/event-schema.js';
import type { Metrics } from './metrics.js';
import { installAuth } from './plugins/auth.js';
import { installErrorHandler } from './plugins/error-handler.js';
import { defaultWebRoot, registerWebUi, type WebUiOptions } from './plugins/web-ui.js';
import { eventsRoutes } from './routes/events-routes.js';
import { operationsRoutes } from './routes/operations-routes.js';

export interface ServerOptions {
  log: AuditLog;
  metrics: Metrics;
  logger?: FastifyServerOptions['logger'];
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
export async function buildServer(options: ServerOptions): Promise<FastifyInstance> {
  const { log, metrics } = options;
  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: LIMITS.requestBytes,
    requestTimeout: (options.requestTimeoutSeconds ?? 30) * 1000,
    connectionTimeout: 60_000,
    forceCloseConnections: 'idle',
    return503OnClosing: true,
    ajv: { customOptions: { strict: false } },
  });
  app.setValidatorCompiler(() => (value) => ({ value }));
  installErrorHandler(app);
  installAuth(app, log);

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

  await app.register(operationsRoutes, { registry: metrics.registry });
  await app.register(eventsRoutes, { log });
  await registerWebUi(app, { ...options.webUi, root: options.webUi?.root ?? defaultWebRoot() });
  return app;
}
