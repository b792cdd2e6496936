import type { QueryResult, QueryResultRow } from 'pg';
import { AuditError } from '../../core/domain/errors.js';
import type { TokenRecord } from '../../core/domain/tokens.js';
import type { PendingRecord } from '../../core/ports/audit-outbox.js';
import type { TokenRepository } from '../../core/ports/token-repository.js';
import { type TokenRow, tokenFamilySql, tokenRecord } from '../sql/token-row.js';
import { withPending } from './postgres-audit-outbox.js';
import type { PostgresAvailability } from './postgres-availability.js';
import { type PgPool, pgText } from './postgres-connection.js';

/**
 * Tokens in PostgreSQL: every node sees a revocation at its next request (no cache to invalidate). While the
 * database is away every call fails with `store_unavailable` — a token check then answers 503, never 401.
 */
export class PostgresTokenRepository implements TokenRepository {
  readonly #pool: PgPool;
  readonly #availability: PostgresAvailability;

  constructor(pool: PgPool, availability: PostgresAvailability) {
    this.#pool = pool;
    this.#availability = availability;
  }

  async create(t: TokenRecord, pending?: PendingRecord): Promise<void> {
    if (!(await this.#insert(t, pending)))
      throw new AuditError('invalid_request', `A token with id ${t.id} exists`);
  }

  createIfAbsent(t: TokenRecord): Promise<boolean> {
    return this.#insert(t);
  }

  async #insert(t: TokenRecord, pending?: PendingRecord): Promise<boolean> {
    const { text, values } = withPending(
      `INSERT INTO tokens (id, tenant, name, scopes, secret_hash, created_ms, revoked_ms, expires_ms, kind, parent_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (id) DO NOTHING RETURNING id`,
      [
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
      ],
      pending,
    );
    const result = await this.#query(text, values);
    return result.rowCount === 1;
  }

  async find(id: string): Promise<TokenRecord | undefined> {
    const { rows } = await this.#query<TokenRow>('SELECT * FROM tokens WHERE id = $1', [pgText(id)]);
    return rows[0] && tokenRecord(rows[0]);
  }

  async list(tenant?: string): Promise<TokenRecord[]> {
    const { rows } =
      tenant === undefined
        ? await this.#query<TokenRow>('SELECT * FROM tokens ORDER BY created_ms, id')
        : await this.#query<TokenRow>('SELECT * FROM tokens WHERE tenant = $1 ORDER BY created_ms, id', [
            tenant,
          ]);
    return rows.map(tokenRecord);
  }

  async revoke(id: string, atMs: number, pending?: PendingRecord): Promise<boolean> {
    // Only rows not yet revoked: a concurrent UPDATE waits for the first one's row locks, then re-checks
    // `revoked_ms IS NULL` and skips them, so the token's id comes back to one caller only (and its record).
    const { text, values } = withPending(
      `UPDATE tokens SET revoked_ms = $1 WHERE revoked_ms IS NULL AND id IN (${tokenFamilySql('$2::text COLLATE "C"')}) RETURNING id`,
      [atMs, pgText(id)],
      pending,
      'id = $2::text COLLATE "C"',
    );
    const { rows } = await this.#query<{ id: string }>(text, values);
    return rows.some((r) => r.id === id);
  }

  async count(): Promise<number> {
    const { rows } = await this.#query<{ count: number }>('SELECT count(*) AS count FROM tokens');
    return rows[0]!.count;
  }

  #query<R extends QueryResultRow>(text: string, values?: unknown[]): Promise<QueryResult<R>> {
    return this.#availability.run(() => this.#pool.query<R>(text, values));
  }
}
