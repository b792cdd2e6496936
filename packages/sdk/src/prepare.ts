import { v7 as uuidv7 } from 'uuid';
import { currentContext } from './context.js';
import { ACTIONS, type AuditEventInput, type AuthEventInput, type RecordInput } from './types.js';

/** The server's limit for one event; a larger one would only ever be dead-lettered. */
const MAX_EVENT_BYTES = 256 * 1024;

export type AuthRecordInput = Omit<AuthEventInput, 'ip'> & { ip?: string };

/**
 * The event as it will be sent: its id and time fixed now (so that every retry is the same event), the gaps
 * filled from the request context. Mistakes the caller can fix are thrown here rather than dead-lettered.
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
  if (prepared.actor?.id === undefined)
    throw new TypeError('record(): no actor — pass `actor` or call it inside a request context that has one');
  if (!(ACTIONS as readonly string[]).includes(prepared.action))
    throw new TypeError(`record(): action must be one of ${ACTIONS.join(', ')}`);
  if (typeof prepared.category !== 'string' || prepared.category === '')
    throw new TypeError('record(): category is required');
  if (!prepared.target?.type || !prepared.target.id)
    throw new TypeError('record(): target.type and target.id are required');
  checkSize(prepared);
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
  if (!prepared.user?.username) throw new TypeError('recordAuth(): user.username is required');
  if (prepared.ip === undefined)
    throw new TypeError('recordAuth(): no ip — pass `ip` or call it inside a request context');
  checkSize(prepared);
  return prepared;
}

function checkSize(event: object): void {
  const bytes = Buffer.byteLength(JSON.stringify(event));
  if (bytes > MAX_EVENT_BYTES)
    throw new RangeError(`the event is ${bytes} bytes; the audit service takes at most ${MAX_EVENT_BYTES}`);
}

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
