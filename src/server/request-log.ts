import type { FastifyRequest } from 'fastify';

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
