import { AuditError } from '../domain/errors.js';
import { newId } from '../domain/ids.js';
import { checkEvents } from '../domain/prepare-event.js';
import { formatTimestamp } from '../domain/time.js';
import type { PendingRecord } from '../ports/audit-outbox.js';
import type { ActingParty } from './access-control.js';
import type { AuditOutboxDrain } from './audit-outbox.js';

/** The self-audit hook: the log records its own administration as `security` events. */
export interface SelfAudit {
  /** Appends the event (AuditLog.recordSelfAudit): for what changes nothing stored (an export, a purge's own). */
  record(tenant: string, event: Record<string, unknown>): Promise<void>;
  /**
   * The record of a change about to be made, checked (throws what `record` would refuse it with), with its
   * own id and the time of the change: the repository writes it in the change's transaction.
   */
  pending(tenant: string, event: Record<string, unknown>): PendingRecord;
  /**
   * After the change committed: appends the pending records (its own among them) and removes them from the
   * outbox. Never throws: the change is made, and a record whose append failed stays pending, appended by
   * the next drain (audit-outbox.ts).
   */
  settle(): Promise<void>;
}

/**
 * Makes an administrative change and records it. The record MUST be checked before the change is made: made
 * first, a change whose record the log refused took effect unrecorded while the caller was told it failed.
 * `change` writes the pending record in its own transaction (a conditional change, only when it changed
 * something), so that no crash nor failed append between the two leaves the change unrecorded.
 */
export async function audited<T>(
  audit: SelfAudit,
  tenant: string,
  event: Record<string, unknown>,
  change: (pending: PendingRecord) => Promise<T>,
): Promise<T> {
  const result = await change(audit.pending(tenant, event));
  await audit.settle();
  return result;
}

/** `event` as a pending record: its id and occurredAt (unless given) fixed now, so that a replay is a duplicate. */
export function pendingRecord(tenant: string, event: Record<string, unknown>, nowMs: number): PendingRecord {
  const id = newId();
  const occurredAt = event.occurredAt ?? formatTimestamp(nowMs);
  return { tenant, id, event: { ...event, id, occurredAt }, createdMs: nowMs };
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

type SelfAuditRules = Parameters<typeof checkSelfAuditEvent>[1];

/** The hooks an AuditLog gives its services: records checked by its rules, appended through its outbox. */
export function selfAuditHooks(
  rules: () => SelfAuditRules,
  record: SelfAudit['record'],
  outbox: AuditOutboxDrain,
): SelfAudit {
  return {
    record,
    pending: (tenant, event) => {
      const r = rules();
      const pending = pendingRecord(tenant, event, r.now);
      checkSelfAuditEvent(pending.event, r);
      return pending;
    },
    settle: () =>
      outbox.drain().then(
        () => {},
        (error) => outbox.report(error),
      ),
  };
}
