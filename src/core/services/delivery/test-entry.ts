import type { OutgoingEntry } from '../../domain/destination-payload.js';
import { newId } from '../../domain/ids.js';
import { formatTimestamp } from '../../domain/time.js';

/** The made-up entry a test send delivers: an administrative event that names itself a test. */
export function testEntry(tenant: string, nowMs: number): OutgoingEntry {
  const id = newId();
  const at = formatTimestamp(nowMs);
  return {
    id,
    seq: 0,
    stream: 'event',
    receivedMs: nowMs,
    facts: { stream: 'event', category: 'security', eventType: 'auditlog.destination_test' },
    event: {
      id,
      seq: 0,
      tenant,
      occurredAt: at,
      receivedAt: at,
      actor: { id: 'auditlog:delivery', username: 'auditlog delivery', type: 'system' },
      action: 'create',
      eventType: 'auditlog.destination_test',
      category: 'security',
      target: { type: 'Destination', id: 'test' },
      oldValue: null,
      newValue: { test: true },
      changes: [],
    } as OutgoingEntry['event'],
  };
}
