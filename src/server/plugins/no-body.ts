import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AuditError, type ErrorDetail } from '../../core/domain/errors.js';
import { pointerToken } from '../../core/domain/inspect-json.js';

/**
 * A route that declares no body schema takes no body, and refuses one (400 `invalid_request`) instead of
 * ignoring it: `POST /v1/purges {"dryRun":true}` purged, as the caller believed it would not. An empty JSON
 * object `{}` is no fields, so it passes (the web UI sends it); anything else sent — a field, `null`, an array,
 * a string — is refused. Methods whose body Fastify never reads (GET, HEAD) are refused when they declare
 * one (a length above 0 or a chunked body). A DELETE with a JSON content type and no bytes is no body
 * (json-body.ts).
 */
export function installNoBodyCheck(app: FastifyInstance): void {
  app.addHook('preValidation', async (request) => {
    if (request.routeOptions.url === undefined || request.routeOptions.schema?.body !== undefined) return;
    const error = bodyError(request);
    if (error) throw error;
  });
}

function bodyError(request: FastifyRequest): AuditError | undefined {
  const body = request.body;
  if (body === undefined) return sentUnread(request) ? refusal([]) : undefined;
  if (body !== null && typeof body === 'object' && !Array.isArray(body)) {
    const keys = Object.keys(body);
    if (keys.length === 0) return undefined;
    return refusal(keys.map((k) => ({ path: `/${pointerToken(k)}`, message: 'is not an allowed field' })));
  }
  return refusal([]);
}

/** A body on a method Fastify does not parse one for: the headers say one was sent. */
function sentUnread(request: FastifyRequest): boolean {
  const length = request.headers['content-length'];
  if (length !== undefined && length.trim() !== '0') return true;
  return request.headers['transfer-encoding'] !== undefined;
}

function refusal(fields: ErrorDetail[]): AuditError {
  const details = fields.length ? fields : [{ path: '', message: 'this endpoint takes no body' }];
  return new AuditError('invalid_request', 'body: this endpoint takes no body', details);
}
