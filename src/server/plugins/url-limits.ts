import type { Socket } from 'node:net';
import { AuditError, type ErrorDetail } from '../../core/domain/errors.js';

/**
 * The longest value a route reads from its path, in UTF-16 units (the router's measure, after decoding):
 * target ids and session ids hold up to 256 characters, each up to two units. Every value the API accepts
 * MUST be readable at its path; Fastify's default (100) answered a 128-character event id with a 414.
 */
export const MAX_PATH_PARAM_LENGTH = 2 * 256;

/**
 * The answer to a path with a segment longer than any value the API accepts: 400 `invalid_query` naming
 * the parameter, for the route whose shape the path has (`/v1/events/:id` → `/id`).
 */
export function overlongPathError(url: string, routes: readonly { url: string }[]): AuditError {
  const segments = (url.split('?')[0] ?? '').split('/').map(decodeSegment);
  const message = `is longer than ${MAX_PATH_PARAM_LENGTH} characters, more than any value the API accepts`;
  const details: ErrorDetail[] = [];
  for (const route of routes) {
    const pattern = route.url.split('/');
    if (pattern.length !== segments.length) continue;
    if (pattern.some((p, i) => !p.startsWith(':') && p !== segments[i])) continue;
    pattern.forEach((p, i) => {
      if (p.startsWith(':') && segments[i]!.length > MAX_PATH_PARAM_LENGTH)
        details.push({ path: `/${p.slice(1)}`, message });
    });
    break;
  }
  const named = details.map((d) => d.path.slice(1)).join(', ');
  return new AuditError(
    'invalid_query',
    named ? `Path parameter ${named} ${message}` : `A path segment ${message}`,
    details,
  );
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/**
 * Fastify's `clientErrorHandler`: what Node's HTTP parser refuses before any route runs — a URL and headers
 * over its 16 KiB (431), a request not received in time (408), bytes that are not HTTP (400) — answered
 * with the contract's error body, as Fastify's default does with its own. The connection is then closed.
 */
export function answerClientError(error: NodeJS.ErrnoException, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, reason, e] =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? [
          431,
          'Request Header Fields Too Large',
          new AuditError(
            'invalid_query',
            'The URL and headers are over 16 KiB, longer than any value the API accepts',
          ),
        ]
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'Request Timeout', new AuditError('invalid_request', 'The request was not received in time')]
        : [400, 'Bad Request', new AuditError('invalid_request', 'The request is not valid HTTP')];
  const body = JSON.stringify(e.toJSON());
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${reason}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}
