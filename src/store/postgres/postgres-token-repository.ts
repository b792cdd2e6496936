import { AuditError } from '../../core/errors.js';
import type { Scope, TokenRecord, TokenRepository } from '../store.js';
import { type PgPool, pgText } from './postgres-connection.js';

interface TokenRow {
  id: string;
  tenant: string;
  name: string | null;
  scopes: string;
  secret_hash: string;
  created_ms: number;
  revoked_ms: number | null;
  expires_ms: number | null;
  kind: TokenRecord['kind'];
}

const toRecord = (r: TokenRow): TokenRecord => ({
  id: r.id,
  tenant: r.tenant,
  name: r.name,
  scopes: r.scopes.split(',').filter(Boolean) as Scope[],
  secretHash: r.secret_hash,
  createdMs: r.created_ms,
  revokedMs: r.revoked_ms,
  expiresMs: r.expires_ms,
  kind: r.kind,
});

/** Tokens in PostgreSQL: every node sees a revocation at its next request (no cache to invalidate). */
export class PostgresTokenRepository implements TokenRepository {
  readonly #pool: PgPool;

  constructor(pool: PgPool) {
    this.#pool = pool;
  }

  async create(t: TokenRecord): Promise<void> {
    if (!(await this.createIfAbsent(t)))
      throw new AuditError('invalid_request', `A token with id ${t.id} exists`);
  }

  async createIfAbsent(t: TokenRecord): Promise<boolean> {
    const result = await this.#pool.query(
      `INSERT INTO tokens (id, tenant, name, scopes, secret_hash, created_ms, revoked_ms, expires_ms, kind)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (id) DO NOTHING`,
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
      ],
    );
    return result.rowCount === 1;
  }

  async find(id: string): Promise<TokenRecord | undefined> {
    const { rows } = await this.#pool.query<TokenRow>('SELECT * FROM tokens WHERE id = $1', [pgText(id)]);
    return rows[0] && toRecord(rows[0]);
  }

  async list(tenant?: string): Promise<TokenRecord[]> {
    const { rows } =
      tenant === undefined
        ? await this.#pool.query<TokenRow>('SELECT * FROM tokens ORDER BY created_ms, id')
        : await this.#pool.query<TokenRow>('SELECT * FROM tokens WHERE tenant = $1 ORDER BY created_ms, id', [
            tenant,
          ]);
    return rows.map(toRecord);
  }

  async revoke(id: string, atMs: number): Promise<boolean> {
    const result = await this.#pool.query(
      'UPDATE tokens SET revoked_ms = coalesce(revoked_ms, $1) WHERE id = $2',
      [atMs, id],
    );
    return result.rowCount === 1;
  }

  async count(): Promise<number> {
    const { rows } = await this.#pool.query<{ count: number }>('SELECT count(*) AS count FROM tokens');
    return rows[0]!.count;
  }
}
