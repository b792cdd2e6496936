import type { PgPool } from './postgres-connection.js';

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
