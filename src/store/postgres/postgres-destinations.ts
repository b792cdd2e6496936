import type { QueryResult, QueryResultRow } from 'pg';
import type { DeliveryProgress, DestinationRecord } from '../../core/domain/destination.js';
import type { PendingRecord } from '../../core/ports/audit-outbox.js';
import type { DestinationPatch, DestinationRepository } from '../../core/ports/destination-repository.js';
import {
  DESTINATION_COLUMNS,
  type DestinationRow,
  destinationRecord,
  destinationValues,
  PAUSE_ONLY_ACTIVE,
  patchAssignments,
  progressRecord,
} from '../sql/destination-row.js';
import { withPending } from './postgres-audit-outbox.js';
import type { PostgresAvailability } from './postgres-availability.js';
import { type PgPool, pgText } from './postgres-connection.js';

/**
 * Destinations in PostgreSQL, shared by every node. The lease is a row update that succeeds for one node at a
 * time (the row lock serialises competing updates), so exactly one node delivers for a destination.
 */
export class PostgresDestinationRepository implements DestinationRepository {
  readonly #pool: PgPool;
  readonly #availability: PostgresAvailability;

  constructor(pool: PgPool, availability: PostgresAvailability) {
    this.#pool = pool;
    this.#availability = availability;
  }

  async create(d: DestinationRecord, pending?: PendingRecord): Promise<void> {
    const { text, values } = withPending(
      `INSERT INTO destinations (${DESTINATION_COLUMNS.join(', ')}) VALUES (${DESTINATION_COLUMNS.map((_, i) => `$${i + 1}`).join(', ')}) RETURNING id`,
      destinationValues(d).map((v) => (typeof v === 'string' ? pgText(v) : v)),
      pending,
    );
    await this.#query(text, values);
  }

  async get(tenant: string, id: string): Promise<DestinationRecord | undefined> {
    const { rows } = await this.#query<DestinationRow>(
      'SELECT * FROM destinations WHERE id = $1 AND tenant = $2',
      [pgText(id), pgText(tenant)],
    );
    return rows[0] && destinationRecord(rows[0]);
  }

  async list(tenant?: string): Promise<DestinationRecord[]> {
    const { rows } =
      tenant === undefined
        ? await this.#query<DestinationRow>('SELECT * FROM destinations ORDER BY created_ms, id')
        : await this.#query<DestinationRow>(
            'SELECT * FROM destinations WHERE tenant = $1 ORDER BY created_ms, id',
            [pgText(tenant)],
          );
    return rows.map(destinationRecord);
  }

  async update(
    tenant: string,
    id: string,
    patch: DestinationPatch,
    pending?: PendingRecord,
  ): Promise<DestinationRecord | undefined> {
    const set = patchAssignments(patch);
    const bump = patch.progress ? ', generation = generation + 1' : '';
    const n = set.length;
    const { text, values } = withPending(
      `UPDATE destinations SET ${set.map(([c], i) => `${c} = $${i + 1}`).join(', ')}${bump}
         WHERE id = $${n + 1} AND tenant = $${n + 2} RETURNING *`,
      [...set.map(([, v]) => (typeof v === 'string' ? pgText(v) : v)), pgText(id), pgText(tenant)],
      pending,
    );
    const { rows } = await this.#query<DestinationRow>(text, values);
    return rows[0] && destinationRecord(rows[0]);
  }

  async delete(tenant: string, id: string, pending?: PendingRecord): Promise<boolean> {
    const { text, values } = withPending(
      'DELETE FROM destinations WHERE id = $1 AND tenant = $2 RETURNING id',
      [pgText(id), pgText(tenant)],
      pending,
    );
    const result = await this.#query(text, values);
    return (result.rowCount ?? 0) > 0;
  }

  async recordProgress(
    id: string,
    expect: { owner: string; generation: number },
    progress: DeliveryProgress,
    pausedReason?: string,
    pending?: PendingRecord,
  ): Promise<boolean> {
    const set = progressRecord(progress, pausedReason);
    const n = set.length;
    const { text, values } = withPending(
      `UPDATE destinations SET ${set.map(([c], i) => `${c} = $${i + 1}`).join(', ')}
         WHERE id = $${n + 1} AND lease_owner = $${n + 2} AND generation = $${n + 3}${PAUSE_ONLY_ACTIVE(pausedReason)}
         RETURNING id`,
      [
        ...set.map(([, v]) => (typeof v === 'string' ? pgText(v) : v)),
        pgText(id),
        pgText(expect.owner),
        expect.generation,
      ],
      pausedReason === undefined ? undefined : pending,
    );
    const result = await this.#query(text, values);
    return (result.rowCount ?? 0) > 0;
  }

  async acquireLease(id: string, owner: string, nowMs: number, ttlMs: number): Promise<boolean> {
    const result = await this.#query(
      `UPDATE destinations SET lease_owner = $1, lease_until_ms = $2
         WHERE id = $3 AND (lease_owner IS NULL OR lease_owner = $1 OR lease_until_ms < $4)`,
      [pgText(owner), nowMs + ttlMs, pgText(id), nowMs],
    );
    return (result.rowCount ?? 0) > 0;
  }

  async releaseLease(id: string, owner: string): Promise<void> {
    await this.#query(
      'UPDATE destinations SET lease_owner = NULL, lease_until_ms = 0 WHERE id = $1 AND lease_owner = $2',
      [pgText(id), pgText(owner)],
    );
  }

  #query<R extends QueryResultRow>(text: string, values?: unknown[]): Promise<QueryResult<R>> {
    return this.#availability.run(() => this.#pool.query<R>(text, values));
  }
}
