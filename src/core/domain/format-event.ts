import type { EntryRow } from './rows.js';
import type { StoredEvent } from './schemas/event-schema.js';
import { storedBodyText } from './stored-body.js';
import { formatTimestamp } from './time.js';

/** An administrative event as the API returns it: the stored content plus seq, tenant and receivedAt. */
export function formatEvent(row: EntryRow): StoredEvent {
  const b = JSON.parse(storedBodyText(row.body)) as Omit<StoredEvent, 'seq' | 'tenant' | 'receivedAt'>;
  const event: StoredEvent = {
    id: b.id,
    seq: row.seq,
    tenant: row.tenant,
    occurredAt: b.occurredAt,
    receivedAt: formatTimestamp(row.receivedMs),
    actor: b.actor,
    action: b.action,
    eventType: b.eventType,
    category: b.category,
    target: b.target,
    oldValue: b.oldValue,
    newValue: b.newValue,
    changes: b.changes,
  };
  for (const k of ['ip', 'userAgent', 'sessionId', 'requestId', 'reason', 'metadata'] as const) {
    if (b[k] !== undefined) (event as Record<string, unknown>)[k] = b[k];
  }
  return event;
}
