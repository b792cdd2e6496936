import type { QueryResult, QueryResultRow } from 'pg';
import type { AuditOutbox, PendingRecord } from '../../core/ports/audit-outbox.js';
import type { PostgresAvailability } from './postgres-availability.js';
import { type PgPool, pgText } from './postgres-connection.js';

/** Migration: the log's own records written with their changes, until appended (core/ports/audit-outbox.ts). */
export const POSTGRES_AUDIT_OUTBOX_MIGRATION = {
  version: 20,
  name: 'audit records awaiting their append',
  // The twin of SQLite migration 24. The record is text, as written: jsonb would refuse nothing more, but
  // text keeps the bytes that were checked.
  sql: `
    CREATE TABLE audit_outbox (
      tenant text COLLATE "C" NOT NULL,
      event_id text COLLATE "C" NOT NULL,
      record text NOT NULL,
      created_ms bigint NOT NULL,
      PRIMARY KEY (tenant, event_id)
    );
    CREATE INDEX audit_outbox_created ON audit_outbox (created_ms, event_id);
  `,
};

/**
 * `text` (a statement with RETURNING) and, when `pending` is given, its record written by the same statement
 * — a data-modifying WITH, atomic like any one statement — when the change returned a row (matching `took`).
 * The answer's rows are the change's.
 */
export function withPending(
  text: string,
  values: unknown[],
  pending: PendingRecord | undefined,
  took = 'TRUE',
): { text: string; values: unknown[] } {
  if (!pending) return { text, values };
  const n = values.length;
  return {
    text: `WITH change AS (${text}),
      pending AS (INSERT INTO audit_outbox (tenant, event_id, record, created_ms)
        SELECT $${n + 1}, $${n + 2}, $${n + 3}, $${n + 4} WHERE EXISTS (SELECT 1 FROM change WHERE ${took}))
      SELECT * FROM change`,
    values: [...values, ...pendingValues(pending)],
  };
}

export const INSERT_PENDING_SQL =
  'INSERT INTO audit_outbox (tenant, event_id, record, created_ms) VALUES ($1, $2, $3, $4)';

export function pendingValues(p: PendingRecord): unknown[] {
  return [pgText(p.tenant), pgText(p.id), JSON.stringify(p.event), p.createdMs];
}

export class PostgresAuditOutbox implements AuditOutbox {
  readonly #pool: PgPool;
  readonly #availability: PostgresAvailability;

  constructor(pool: PgPool, availability: PostgresAvailability) {
    this.#pool = pool;
    this.#availability = availability;
  }

  async pending(limit: number): Promise<PendingRecord[]> {
    const { rows } = await this.#query<{
      tenant: string;
      event_id: string;
      record: string;
      created_ms: string;
    }>(
      'SELECT tenant, event_id, record, created_ms FROM audit_outbox ORDER BY created_ms, event_id LIMIT $1',
      [limit],
    );
    return rows.map((r) => ({
      tenant: r.tenant,
      id: r.event_id,
      event: JSON.parse(r.record) as Record<string, unknown>,
      createdMs: Number(r.created_ms),
    }));
  }

  async remove(tenant: string, id: string): Promise<void> {
    await this.#query('DELETE FROM audit_outbox WHERE tenant = $1 AND event_id = $2', [
      pgText(tenant),
      pgText(id),
    ]);
  }

  #query<R extends QueryResultRow>(text: string, values?: unknown[]): Promise<QueryResult<R>> {
    return this.#availability.run(() => this.#pool.query<R>(text, values));
  }
}
