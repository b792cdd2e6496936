import Fastify, { type FastifyInstance } from 'fastify';
import {
  type AuditClient,
  fastifyAuditContext,
  SpoolFullError,
  type TrustProxy,
} from '../../../packages/sdk/src/index.js';
import { installAdminRoutes } from './admin-routes.js';
import { seed } from './data.js';
import { installSignIn, sessionCookie } from './sign-in.js';

/** The example contact-center admin: sign-in, the admin API, every change recorded through the SDK. */
export function buildApp(audit: AuditClient, options: { trustProxy?: TrustProxy } = {}): FastifyInstance {
  const app = Fastify();
  const state = seed();
  // Actor and session are added by the sign-in check; the address, user agent and request id come from here.
  fastifyAuditContext(app, { trustProxy: options.trustProxy ?? 'loopback', sessionId: sessionCookie });
  app.setErrorHandler(async (caught, _request, reply) => {
    const error = caught as Error & { statusCode?: number; syscall?: string };
    // The audit record could not be made durable (spool full, disk failing): the change was NOT applied.
    if (error instanceof SpoolFullError || error.syscall !== undefined)
      return reply
        .code(503)
        .send({ error: `not changed: the audit trail cannot record it (${error.message})` });
    return reply.code(error.statusCode ?? 500).send({ error: error.message });
  });
  app.get('/', async (_request, reply) => reply.redirect('/sign-in'));
  const auth = installSignIn(app, state, audit);
  installAdminRoutes(app, state, audit, auth);
  return app;
}
