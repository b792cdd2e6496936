import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AuditError, type ErrorCode } from '../../core/domain/errors.js';

/** Fastify's own errors that are the client's fault, mapped to the catalogue. */
const FASTIFY_CODES: Record<string, { code: ErrorCode; message: string }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: { code: 'payload_too_large', message: 'The request body is larger than 8 MiB' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    code: 'unsupported_media_type',
    message: 'Send Content-Type: application/json',
  },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: {
    code: 'invalid_request',
    message: 'Content-Length does not match the body',
  },
  FST_ERR_CTP_EMPTY_JSON_BODY: { code: 'invalid_request', message: 'The JSON body is empty' },
  FST_ERR_CTP_INVALID_JSON_BODY: { code: 'invalid_request', message: 'The body is not valid JSON' },
};

/** Seconds a client is asked to wait before retrying a 503 (the store reconnects meanwhile, with backoff). */
export const RETRY_AFTER_SECONDS = 1;

/**
 * The one place errors become HTTP answers: `{ error: { code, message, details } }`. Client mistakes are
 * 4xx; anything unexpected is logged and answered 500 without internals. Every 503 carries Retry-After.
 */
export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler(async (error: FastifyError | AuditError, request, reply) => {
    const mapped = toAuditError(error);
    // A store that is away fails every request alike: one line each, not a stack trace each.
    if (mapped.code === 'store_unavailable') request.log.warn(`request failed: ${mapped.message}`);
    else if (mapped.status >= 500) request.log.error({ err: error }, 'request failed');
    // A client still sending an oversized body would see the connection reset instead of the 413:
    // read (and drop) the rest of its body first, within limits.
    if (mapped.code === 'payload_too_large' && !request.raw.complete) await drain(request.raw);
    if (mapped.status === 503) void reply.header('retry-after', String(RETRY_AFTER_SECONDS));
    return reply.code(mapped.status).type('application/json').send(mapped.toJSON());
  });
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? '';
    const allowed = allowedMethods(path, app.routeTable);
    if (allowed.length > 0) {
      const e = new AuditError(
        'method_not_allowed',
        `${path} takes ${allowed.join(', ')}, not ${request.method}`,
      );
      void reply.code(405).header('allow', allowed.join(', ')).send(e.toJSON());
      return;
    }
    const e = new AuditError('not_found', `No route ${request.method} ${path}`);
    void reply.code(404).send(e.toJSON());
  });
}

/**
 * The methods the routes of this path take (HEAD with GET), for a 405 with `Allow`: a known path asked with
 * another method is not "not found". Static-file routes are left out: a wrong method there stays a 404.
 */
export function allowedMethods(path: string, routes: readonly { method: string; url: string }[]): string[] {
  const segments = path.split('/');
  const methods = new Set<string>();
  for (const route of routes) {
    const pattern = route.url.split('/');
    if (route.url.includes('*') || pattern.length !== segments.length) continue;
    if (pattern.every((p, i) => (p.startsWith(':') ? segments[i] !== '' : p === segments[i]))) {
      methods.add(route.method);
      if (route.method === 'GET') methods.add('HEAD');
    }
  }
  return [...methods].sort();
}

/**
 * Fastify's option `frameworkErrors`: errors the router raises before any hook runs (a path whose
 * percent-encoding is not UTF-8, `/v1/events/%FF`) get the same body as every other error.
 */
export function answerFrameworkError(
  error: FastifyError | AuditError,
  _request: FastifyRequest,
  reply: FastifyReply,
): void {
  const mapped = toAuditError(error);
  void reply.code(mapped.status).type('application/json').send(mapped.toJSON());
}

export function toAuditError(error: unknown): AuditError {
  if (error instanceof AuditError) return error;
  const e = error as FastifyError;
  const known = e.code ? FASTIFY_CODES[e.code] : undefined;
  if (known) return new AuditError(known.code, known.message);
  if (e instanceof SyntaxError || e.code === 'FST_ERR_CTP_INVALID_JSON') {
    return new AuditError('invalid_request', 'The body is not valid JSON');
  }
  if (e.validation) {
    return new AuditError(
      'invalid_request',
      'The request is not valid',
      e.validation.map((v) => ({ path: v.instancePath || '/', message: v.message ?? 'is not valid' })),
    );
  }
  if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    if (e.statusCode === 429) return new AuditError('rate_limited', e.message);
    return new AuditError('invalid_request', e.message);
  }
  return new AuditError('internal');
}

const DRAIN_MAX_BYTES = 64 * 1024 * 1024;
const DRAIN_MAX_MS = 10_000;

function drain(stream: NodeJS.ReadableStream & { destroy?: () => void }): Promise<void> {
  return new Promise((resolve) => {
    let bytes = 0;
    const done = () => {
      clearTimeout(timer);
      stream.removeListener('data', onData);
      resolve();
    };
    const onData = (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes > DRAIN_MAX_BYTES) done();
    };
    const timer = setTimeout(done, DRAIN_MAX_MS);
    stream.on('data', onData);
    stream.once('end', done);
    stream.once('error', done);
    stream.resume();
  });
}
