import type { FastifyRequest, FastifyServerOptions } from 'fastify';

/**
 * What the server log says of a request: its method and path, never its query string — a keyword search
 * (`q=password=…`), a filter value or a misplaced token may hold what must not reach a log (redaction.md).
 * The path is kept: ids and entity names, no secrets.
 */
export function requestForLog(req: FastifyRequest): Record<string, unknown> {
  const url = req.url ?? '';
  const at = url.indexOf('?');
  return {
    method: req.method,
    url: at === -1 ? url : `${url.slice(0, at)}?…`,
    remoteAddress: req.ip,
  };
}

/**
 * Logger options with `requestForLog` as the request serializer unless the caller gave one: every server,
 * `serve`'s or an embedding application's, logs requests without their query strings. A logger instance
 * passed ready-made is the caller's own.
 */
export function withRequestSerializer(
  logger: FastifyServerOptions['logger'],
): FastifyServerOptions['logger'] {
  if (logger === true) return { serializers: { req: requestForLog } };
  if (!logger || typeof logger !== 'object') return logger;
  if (typeof (logger as { info?: unknown }).info === 'function') return logger;
  const options = logger as { serializers?: Record<string, unknown> };
  return {
    ...logger,
    serializers: { req: requestForLog, ...options.serializers },
  } as FastifyServerOptions['logger'];
}
