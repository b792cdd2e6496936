import type { AuditOutbox, PendingRecord } from '../../core/ports/audit-outbox.js';
import { prepared, type SqliteDb, translateSqliteError } from './sqlite-connection.js';

/** Migration: the log's own records written with their changes, until appended (core/ports/audit-outbox.ts). */
export const SQLITE_AUDIT_OUTBOX_MIGRATION = {
  version: 24,
  name: 'audit records awaiting their append',
  // Written in the change's transaction, deleted once the log holds the event: a process that dies (or an
  // append that fails) between the two leaves the row for the next drain to append, under the same id.
  sql: `
    CREATE TABLE audit_outbox (
      tenant TEXT NOT NULL,
      event_id TEXT NOT NULL,
      record TEXT NOT NULL,
      created_ms INTEGER NOT NULL,
      PRIMARY KEY (tenant, event_id)
    );
    CREATE INDEX audit_outbox_created ON audit_outbox (created_ms, event_id);
  `,
};

/**
 * Runs `change` and, when `took(result)` says it changed something, writes `pending` in the same transaction
 * (the main thread's connection, where tokens, destinations, policies and holds are written).
 */
export function withPending<T>(
  db: SqliteDb,
  pending: PendingRecord | undefined,
  change: () => T,
  took: (result: T) => boolean = () => true,
): T {
  if (!pending) return change();
  return db.transaction(() => {
    const result = change();
    if (took(result)) insertPending(db, pending);
    return result;
  })();
}

export function insertPending(db: SqliteDb, p: PendingRecord): void {
  prepared(db, 'INSERT INTO audit_outbox (tenant, event_id, record, created_ms) VALUES (?, ?, ?, ?)').run(
    p.tenant,
    p.id,
    JSON.stringify(p.event),
    p.createdMs,
  );
}

export class SqliteAuditOutbox implements AuditOutbox {
  readonly #db: SqliteDb;

  constructor(db: SqliteDb) {
    this.#db = db;
  }

  async pending(limit: number): Promise<PendingRecord[]> {
    try {
      const rows = prepared(
        this.#db,
        'SELECT tenant, event_id, record, created_ms FROM audit_outbox ORDER BY created_ms, event_id LIMIT ?',
      ).all(limit) as { tenant: string; event_id: string; record: string; created_ms: number }[];
      return rows.map((r) => ({
        tenant: r.tenant,
        id: r.event_id,
        event: JSON.parse(r.record) as Record<string, unknown>,
        createdMs: r.created_ms,
      }));
    } catch (error) {
      throw translateSqliteError(error);
    }
  }

  async remove(tenant: string, id: string): Promise<void> {
    try {
      prepared(this.#db, 'DELETE FROM audit_outbox WHERE tenant = ? AND event_id = ?').run(tenant, id);
    } catch (error) {
      throw translateSqliteError(error);
    }
  }
}
