import type { IncomingMessage, ServerResponse } from 'node:http';
import { v7 as uuidv7 } from 'uuid';
import { clientIpResolver, type TrustProxy } from './client-ip.js';
import { enterContext, type RequestContext } from './context.js';
import type { Actor } from './types.js';

export interface ContextOptions {
  /** Which proxies' X-Forwarded-For to believe (default: none). See TrustProxy. */
  trustProxy?: TrustProxy;
  /** The request id header read (and echoed on the response); default `x-request-id`, then `x-correlation-id`. */
  requestIdHeaders?: string[];
  /** The actor, when the request says who it is (a session cookie…); else set it later with updateContext. */
  actor?: (req: IncomingMessage) => Actor | undefined;
  /** The session id, e.g. from a cookie. */
  sessionId?: (req: IncomingMessage) => string | undefined;
}

/** The context of one HTTP request, as both middlewares build it. */
export function contextBuilder(options: ContextOptions = {}) {
  const clientIp = clientIpResolver(options.trustProxy ?? false);
  const headers = (options.requestIdHeaders ?? ['x-request-id', 'x-correlation-id']).map((h) =>
    h.toLowerCase(),
  );
  return (req: IncomingMessage, res: ServerResponse): RequestContext => {
    const given = headers.map((h) => req.headers[h]).find((v) => typeof v === 'string' && isPrintable(v));
    const requestId = (given as string | undefined) ?? uuidv7();
    if (!res.headersSent) res.setHeader(headers[0] ?? 'x-request-id', requestId);
    const userAgent = req.headers['user-agent'];
    return {
      ip: clientIp(req),
      userAgent: userAgent === undefined ? undefined : userAgent.slice(0, 1024),
      requestId,
      actor: options.actor?.(req),
      sessionId: options.sessionId?.(req),
    };
  };
}

/** A request id from a header is sent as the event's requestId: 1–256 printable characters. */
function isPrintable(value: string): boolean {
  return value.length > 0 && value.length <= 256 && !/[\u0000-\u001f\u007f]/.test(value);
}

/**
 * Express (or Connect) middleware: everything after it runs in the request's audit context. Register it after
 * the body parsers: a parser calls `next` from a stream event, outside the context it was called in.
 */
export function expressAuditContext(options: ContextOptions = {}) {
  const build = contextBuilder(options);
  return (req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void): void => {
    enterContext(build(req, res), () => next());
  };
}

/** The few parts of Fastify this needs, so that the SDK does not depend on it. */
interface FastifyLike {
  addHook(
    name: 'onRequest' | 'preValidation',
    hook: (request: { raw: IncomingMessage }, reply: { raw: ServerResponse }, done: () => void) => void,
  ): unknown;
}

const contexts = new WeakMap<IncomingMessage, RequestContext>();

/**
 * Fastify: the request's hooks and handler run in its audit context. Entered at onRequest, and entered again
 * at preValidation because the body parser resumes the request from a stream event, outside it; one context
 * object, so `updateContext` in any hook is seen by the handler. Call it on the instance (or an encapsulated
 * plugin) whose routes should be covered.
 */
export function fastifyAuditContext(app: FastifyLike, options: ContextOptions = {}): void {
  const build = contextBuilder(options);
  app.addHook('onRequest', (request, reply, done) => {
    const context = build(request.raw, reply.raw);
    contexts.set(request.raw, context);
    enterContext(context, done);
  });
  app.addHook('preValidation', (request, _reply, done) => {
    const context = contexts.get(request.raw);
    if (context === undefined) done();
    else enterContext(context, done);
  });
}
