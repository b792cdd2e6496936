import type { ChainHead } from '../../core/domain/hash-chain.js';
import type { ChainLink, ChainRow } from '../../core/domain/rows.js';
import type { SignedCheckpoint } from '../../core/domain/signing.js';
import {
  asLinks,
  CHAIN_COLUMNS,
  LINK_COLUMNS,
  mergeChainRows,
  type RawChainRow,
} from '../sql/chain-merge.js';
import { TENANTS_SQL } from '../sql/tenants-sql.js';
import { type RawTombstone, TOMBSTONE_COLUMNS, withTombstones } from '../sql/tombstones.js';
import { prepared, type SqliteDb } from './sqlite-connection.js';

const CHECKPOINT_COLUMNS = 'tenant, seq, hash, signed_at AS signedAt, key_id AS keyId, signature';

export function tenants(db: SqliteDb): string[] {
  return prepared(db, TENANTS_SQL).pluck().all() as string[];
}

export function chainHead(db: SqliteDb, tenant: string): ChainHead | undefined {
  return prepared(db, 'SELECT seq, hash FROM chain_heads WHERE tenant = ?').get(tenant) as
    | ChainHead
    | undefined;
}

export function entryHashAt(db: SqliteDb, tenant: string, seq: number): string | undefined {
  return prepared(
    db,
    `SELECT hash FROM events WHERE tenant = ? AND seq = ?
       UNION ALL SELECT hash FROM auth_events WHERE tenant = ? AND seq = ?
       UNION ALL SELECT hash FROM purged_entries WHERE tenant = ? AND seq = ? LIMIT 1`,
  )
    .pluck()
    .get(tenant, seq, tenant, seq, tenant, seq) as string | undefined;
}

/**
 * Both streams merged by seq, over one range of `limit` seqs (store.ts): (afterSeq, afterSeq + limit], or
 * when that is empty the range from the least seq after afterSeq. Every row in the range is read — no
 * LIMIT — so a duplicated seq (a forged row) comes out with all its copies, for the verifier to see, and
 * paging on the last seq never skips one. (Raw rows and one merge pass: the inner loop of `auditlog verify`.)
 */
export function scanChain(
  db: SqliteDb,
  tenant: string,
  afterSeq: number,
  limit: number,
  columns = CHAIN_COLUMNS,
): ChainRow[] {
  const read = (from: number, to: number) =>
    withTombstones(
      mergeChainRows(
        chainRows(db, 'events', tenant, from, to, columns),
        chainRows(db, 'auth_events', tenant, from, to, columns),
      ),
      prepared(
        db,
        `SELECT ${TOMBSTONE_COLUMNS} FROM purged_entries WHERE tenant = ? AND seq BETWEEN ? AND ? ORDER BY seq`,
      )
        .raw()
        .all(tenant, from, to) as RawTombstone[],
    );
  const rows = read(afterSeq + 1, afterSeq + limit);
  if (rows.length > 0) return rows;
  const first = prepared(
    db,
    `SELECT min(s) FROM (SELECT min(seq) AS s FROM events WHERE tenant = ? AND seq > ?
       UNION ALL SELECT min(seq) FROM auth_events WHERE tenant = ? AND seq > ?
       UNION ALL SELECT min(seq) FROM purged_entries WHERE tenant = ? AND seq > ?)`,
  )
    .pluck()
    .get(tenant, afterSeq, tenant, afterSeq, tenant, afterSeq) as number | null;
  return first === null ? [] : read(first, first + limit - 1);
}

/** scanChain's range as links (store.ts). */
export function chainLinks(db: SqliteDb, tenant: string, afterSeq: number, limit: number): ChainLink[] {
  return asLinks(scanChain(db, tenant, afterSeq, limit, LINK_COLUMNS));
}

function chainRows(
  db: SqliteDb,
  table: string,
  tenant: string,
  from: number,
  to: number,
  columns: string,
): RawChainRow[] {
  return prepared(db, `SELECT ${columns} FROM ${table} WHERE tenant = ? AND seq BETWEEN ? AND ? ORDER BY seq`)
    .raw()
    .all(tenant, from, to) as RawChainRow[];
}

export function latestCheckpoint(db: SqliteDb, tenant: string): SignedCheckpoint | undefined {
  return prepared(
    db,
    `SELECT ${CHECKPOINT_COLUMNS} FROM checkpoints WHERE tenant = ? ORDER BY seq DESC, signed_at DESC LIMIT 1`,
  ).get(tenant) as SignedCheckpoint | undefined;
}

export function listCheckpoints(
  db: SqliteDb,
  tenant: string,
  afterSeq: number,
  limit: number,
): SignedCheckpoint[] {
  return prepared(
    db,
    `SELECT ${CHECKPOINT_COLUMNS} FROM checkpoints WHERE tenant = ? AND seq > ? ORDER BY seq, signed_at LIMIT ?`,
  ).all(tenant, afterSeq, limit) as SignedCheckpoint[];
}

export function putPublicKey(db: SqliteDb, keyId: string, pem: string, nowMs: number): void {
  prepared(
    db,
    'INSERT INTO signing_keys (key_id, public_key_pem, created_ms) VALUES (?, ?, ?) ON CONFLICT DO NOTHING',
  ).run(keyId, pem, nowMs);
}

export function publicKeys(db: SqliteDb): { keyId: string; publicKeyPem: string; createdMs: number }[] {
  return prepared(
    db,
    'SELECT key_id AS keyId, public_key_pem AS publicKeyPem, created_ms AS createdMs FROM signing_keys ORDER BY created_ms',
  ).all() as { keyId: string; publicKeyPem: string; createdMs: number }[];
}
