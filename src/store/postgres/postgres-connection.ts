import pg from 'pg';
import { AuditError } from '../../core/errors.js';

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
  });
  // An idle client losing its connection must not crash the process; the next query reconnects.
  pool.on('error', () => {});
  return pool;
}

/** Connection-level failures (refused, reset, admin shutdown, too many clients) become store_unavailable. */
const UNAVAILABLE = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  '57P01',
  '57P02',
  '57P03',
  '53300',
  '08000',
  '08003',
  '08006',
  '08001',
  '08004',
  '40P01',
  '40001',
  '55P03',
  '53100',
]);

/** Translates driver errors at the store's boundary into the core's catalogue. */
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
    (e.code && UNAVAILABLE.has(e.code)) ||
    /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error/i.test(
      e.message ?? '',
    )
  ) {
    return new AuditError('store_unavailable', `PostgreSQL is unavailable: ${e.message ?? e.code}`, [], {
      cause: error,
    });
  }
  return error;
}

/** Numbered placeholders ($1, $2, …) for a query assembled from optional parts. */
export class Params {
  readonly values: unknown[] = [];

  /** Adds a value and returns its placeholder. */
  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }

  /** A comma-separated placeholder list for `IN (…)`, one value each. */
  list(values: readonly unknown[]): string {
    return values.map((v) => this.add(v)).join(', ');
  }
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

/** A LIKE pattern matching `text` literally anywhere (backslash is PostgreSQL's default LIKE escape). */
export function containsPattern(text: string): string {
  return `%${pgText(text).replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}
