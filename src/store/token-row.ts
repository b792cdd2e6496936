import type { Scope, TokenRecord } from './store.js';

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
});
