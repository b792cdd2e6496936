import { v7 as uuidv7 } from 'uuid';
import type { ErrorDetail } from '../../../src/core/domain/errors.js';
import { withProblems } from '../../../src/core/domain/inspect-json.js';
import { currentContext } from './context.js';
import { authEventProblems, type EventProblems, eventProblems } from './rules/check-event.js';
import type { AuditEventInput, AuthEventInput, RecordInput } from './types.js';
import { wire } from './wire.js';

export type AuthRecordInput = Omit<AuthEventInput, 'ip'> & { ip?: string };

/** An event the service would refuse for good; `details` are its problems, as the service would name them. */
export class InvalidEventError extends TypeError {
  readonly code = 'invalid_event';
  constructor(
    message: string,
    readonly details: ErrorDetail[],
  ) {
    super(message);
  }
}

/** An event or one of its values over the service's size limits (the service would answer 413). */
export class EventTooLargeError extends RangeError {
  readonly code = 'payload_too_large';
  constructor(
    message: string,
    readonly details: ErrorDetail[],
  ) {
    super(message);
  }
}

/**
 * The event as it will be sent: its id and time fixed now (so that every retry is the same event), the gaps
 * filled from the request context. An event the service would refuse is thrown here rather than dead-lettered.
 */
export function prepareEvent(event: RecordInput): AuditEventInput {
  const ctx = currentContext() ?? {};
  const prepared = withoutUndefined({
    ...event,
    id: event.id ?? uuidv7(),
    occurredAt: event.occurredAt ?? new Date().toISOString(),
    actor: event.actor ?? ctx.actor,
    ip: event.ip ?? ctx.ip,
    userAgent: event.userAgent ?? ctx.userAgent,
    sessionId: event.sessionId ?? ctx.sessionId,
    requestId: event.requestId ?? ctx.requestId,
  }) as AuditEventInput;
  if (prepared.actor === undefined)
    throw new InvalidEventError(
      'record(): no actor — pass `actor` or call it inside a request context that has one',
      [{ path: '/actor', message: 'is required' }],
    );
  refuse('record()', problemsOf(prepared, eventProblems));
  return prepared;
}

export function prepareAuthEvent(event: AuthRecordInput): AuthEventInput {
  const ctx = currentContext() ?? {};
  const prepared = withoutUndefined({
    ...event,
    id: event.id ?? uuidv7(),
    occurredAt: event.occurredAt ?? new Date().toISOString(),
    ip: event.ip ?? ctx.ip,
    userAgent: event.userAgent ?? ctx.userAgent,
    sessionId: event.sessionId ?? ctx.sessionId,
  }) as AuthEventInput;
  if (prepared.ip === undefined)
    throw new InvalidEventError('recordAuth(): no ip — pass `ip` or call it inside a request context', [
      { path: '/ip', message: 'is required' },
    ]);
  refuse('recordAuth()', problemsOf(prepared, authEventProblems));
  return prepared;
}

/** Throws for the problems the service would refuse the event for, each named by its field. */
function refuse(caller: string, problems: EventProblems): void {
  const list = (details: ErrorDetail[]) =>
    details
      .slice(0, 5)
      .map((d) => `${d.path.slice(1) || 'the event'} ${d.message}`)
      .join('; ');
  const never = 'the audit service would refuse it; the event was NOT recorded';
  if (problems.tooLarge.length > 0)
    throw new EventTooLargeError(`${caller}: ${list(problems.tooLarge)} — ${never}`, problems.tooLarge);
  if (problems.invalid.length > 0)
    throw new InvalidEventError(`${caller}: ${list(problems.invalid)} — ${never}`, problems.invalid);
}

/** The service's checks on the event as it will read it, and the numbers JSON would have changed. */
function problemsOf(event: object, check: (item: Record<string, unknown>) => EventProblems): EventProblems {
  const { value, problems } = wire(event);
  const found = check(value);
  // What was sent names a path better than the null JSON made of it (`/target/id must be string`).
  return { tooLarge: found.tooLarge, invalid: withProblems(problems, found.invalid) };
}

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
