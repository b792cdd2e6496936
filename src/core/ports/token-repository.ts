import type { TokenRecord } from '../domain/tokens.js';
import type { PendingRecord } from './audit-outbox.js';

export interface TokenRepository {
  /** Stores a token (and its pending record, in one transaction); MUST fail with a conflict when the id exists. */
  create(token: TokenRecord, pending?: PendingRecord): Promise<void>;
  /** Stores the token unless one with this id exists; returns whether it was stored. */
  createIfAbsent(token: TokenRecord): Promise<boolean>;
  find(id: string): Promise<TokenRecord | undefined>;
  list(tenant?: string): Promise<TokenRecord[]>;
  /**
   * Marks a token and every token it minted, at any depth, revoked (keeping earlier revocation times).
   * Returns whether this call revoked the token itself: false when there is no such token or it was revoked
   * already, by an earlier call or a concurrent one on another node — of calls racing on one token exactly
   * one gets true, so that one records the revocation: `pending` is written, in the same transaction, then only.
   */
  revoke(id: string, atMs: number, pending?: PendingRecord): Promise<boolean>;
  count(): Promise<number>;
}
