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
import { withPending } from './sqlite-audit-outbox.js';
import { prepared, type SqliteDb } from './sqlite-connection.js';

/** Destinations on the main thread's connection: few rows, primary-key reads and writes. */
export class SqliteDestinationRepository implements DestinationRepository {
  readonly #db: SqliteDb;

  constructor(db: SqliteDb) {
    this.#db = db;
  }

  async create(d: DestinationRecord, pending?: PendingRecord): Promise<void> {
    withPending(this.#db, pending, () =>
      prepared(
        this.#db,
        `INSERT INTO destinations (${DESTINATION_COLUMNS.join(', ')}) VALUES (${DESTINATION_COLUMNS.map(() => '?').join(', ')})`,
      ).run(...destinationValues(d)),
    );
  }

  async get(tenant: string, id: string): Promise<DestinationRecord | undefined> {
    const row = prepared(this.#db, 'SELECT * FROM destinations WHERE id = ? AND tenant = ?').get(
      id,
      tenant,
    ) as DestinationRow | undefined;
    return row && destinationRecord(row);
  }

  async list(tenant?: string): Promise<DestinationRecord[]> {
    const rows = (
      tenant === undefined
        ? prepared(this.#db, 'SELECT * FROM destinations ORDER BY created_ms, id').all()
        : prepared(this.#db, 'SELECT * FROM destinations WHERE tenant = ? ORDER BY created_ms, id').all(
            tenant,
          )
    ) as DestinationRow[];
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
    const update = () =>
      prepared(
        this.#db,
        `UPDATE destinations SET ${set.map(([c]) => `${c} = ?`).join(', ')}${bump} WHERE id = ? AND tenant = ?`,
      ).run(...set.map(([, v]) => v), id, tenant).changes > 0;
    withPending(this.#db, pending, update, Boolean);
    return this.get(tenant, id);
  }

  async delete(tenant: string, id: string, pending?: PendingRecord): Promise<boolean> {
    const remove = () =>
      prepared(this.#db, 'DELETE FROM destinations WHERE id = ? AND tenant = ?').run(id, tenant).changes > 0;
    return withPending(this.#db, pending, remove, Boolean);
  }

  async recordProgress(
    id: string,
    expect: { owner: string; generation: number },
    progress: DeliveryProgress,
    pausedReason?: string,
    pending?: PendingRecord,
  ): Promise<boolean> {
    const set = progressRecord(progress, pausedReason);
    const update = () =>
      prepared(
        this.#db,
        `UPDATE destinations SET ${set.map(([c]) => `${c} = ?`).join(', ')}
         WHERE id = ? AND lease_owner = ? AND generation = ?${PAUSE_ONLY_ACTIVE(pausedReason)}`,
      ).run(...set.map(([, v]) => v), id, expect.owner, expect.generation).changes > 0;
    return withPending(this.#db, pausedReason === undefined ? undefined : pending, update, Boolean);
  }

  async acquireLease(id: string, owner: string, nowMs: number, ttlMs: number): Promise<boolean> {
    const info = prepared(
      this.#db,
      `UPDATE destinations SET lease_owner = ?, lease_until_ms = ?
         WHERE id = ? AND (lease_owner IS NULL OR lease_owner = ? OR lease_until_ms < ?)`,
    ).run(owner, nowMs + ttlMs, id, owner, nowMs);
    return info.changes > 0;
  }

  async releaseLease(id: string, owner: string): Promise<void> {
    prepared(
      this.#db,
      'UPDATE destinations SET lease_owner = NULL, lease_until_ms = 0 WHERE id = ? AND lease_owner = ?',
    ).run(id, owner);
  }
}
