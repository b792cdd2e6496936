/**
 * One of the log's own records (a `security` event about its administration), written in the transaction of
 * the change it records — `audit_outbox` — and removed once the log holds it. A change thus never stands
 * without its record, even when the process dies or the append fails right after the change committed.
 */
export interface PendingRecord {
  tenant: string;
  /** The event's id (also in `event`): appended again, the event is a duplicate, not a second entry. */
  id: string;
  /** The event as recorded, with its id and occurredAt (the time of the change). */
  event: Record<string, unknown>;
  createdMs: number;
}

/**
 * The records whose append is still to be done. A repository method that makes an administrative change
 * takes its PendingRecord and writes it in the same transaction, only when the change took effect (a
 * conditional change that changed nothing writes none).
 */
export interface AuditOutbox {
  /** Pending records of every tenant, oldest first (createdMs, id); at most `limit`. */
  pending(limit: number): Promise<PendingRecord[]>;
  /** Removes a record the log holds now; removing one that is gone is no error (another node's drain). */
  remove(tenant: string, id: string): Promise<void>;
}
