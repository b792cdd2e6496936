import pg from 'pg';
import { AuditError } from '../../core/domain/errors.js';

export type PgPool = pg.Pool;
export type PgClient = pg.PoolClient;

/** int8 (bigint) and numeric come back as JS numbers: seq, times and counts all stay below 2^53. */
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === 20 || oid === 1700) return (v: string) => Number(v);
    return pg.types.getTypeParser(oid, format as 'text');
  },
};

/**
 * A connection pool. `synchronous_commit` stays the server's default (on): COMMIT returns after the WAL is
 * flushed, so a 201 still means durable. Times are kept as epoch milliseconds, never as timestamptz, so the
 * session time zone cannot change an answer.
 *
 * Every client of the pool MUST have an `'error'` listener for its whole life: pg emits `'error'` on a client
 * whose connection ends (a restart, a failover, `pg_terminate_backend`), and pg-pool listens only while the
 * client is idle — a client checked out for a transaction or a migration would otherwise end the process.
 * The query in progress still fails (and is translated); the pool drops the broken client.
 */
export function createPool(
  url: string,
  max: number,
  applicationName: string,
  statementTimeoutMs?: number,
): PgPool {
  const pool = new pg.Pool({
    connectionString: url,
    max,
    types,
    application_name: applicationName,
    // JIT compiling a plan over dozens of partitions took 5 s for a query that then ran in 29 ms (a rare
    // keyword at 10M events); these are short queries, and the whole-log ones were not faster with it.
    options: '-c jit=off',
    ...(statementTimeoutMs ? { statement_timeout: statementTimeoutMs } : {}),
    connectionTimeoutMillis: 10_000,
    idleTimeoutMillis: 30_000,
    // A server that vanished without closing its sockets (a failover) is noticed instead of waited on.
    keepAlive: true,
  });
  pool.on('connect', (client) => client.on('error', ignore));
  pool.on('error', ignore);
  return pool;
}

function ignore(): void {}

/**
 * Connects once, outside every pool, runs `SELECT 1` and disconnects: whether the database answers now,
 * whatever the pools hold. Rejects with the driver's error.
 */
export async function probeDatabase(url: string, timeoutMs = 5_000): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: timeoutMs });
  client.on('error', ignore);
  try {
    await client.connect();
    await client.query('SELECT 1');
  } finally {
    await client.end().catch(ignore);
  }
}

/**
 * The connection itself failed — refused, reset, cut by a shutdown or `pg_terminate_backend`, timed out —
 * as opposed to a statement failing on a working connection.
 */
const CONNECTION_LOST = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  '57P01', // admin_shutdown: pg_ctl stop -m fast, pg_terminate_backend
  '57P02', // crash_shutdown: another backend crashed, or pg_ctl stop -m immediate
  '57P03', // cannot_connect_now: starting up, shutting down, in recovery
  '08000',
  '08001',
  '08003',
  '08004',
  '08006',
]);

export function isConnectionLost(error: unknown): boolean {
  const e = error as { code?: string; message?: string; errors?: unknown[] } | null;
  if (!e || typeof e !== 'object') return false;
  if (e.code && CONNECTION_LOST.has(e.code)) return true;
  // Node reports a refused dual-stack connection as an AggregateError of one error per address.
  if (Array.isArray(e.errors) && e.errors.some(isConnectionLost)) return true;
  return /Connection terminated|not queryable|Client was closed/i.test(e.message ?? '');
}

/** Failures that pass by themselves: too many clients, deadlock, serialization, lock timeout, disk full. */
const UNAVAILABLE = new Set(['53300', '40P01', '40001', '55P03', '53100']);

/**
 * Translates driver errors at the store's boundary into the core's catalogue: a lost connection and the
 * failures above become store_unavailable (503).
 */
export function translatePgError(error: unknown): unknown {
  if (error instanceof AuditError) return error;
  const e = error as { code?: string; message?: string };
  if (e.code === '57014') {
    return new AuditError(
      'store_unavailable',
      'The query took too long and was cancelled; narrow the filter',
      [],
      {
        cause: error,
      },
    );
  }
  if (
    isConnectionLost(error) ||
    (e.code && UNAVAILABLE.has(e.code)) ||
    /timeout exceeded when trying to connect/i.test(e.message ?? '')
  ) {
    return new AuditError('store_unavailable', `PostgreSQL is unavailable: ${e.message || e.code}`, [], {
      cause: error,
    });
  }
  return error;
}

/**
 * PostgreSQL text cannot hold U+0000. Stored bodies are JSON (which escapes it); the few plain columns map
 * it to U+FFFD, and query values go through the same mapping, so equality and substring answers agree.
 */
export function pgText<T extends string | null | undefined>(value: T): T {
  return (
    typeof value === 'string' && value.includes('\u0000') ? value.replaceAll('\u0000', '\uFFFD') : value
  ) as T;
}
