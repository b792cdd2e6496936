import type { EntryRow } from './rows.js';
import type { Session, StoredAuthEvent } from './schemas/auth-event-schema.js';
import type { SessionRow } from './session-merge.js';
import { formatTimestamp } from './time.js';

/** An authentication event as the API returns it: the stored content plus seq, tenant and receivedAt. */
export function formatAuthEvent(row: EntryRow, options: { withHashes?: boolean } = {}): StoredAuthEvent {
  const b = JSON.parse(row.body) as Omit<StoredAuthEvent, 'seq' | 'tenant' | 'receivedAt'>;
  const event: StoredAuthEvent = {
    id: b.id,
    seq: row.seq,
    tenant: row.tenant,
    type: b.type,
    occurredAt: b.occurredAt,
    receivedAt: formatTimestamp(row.receivedMs),
    user: b.user,
    ip: b.ip,
  };
  for (const k of ['method', 'sessionId', 'reason', 'userAgent'] as const)
    if (b[k] !== undefined) event[k] = b[k];
  if (options.withHashes) {
    event.prevHash = row.prevHash;
    event.hash = row.hash;
  }
  return event;
}

export function formatSession(s: SessionRow): Session {
  const user: Session['user'] = { username: s.username ?? '' };
  if (s.userId !== null) user.id = s.userId;
  if (s.displayName !== null) user.displayName = s.displayName;
  return {
    sessionId: s.sessionId,
    user,
    method: s.method,
    ip: s.ip,
    userAgent: s.userAgent,
    loginAt: s.loginMs === null ? null : formatTimestamp(s.loginMs),
    endedAt: s.endedMs === null ? null : formatTimestamp(s.endedMs),
    endReason: s.endReason,
    durationSeconds:
      s.loginMs !== null && s.endedMs !== null ? Math.max(0, s.endedMs - s.loginMs) / 1000 : null,
    active: s.endedMs === null,
    loginMissing: s.loginMs === null,
  };
}
