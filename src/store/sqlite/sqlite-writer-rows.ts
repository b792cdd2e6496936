import type { PreparedEvent } from '../../core/domain/entry.js';

/** The rows the SQLite writer inserts, in its statements' column order (sqlite-writer.ts). */
/**
 * The events row of an entry, in the column order of INSERT_EVENT_SQL (also the benchmark's raw ceiling).
 * OR FAIL: with the seq guard's RAISE(FAIL), no statement journal per insert (sqlite-seq-guard-schema.ts).
 */
export const INSERT_EVENT_SQL = `INSERT OR FAIL INTO events (tenant, seq, id, occurred_ms, received_ms, actor_id, actor_username,
  actor_username_f, actor_display_name, action, category, event_type, target_type, target_id, target_id_f,
  target_name_f, ip_key, session_id, body, search, prev_hash, hash)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;

/** The auth_events row, OR FAIL for the same reason. */
export const INSERT_AUTH_SQL = `INSERT OR FAIL INTO auth_events (tenant, seq, id, occurred_ms, received_ms, type, user_id,
  username, username_f, method, reason, session_id, ip_key, body, search, prev_hash, hash)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;

export function eventRowValues(
  tenant: string,
  entry: PreparedEvent,
  seq: number,
  prevHash: string,
  hash: string,
): unknown[] {
  const c = entry.columns;
  return [
    tenant,
    seq,
    entry.id,
    entry.occurredMs,
    entry.receivedMs,
    c.actorId,
    c.actorUsername,
    c.actorUsernameFolded,
    c.actorDisplayName,
    c.action,
    c.category,
    c.eventType,
    c.targetType,
    c.targetId,
    c.targetIdFolded,
    c.targetNameFolded,
    c.ipKey,
    c.sessionId,
    entry.body,
    entry.search.join('\u001f'),
    prevHash,
    hash,
  ];
}
