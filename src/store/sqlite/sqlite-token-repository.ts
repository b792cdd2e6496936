import { AuditError } from '../../core/domain/errors.js';
import type { TokenRecord } from '../../core/domain/tokens.js';
import type { PendingRecord } from '../../core/ports/audit-outbox.js';
import type { TokenRepository } from '../../core/ports/token-repository.js';
import { type TokenRow, tokenFamilySql, tokenRecord } from '../sql/token-row.js';
import { withPending } from './sqlite-audit-outbox.js';
import { prepared, type SqliteDb } from './sqlite-connection.js';

export class SqliteTokenRepository implements TokenRepository {
  readonly #db: SqliteDb;

  constructor(db: SqliteDb) {
    this.#db = db;
  }

  async create(t: TokenRecord, pending?: PendingRecord): Promise<void> {
    if (!withPending(this.#db, pending, () => this.#insert(t), Boolean))
      throw new AuditError('invalid_request', `A token with id ${t.id} exists`);
  }

  async createIfAbsent(t: TokenRecord): Promise<boolean> {
    return this.#insert(t);
  }

  #insert(t: TokenRecord): boolean {
    const info = prepared(
      this.#db,
      `INSERT INTO tokens (id, tenant, name, scopes, secret_hash, created_ms, revoked_ms, expires_ms, kind, parent_id)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
    ).run(
      t.id,
      t.tenant,
      t.name,
      t.scopes.join(','),
      t.secretHash,
      t.createdMs,
      t.revokedMs,
      t.expiresMs,
      t.kind,
      t.parentId,
    );
    return info.changes === 1;
  }

  async find(id: string): Promise<TokenRecord | undefined> {
    const row = prepared(this.#db, 'SELECT * FROM tokens WHERE id = ?').get(id) as TokenRow | undefined;
    return row && tokenRecord(row);
  }

  async list(tenant?: string): Promise<TokenRecord[]> {
    const rows = (
      tenant === undefined
        ? prepared(this.#db, 'SELECT * FROM tokens ORDER BY created_ms, id').all()
        : prepared(this.#db, 'SELECT * FROM tokens WHERE tenant = ? ORDER BY created_ms, id').all(tenant)
    ) as TokenRow[];
    return rows.map(tokenRecord);
  }

  async revoke(id: string, atMs: number, pending?: PendingRecord): Promise<boolean> {
    const revoke = () =>
      (
        prepared(
          this.#db,
          `UPDATE tokens SET revoked_ms = ? WHERE revoked_ms IS NULL AND id IN (${tokenFamilySql('?')}) RETURNING id`,
        )
          .pluck()
          .all(atMs, id) as string[]
      ).includes(id);
    return withPending(this.#db, pending, revoke, Boolean);
  }

  async count(): Promise<number> {
    return prepared(this.#db, 'SELECT count(*) FROM tokens').pluck().get() as number;
  }
}
