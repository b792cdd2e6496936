import pg from 'pg';
import type { EventInput } from '../../src/core/domain/schemas/event-schema.js';
import { generateSigningKey } from '../../src/core/domain/signing.js';
import { eventRow } from '../../src/store/postgres/postgres-writer-rows.js';
import { sealDemoEvents } from './demo-entries.js';

/**
 * The PostgreSQL server the benchmarks use: BENCH_PG_URL names a database to connect to for administration
 * (default postgres://postgres@127.0.0.1:5432/postgres); the benchmarks create their own databases there,
 * all named `auditlog_bench_*`.
 */
export const PG_ADMIN_URL = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** One signing key for every server of a run (nodes sharing a database share a key), kept out of ./data. */
export const BENCH_SIGNING_KEY = generateSigningKey().privatePem;

export function databaseUrl(name: string): string {
  const u = new URL(PG_ADMIN_URL);
  u.pathname = `/${name}`;
  return u.toString();
}

async function admin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** The server's version string, or null when nothing answers at BENCH_PG_URL. */
export async function pgVersion(): Promise<string | null> {
  try {
    return await admin(
      async (c) => (await c.query<{ v: string }>("SELECT current_setting('server_version') AS v")).rows[0]!.v,
    );
  } catch {
    return null;
  }
}

function checkName(name: string): string {
  if (!/^auditlog_bench_[a-z0-9_]+$/.test(name)) throw new Error(`not a benchmark database name: ${name}`);
  return name;
}

export async function databaseExists(name: string): Promise<boolean> {
  return admin(
    async (c) =>
      (await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [checkName(name)])).rowCount === 1,
  );
}

export async function dropDatabase(name: string): Promise<void> {
  await admin((c) => c.query(`DROP DATABASE IF EXISTS ${checkName(name)} WITH (FORCE)`));
}

/** Drops and creates database `name`; returns its URL. */
export async function freshDatabase(name: string): Promise<string> {
  await dropDatabase(name);
  await admin((c) => c.query(`CREATE DATABASE ${checkName(name)}`));
  return databaseUrl(name);
}

/** Size of a database on disk, in GB. */
export async function databaseSizeGb(name: string): Promise<number> {
  return admin(
    async (c) =>
      Number(
        (await c.query<{ b: string }>('SELECT pg_database_size($1) AS b', [checkName(name)])).rows[0]!.b,
      ) / 1e9,
  );
}

/** Server settings that shape the figures, for the section header. */
export async function pgSettings(): Promise<string> {
  return admin(async (c) => {
    const names = ['shared_buffers', 'work_mem', 'synchronous_commit', 'max_wal_size', 'jit'];
    const { rows } = await c.query<{ name: string; setting: string }>(
      `SELECT name, current_setting(name) AS setting FROM pg_settings WHERE name = ANY($1) ORDER BY name`,
      [names],
    );
    return rows.map((r) => `${r.name}=${r.setting}`).join(', ');
  });
}

/**
 * PostgreSQL COPY text format for one row: tab-separated, \N for NULL, backslash escapes for the four
 * characters the format reserves.
 */
export function copyLine(values: readonly unknown[]): string {
  let out = '';
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (i > 0) out += '\t';
    if (v === null || v === undefined) out += '\\N';
    else {
      const s = String(v);
      out += /[\\\t\n\r]/.test(s)
        ? s.replace(/[\\\t\n\r]/g, (c) =>
            c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r',
          )
        : s;
    }
  }
  return `${out}\n`;
}

/** The events columns in the order of postgres-writer-rows.ts eventRow (its EVENT_COLUMNS). */
export const EVENT_COLUMN_NAMES = [
  'tenant',
  'seq',
  'id',
  'occurred_ms',
  'received_ms',
  'actor_id',
  'actor_username',
  'actor_username_f',
  'actor_display_name',
  'action',
  'category',
  'event_type',
  'target_type',
  'target_id',
  'target_id_f',
  'target_name_f',
  'ip_key',
  'session_id',
  'body',
  'search',
  'prev_hash',
  'hash',
];

/**
 * The very events rows the PostgreSQL store writes for these events (prepared, redacted, chained, through
 * postgres-writer-rows.ts eventRow), seqs from `firstSeq`.
 */
export function storeEventRows(events: EventInput[], firstSeq = 1): unknown[][] {
  return sealDemoEvents(events, firstSeq).map(({ entry, link }) =>
    eventRow({ tenant: 'default', entry, seq: link.seq, prevHash: link.prevHash, hash: link.hash }),
  );
}
