import { AuditError } from '../domain/errors.js';
import { checkEvents } from '../domain/prepare-event.js';
import type { ActingParty } from './access-control.js';

/** The self-audit hook: the log records its own administration as `security` events. */
export interface SelfAudit {
  /** Throws what `record` would refuse this event with, storing nothing. */
  check(event: Record<string, unknown>): void;
  /** Appends the event (AuditLog.recordSelfAudit). */
  record(tenant: string, event: Record<string, unknown>): Promise<void>;
}

/**
 * Makes an administrative change and records it. The record MUST be checked before the change is made: made
 * first, a change whose record the log refused took effect unrecorded while the caller was told it failed.
 */
export async function audited<T>(
  audit: SelfAudit,
  tenant: string,
  event: Record<string, unknown>,
  change: () => Promise<T>,
): Promise<T> {
  audit.check(event);
  const result = await change();
  await audit.record(tenant, event);
  return result;
}

/**
 * Throws what recording `event` as one of the log's own records would refuse it with, storing nothing. The
 * caller's input is checked first, naming its own fields; this names the record's, for a value that got past.
 */
export function checkSelfAuditEvent(
  event: Record<string, unknown>,
  rules: { now: number; categories: ReadonlySet<string>; allowReserved: boolean },
): void {
  try {
    checkEvents([event], [''], rules);
  } catch (error) {
    if (!(error instanceof AuditError)) throw error;
    // A 400 whatever the record's problem (a 413 too): the change is refused, the caller's body may be none.
    throw new AuditError(
      'invalid_request',
      `This change cannot be recorded, so it was not made: ${error.message}`,
      error.details,
    );
  }
}

/** One of the log's own records: a `security` event of the tenant, by whoever made the change. */
export function securityEvent(
  by: ActingParty,
  action: 'create' | 'update' | 'delete',
  eventType: string,
  target: { type: string; id: string; name?: string },
  values: { oldValue?: unknown; newValue?: unknown },
): Record<string, unknown> {
  return { ...by, action, category: 'security', eventType, target, ...values };
}
