import type { Scope, TokenRecord } from '../../core/domain/tokens.js';

/** A `tokens` row as both stores keep it (scopes comma-separated). */
export interface TokenRow {
  id: string;
  tenant: string;
  name: string | null;
  scopes: string;
  secret_hash: string;
  created_ms: number;
  revoked_ms: number | null;
  expires_ms: number | null;
  kind: TokenRecord['kind'];
  parent_id: string | null;
}

export const tokenRecord = (r: TokenRow): TokenRecord => ({
  id: r.id,
  tenant: r.tenant,
  name: r.name,
  scopes: r.scopes.split(',').filter(Boolean) as Scope[],
  secretHash: r.secret_hash,
  createdMs: r.created_ms,
  revokedMs: r.revoked_ms,
  expiresMs: r.expires_ms,
  kind: r.kind,
  parentId: r.parent_id,
});

/**
 * The ids a revocation reaches: the token and, recursively, every token it minted (UNION stops at a cycle).
 * `rootId` is the engine's placeholder for the root token's id (`?`, `$2::text`).
 */
export const tokenFamilySql = (rootId: string) => `
  WITH RECURSIVE family(id) AS (
    SELECT ${rootId}
    UNION SELECT tokens.id FROM tokens JOIN family ON tokens.parent_id = family.id
  ) SELECT id FROM family`;
