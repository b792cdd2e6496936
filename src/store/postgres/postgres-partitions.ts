import type { PoolClient } from 'pg';
import type { Stream } from '../../core/domain/entry.js';
import type { SignedPurge } from '../../core/domain/purge-record.js';
import type { LegalHold } from '../../core/domain/retention.js';
import type {
  PartitionDropRules,
  PartitionOutcome,
  PartitionPurger,
  PartitionShare,
} from '../../core/ports/lifecycle-repository.js';
import { HOLD_COLUMNS, holdOf, holdsCoverSql } from '../sql/lifecycle-rows.js';
import { type PgPool, translatePgError } from './postgres-connection.js';
import { allRollupRowsOf } from './postgres-rollups-schema.js';

const PARTITIONED = ['events', 'auth_events'] as const;

/** Monthly partitions from last month to `ahead` months after this one (UTC). */
export function monthRanges(nowMs: number, ahead = 3): { name: string; fromMs: number; toMs: number }[] {
  const now = new Date(nowMs);
  const out: { name: string; fromMs: number; toMs: number }[] = [];
  for (let k = -1; k <= ahead; k++) {
    const from = Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + k, 1);
    const to = Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + k + 1, 1);
    const d = new Date(from);
    out.push({
      name: `p${d.getUTCFullYear()}${String(d.getUTCMonth() + 1).padStart(2, '0')}`,
      fromMs: from,
      toMs: to,
    });
  }
  return out;
}

/**
 * Creates the coming months' partitions ahead of time (at start and then daily), so rows land in monthly
 * partitions that retention can later detach and drop. Entries outside every partition (an import of old
 * history) go to the default partition. A month whose rows already sit in the default partition is left
 * there (creating it would fail), as is a month another node created first. Creating a partition locks the
 * parent table; with a short lock_timeout it gives up instead of queueing every append behind a long
 * export, and tries again the next day — months ahead of need.
 */
export async function ensurePartitions(
  pool: PgPool,
  nowMs = Date.now(),
  monthsAhead = 3,
): Promise<{ created: number; failed: string[] }> {
  let created = 0;
  const failed: string[] = [];
  const client = await pool.connect();
  try {
    await client.query("SET lock_timeout = '2s'");
    for (const table of PARTITIONED) {
      for (const m of monthRanges(nowMs, monthsAhead)) {
        const name = `${table}_${m.name}`;
        const exists = await client.query(
          'SELECT 1 FROM pg_class WHERE relname = $1 AND relnamespace = current_schema()::regnamespace',
          [name],
        );
        if (exists.rowCount) continue;
        try {
          // With its own TRUNCATE guard, in one transaction: statement triggers are not inherited.
          await client.query(`BEGIN;
            CREATE TABLE ${name} PARTITION OF ${table} FOR VALUES FROM (${m.fromMs}) TO (${m.toMs});
            CREATE TRIGGER ${name}_no_truncate BEFORE TRUNCATE ON ${name}
              FOR EACH STATEMENT EXECUTE FUNCTION auditlog_append_only();
            COMMIT`);
          created++;
        } catch (error) {
          await client.query('ROLLBACK').catch(() => {});
          // Rows of that month in the default partition, a concurrent creation, the lock timeout, or a role
          // that does not own the table (the owner runs `auditlog migrate`).
          failed.push(`${name}: ${(error as Error).message}`);
        }
      }
    }
    await client.query('RESET lock_timeout');
  } finally {
    client.release();
  }
  return { created, failed };
}

/**
 * Across every node: a drop holds this advisory lock exclusively, a purge step shares it. Without it a step
 * (whose DELETE locks the parent, then waits for the partition the drop holds) and the drop's DETACH (which
 * waits for the parent) deadlock.
 */
export const DROP_LOCK = 0x7075_7267; // "purg"
/** The DETACH's wait for the parent's lock (appends queue behind it meanwhile), and its tries. */
const DETACH_WAIT = '300ms';
const DETACH_TRIES = 5;

const ROLLUP_KEY = 'tenant, dim, day_ms, key, label';
const NL = 'chr(10)';
/** entryDigest (hash-chain.ts) in SQL: SHA-256 of stream, receive time (ISO 8601, ms) and body. */
const digestSql = (stream: Stream) =>
  `encode(sha256(convert_to('${stream}' || ${NL} || to_char(timestamp 'epoch' + received_ms * interval '1 millisecond',
     'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') || ${NL} || body, 'UTF8')), 'hex')`;
/** linkHash (hash-chain.ts) in SQL, over a row with tenant, seq, prev_hash and digest. */
const LINK_SQL = `encode(sha256(convert_to('auditlog.v1' || ${NL} || tenant || ${NL} || seq::text || ${NL}
     || prev_hash || ${NL} || digest, 'UTF8')), 'hex')`;
/** seqsDigest (purge-record.ts) in SQL, as an aggregate. */
const SEQS_DIGEST_SQL = `encode(sha256(convert_to(string_agg(seq::text || ${NL}, '' ORDER BY seq), 'UTF8')), 'hex')`;

class NotDropped extends Error {}

/**
 * Drops whole monthly partitions for retention (docs/lifecycle.md): when every row of one is expired and no
 * active hold covers any, one transaction writes all its tombstones with one INSERT … SELECT (digests in
 * SQL, each checked against the row's stored hash), one signed purge record per tenant, takes its rows off
 * the rollups and derived tables, then DETACHes and DROPs it. DETACH … CONCURRENTLY is not possible (it
 * refuses a table with a default partition, and cannot run in a transaction), so the plain DETACH holds the
 * parent's ACCESS EXCLUSIVE lock from the DETACH to the COMMIT: it waits at most DETACH_WAIT for it, a few
 * times, so appends never queue long behind a read. Needs the owner (as creating partitions does).
 */
export class PostgresPartitionPurger implements PartitionPurger {
  readonly #pool: PgPool;

  constructor(pool: PgPool) {
    this.#pool = pool;
  }

  async candidates(beforeMs: number): Promise<{ partition: string; stream: Stream }[]> {
    const { rows } = await this.#pool.query<{ name: string; parent: string; bound: string }>(
      `SELECT c.relname AS name, p.relname AS parent, pg_get_expr(c.relpartbound, c.oid) AS bound
         FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent
        WHERE p.relname IN ('events', 'auth_events') AND p.relnamespace = current_schema()::regnamespace
        ORDER BY c.relname`,
    );
    return rows
      .filter((r) => {
        const to = /TO \('?(-?\d+)'?\)/.exec(r.bound);
        return to !== null && Number(to[1]) <= beforeMs;
      })
      .map((r) => ({ partition: r.name, stream: r.parent === 'events' ? 'event' : 'auth' }));
  }

  async drop(partition: string, stream: Stream, rules: PartitionDropRules): Promise<PartitionOutcome> {
    const outcome: PartitionOutcome = { partition, stream, dropped: false, entries: 0 };
    const parent = stream === 'event' ? 'events' : 'auth_events';
    const client = await this.#pool.connect();
    try {
      const owner = await client.query(
        `SELECT bool_and(pg_has_role(current_user, relowner, 'USAGE')) AS ok FROM pg_class
          WHERE oid IN (to_regclass($1), to_regclass($2))`,
        [parent, partition],
      );
      if (!owner.rows[0]?.ok)
        throw new NotDropped('not the owner of the table (the stepped purge runs instead)');
      await client.query("BEGIN; SET LOCAL statement_timeout = 0; SET LOCAL lock_timeout = '2s'");
      await client.query('SELECT pg_advisory_xact_lock($1)', [DROP_LOCK]).catch((error) => {
        if ((error as { code?: string }).code === '55P03')
          throw new NotDropped('another node is purging (lock timeout); tried again next run');
        throw error;
      });
      const attached = await client.query(
        'SELECT 1 FROM pg_inherits WHERE inhrelid = to_regclass($1) AND inhparent = to_regclass($2)',
        [partition, parent],
      );
      if (!attached.rowCount) throw new NotDropped('dropped already');
      // No hold created and no row added until COMMIT; reads of the partition go on.
      await client.query(`LOCK TABLE legal_holds IN SHARE MODE; LOCK TABLE ${partition} IN EXCLUSIVE MODE`);
      await checkExpired(client, partition, stream, rules.cutoff);
      await checkHolds(client, partition, stream, rules.expandHolds);
      const shares = await sharesOf(client, partition, stream);
      const records = await rules.sign(shares);
      outcome.entries = await writeTombstones(client, partition, stream, records);
      await client.query(
        `INSERT INTO purges (tenant, purge_id, first_seq, record)
         SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::text[])`,
        [
          records.map((r) => r.tenant),
          records.map((r) => r.purgeId),
          records.map((r) => r.firstSeq),
          records.map((r) => JSON.stringify(r)),
        ],
      );
      await client.query(
        `INSERT INTO purges_unrecorded (tenant, purge_id, run_id, run_step)
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::int[])`,
        [
          records.map((r) => r.tenant),
          records.map((r) => r.purgeId),
          records.map((r) => rules.runOf(r.purgeId).runId),
          records.map((r) => rules.runOf(r.purgeId).step),
        ],
      );
      await dropDerived(client, partition, stream);
      const detaching = performance.now();
      await detachAndDrop(client, parent, partition);
      await client.query('COMMIT');
      outcome.lockedMs = performance.now() - detaching;
      outcome.dropped = true;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      const code = (error as { code?: string }).code;
      // A lock not granted in time, or a deadlock with another session: the steps go on, the next run retries.
      const busy =
        code === '55P03' || code === '40P01'
          ? new NotDropped(`busy (${(error as Error).message}); tried again next run`)
          : error;
      if (!(busy instanceof NotDropped)) throw translatePgError(error);
      outcome.reason = busy.message;
      outcome.entries = 0;
      outcome.lockedMs = undefined;
    } finally {
      client.release();
    }
    return outcome;
  }
}

async function checkExpired(
  client: PoolClient,
  partition: string,
  stream: Stream,
  cutoff: (tenant: string, category: string | null) => number | null,
): Promise<void> {
  const category = stream === 'event' ? 'category' : 'NULL::text';
  const { rows } = await client.query<{ tenant: string; category: string | null; newest: string }>(
    `SELECT tenant, ${category} AS category, max(occurred_ms) AS newest FROM ${partition} GROUP BY 1, 2`,
  );
  if (rows.length === 0) throw new NotDropped('empty');
  for (const r of rows) {
    const before = cutoff(r.tenant, r.category);
    if (before === null || Number(r.newest) >= before)
      throw new NotDropped(`entries of tenant ${r.tenant} are not all expired`);
  }
}

async function checkHolds(
  client: PoolClient,
  partition: string,
  stream: Stream,
  expandHolds: (holds: LegalHold[]) => LegalHold[],
): Promise<void> {
  const { rows } = await client.query(`SELECT ${HOLD_COLUMNS} FROM legal_holds WHERE released_ms IS NULL`);
  if (rows.length === 0) return;
  const values: unknown[] = [];
  const covered = holdsCoverSql(expandHolds(rows.map(holdOf)), stream, values);
  const held = await client.query(
    `SELECT EXISTS (SELECT 1 FROM ${partition} WHERE ${covered}) AS held`,
    values,
  );
  if (held.rows[0]?.held) throw new NotDropped('a legal hold covers entries of it');
}

async function sharesOf(client: PoolClient, partition: string, stream: Stream): Promise<PartitionShare[]> {
  const { rows } = await client.query<{ tenant: string; n: string; lo: string; hi: string; d: string }>(
    `SELECT tenant, count(*) AS n, min(seq) AS lo, max(seq) AS hi, ${SEQS_DIGEST_SQL} AS d
       FROM ${partition} GROUP BY tenant ORDER BY tenant`,
  );
  return rows.map((r) => ({
    tenant: r.tenant,
    stream,
    count: Number(r.n),
    firstSeq: Number(r.lo),
    lastSeq: Number(r.hi),
    seqsDigest: r.d,
  }));
}

/** Every row's tombstone, under its tenant's record; refuses (nothing kept) when a digest misses a hash. */
async function writeTombstones(
  client: PoolClient,
  partition: string,
  stream: Stream,
  records: SignedPurge[],
): Promise<number> {
  const { rows } = await client.query<{ inserted: string; broken: string }>(
    `WITH t AS MATERIALIZED (
       SELECT e.tenant, e.seq, e.id, e.received_ms, e.prev_hash, e.hash, r.purge_id, ${digestSql(stream)} AS digest
         FROM ${partition} e JOIN unnest($1::text[], $2::text[]) AS r(tenant, purge_id) USING (tenant)),
     ins AS (
       INSERT INTO purged_entries (tenant, seq, stream, id, received_ms, digest, prev_hash, hash, purge_id)
       SELECT tenant, seq, '${stream}', id, received_ms, digest, prev_hash, hash, purge_id FROM t RETURNING 1)
     SELECT (SELECT count(*) FROM ins) AS inserted, (SELECT count(*) FROM t WHERE ${LINK_SQL} <> hash) AS broken`,
    [records.map((r) => r.tenant), records.map((r) => r.purgeId)],
  );
  const broken = Number(rows[0]?.broken ?? 0);
  if (broken > 0)
    throw new NotDropped(`${broken} rows do not give their stored hash (the stepped purge runs instead)`);
  return Number(rows[0]?.inserted ?? 0);
}

/**
 * What the delete triggers and derived tables would lose with the rows: the statistics rollups (a DROP fires
 * no trigger), keyword chunks left without a live event, sessions left without a live sign-in event.
 */
async function dropDerived(client: PoolClient, partition: string, stream: Stream): Promise<void> {
  if (stream === 'event') {
    const { rows } = await client.query<{
      tenant: string;
      dim: string;
      day_ms: string;
      key: string;
      label: string;
    }>(
      `WITH d AS (SELECT * FROM (${allRollupRowsOf(partition)}) g ORDER BY ${ROLLUP_KEY})
       UPDATE event_rollups r SET n = r.n - d.n FROM d
        WHERE (r.tenant, r.dim, r.day_ms, r.key, r.label) = (d.tenant, d.dim, d.day_ms, d.key, d.label)
       RETURNING r.tenant, r.dim, r.day_ms, r.key, r.label, r.n`,
    );
    // A counter at 0 goes, so no purged username lingers as a label (as the delete trigger does).
    const zero = rows.filter((r) => Number((r as { n?: string }).n) === 0);
    if (zero.length)
      await client.query(
        `DELETE FROM event_rollups WHERE (${ROLLUP_KEY}) IN
           (SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::text[], $5::text[]))`,
        [
          zero.map((r) => r.tenant),
          zero.map((r) => r.dim),
          zero.map((r) => r.day_ms),
          zero.map((r) => r.key),
          zero.map((r) => r.label),
        ],
      );
    await client.query(
      `DELETE FROM event_search_chunks c
        USING (SELECT tenant, min(seq) AS lo, max(seq) AS hi FROM ${partition} GROUP BY tenant) p
        WHERE c.tenant = p.tenant AND c.hi >= p.lo AND c.lo <= p.hi
          AND NOT EXISTS (SELECT 1 FROM events e WHERE e.tenant = c.tenant AND e.seq BETWEEN c.lo AND c.hi
                            AND e.tableoid <> '${partition}'::regclass)`,
    );
  } else {
    await client.query(
      `DELETE FROM sessions s
        USING (SELECT DISTINCT tenant, session_id FROM ${partition} WHERE session_id IS NOT NULL) p
        WHERE s.tenant = p.tenant AND s.session_id = p.session_id
          AND NOT EXISTS (SELECT 1 FROM auth_events a WHERE a.tenant = s.tenant AND a.session_id = s.session_id
                            AND a.tableoid <> '${partition}'::regclass)`,
    );
  }
}

/** DETACH (waiting briefly for the parent's lock, a few times) and DROP, just before the COMMIT. */
async function detachAndDrop(client: PoolClient, parent: string, partition: string): Promise<void> {
  await client.query(`SET LOCAL lock_timeout = '${DETACH_WAIT}'`);
  for (let attempt = 1; ; attempt++) {
    await client.query('SAVEPOINT detach');
    try {
      await client.query(`ALTER TABLE ${parent} DETACH PARTITION ${partition}`);
      await client.query(`DROP TABLE ${partition}`);
      return;
    } catch (error) {
      await client.query('ROLLBACK TO SAVEPOINT detach');
      if ((error as { code?: string }).code !== '55P03') throw error;
      if (attempt >= DETACH_TRIES)
        throw new NotDropped('the table stayed busy (lock timeout); tried again next run');
      await new Promise((r) => setTimeout(r, 100 * attempt));
    }
  }
}
