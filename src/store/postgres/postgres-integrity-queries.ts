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
import type { PgPool } from './postgres-connection.js';

const CHECKPOINT_COLUMNS = 'tenant, seq, hash, signed_at AS "signedAt", key_id AS "keyId", signature';

export async function tenants(pool: PgPool): Promise<string[]> {
  const { rows } = await pool.query<{ tenant: string }>(TENANTS_SQL);
  return rows.map((r) => r.tenant);
}

export async function chainHead(pool: PgPool, tenant: string): Promise<ChainHead | undefined> {
  const { rows } = await pool.query<ChainHead>(
    'SELECT seq, hash FROM chain_heads WHERE tenant = $1 AND seq > 0',
    [tenant],
  );
  return rows[0];
}

export async function entryHashAt(pool: PgPool, tenant: string, seq: number): Promise<string | undefined> {
  const { rows } = await pool.query<{ hash: string }>(
    `(SELECT hash FROM events WHERE tenant = $1 AND seq = $2)
       UNION ALL (SELECT hash FROM auth_events WHERE tenant = $1 AND seq = $2)
       UNION ALL (SELECT hash FROM purged_entries WHERE tenant = $1 AND seq = $2) LIMIT 1`,
    [tenant, seq],
  );
  return rows[0]?.hash;
}

/**
 * Both streams merged by seq over one range of `limit` seqs, as in SQLite (store.ts): every row in the range
 * (array mode: the inner loop of `auditlog verify`), so all copies of a duplicated seq come out together.
 */
export async function scanChain(
  pool: PgPool,
  tenant: string,
  afterSeq: number,
  limit: number,
  columns = CHAIN_COLUMNS,
): Promise<ChainRow[]> {
  const read = async (from: number, to: number) => {
    const [events, auth, tombstones] = await Promise.all([
      chainRows(pool, 'events', tenant, from, to, columns),
      chainRows(pool, 'auth_events', tenant, from, to, columns),
      pool.query<RawTombstone>({
        text: `SELECT ${TOMBSTONE_COLUMNS} FROM purged_entries WHERE tenant = $1 AND seq BETWEEN $2 AND $3 ORDER BY seq`,
        values: [tenant, from, to],
        rowMode: 'array',
      }),
    ]);
    return withTombstones(mergeChainRows(events, auth), tombstones.rows);
  };
  const rows = await read(afterSeq + 1, afterSeq + limit);
  if (rows.length > 0) return rows;
  const { rows: found } = await pool.query<{ first: number | null }>(
    `SELECT least((SELECT min(seq) FROM events WHERE tenant = $1 AND seq > $2),
                  (SELECT min(seq) FROM auth_events WHERE tenant = $1 AND seq > $2),
                  (SELECT min(seq) FROM purged_entries WHERE tenant = $1 AND seq > $2)) AS first`,
    [tenant, afterSeq],
  );
  const first = found[0]?.first ?? null;
  return first === null ? [] : read(first, first + limit - 1);
}

/** scanChain's range as links (store.ts). */
export async function chainLinks(
  pool: PgPool,
  tenant: string,
  afterSeq: number,
  limit: number,
): Promise<ChainLink[]> {
  return asLinks(await scanChain(pool, tenant, afterSeq, limit, LINK_COLUMNS));
}

async function chainRows(
  pool: PgPool,
  table: string,
  tenant: string,
  from: number,
  to: number,
  columns: string,
): Promise<RawChainRow[]> {
  const { rows } = await pool.query<RawChainRow>({
    text: `SELECT ${columns} FROM ${table}
            WHERE tenant = $1 AND seq BETWEEN $2 AND $3 ORDER BY seq`,
    values: [tenant, from, to],
    rowMode: 'array',
  });
  return rows;
}

export async function latestCheckpoint(pool: PgPool, tenant: string): Promise<SignedCheckpoint | undefined> {
  const { rows } = await pool.query<SignedCheckpoint>(
    `SELECT ${CHECKPOINT_COLUMNS} FROM checkpoints WHERE tenant = $1 ORDER BY seq DESC, signed_at DESC LIMIT 1`,
    [tenant],
  );
  return rows[0];
}

export async function listCheckpoints(
  pool: PgPool,
  tenant: string,
  afterSeq: number,
  limit: number,
): Promise<SignedCheckpoint[]> {
  const { rows } = await pool.query<SignedCheckpoint>(
    `SELECT ${CHECKPOINT_COLUMNS} FROM checkpoints WHERE tenant = $1 AND seq > $2 ORDER BY seq, signed_at LIMIT $3`,
    [tenant, afterSeq, limit],
  );
  return rows;
}

export async function putPublicKey(pool: PgPool, keyId: string, pem: string, nowMs: number): Promise<void> {
  await pool.query(
    'INSERT INTO signing_keys (key_id, public_key_pem, created_ms) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING',
    [keyId, pem, nowMs],
  );
}

export async function publicKeys(
  pool: PgPool,
): Promise<{ keyId: string; publicKeyPem: string; createdMs: number }[]> {
  const { rows } = await pool.query<{ keyId: string; publicKeyPem: string; createdMs: number }>(
    'SELECT key_id AS "keyId", public_key_pem AS "publicKeyPem", created_ms AS "createdMs" FROM signing_keys ORDER BY created_ms',
  );
  return rows;
}
