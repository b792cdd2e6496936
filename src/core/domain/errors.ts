/**
 * The closed catalogue of errors auditlog can report. Every error that reaches a client or the CLI is an
 * AuditError with a stable `code`; the HTTP layer maps `status`, the CLI maps `exitCode`. A test checks that
 * every code here is documented in docs/api.md.
 */

export interface ErrorDetail {
  /** JSON Pointer into the request (body or query) that is wrong, e.g. `/events/7/action`. */
  path: string;
  message: string;
}

export const ERROR_CODES = {
  invalid_event: { status: 400, message: 'The event is not valid' },
  invalid_query: { status: 400, message: 'The query is not valid' },
  invalid_request: { status: 400, message: 'The request is not valid' },
  unauthorized: { status: 401, message: 'A valid bearer token is required' },
  forbidden: { status: 403, message: 'The token lacks the required scope' },
  not_found: { status: 404, message: 'Not found' },
  method_not_allowed: { status: 405, message: 'The path does not take this method' },
  idempotency_conflict: { status: 409, message: 'An event with this id exists with other content' },
  payload_too_large: { status: 413, message: 'The request or an event is too large' },
  unsupported_media_type: { status: 415, message: 'Send application/json' },
  rate_limited: { status: 429, message: 'Too many requests' },
  chain_broken: { status: 500, message: 'The integrity chain is broken' },
  store_unavailable: { status: 503, message: 'The store is unavailable' },
  shutting_down: { status: 503, message: 'The server is shutting down' },
  internal: { status: 500, message: 'Internal error' },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;

export class AuditError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly details: ErrorDetail[];

  constructor(code: ErrorCode, message?: string, details: ErrorDetail[] = [], options?: { cause?: unknown }) {
    super(message ?? ERROR_CODES[code].message, options);
    this.name = 'AuditError';
    this.code = code;
    this.status = ERROR_CODES[code].status;
    this.details = details;
  }

  toJSON(): { error: { code: ErrorCode; message: string; details: ErrorDetail[] } } {
    return { error: { code: this.code, message: this.message, details: this.details } };
  }
}

export const invalidEvent = (details: ErrorDetail[], message = 'The event is not valid'): AuditError =>
  new AuditError('invalid_event', message, details);

export const invalidQuery = (path: string, message: string): AuditError =>
  new AuditError('invalid_query', `Query parameter ${path.slice(1)}: ${message}`, [{ path, message }]);

export const notFound = (what: string): AuditError => new AuditError('not_found', `${what} not found`);

/**
 * A store reports a conflicting id by its index in the batch; the core turns the index into the path the
 * client sent (`/events/3/id`).
 */
export function idempotencyConflict(index: number, id: string): AuditError {
  return new AuditError(
    'idempotency_conflict',
    `An entry with id ${JSON.stringify(id)} exists with other content`,
    [{ path: `/${index}/id`, message: 'exists with other content' }],
  );
}

export function isAuditError(e: unknown): e is AuditError {
  return e instanceof AuditError;
}
