// PostgreSQL for tests: one throwaway database per server under test, on the server named by
// AUDITLOG_TEST_DATABASE_URL or DATABASE_URL (default: the local trust-auth cluster).
import { randomBytes } from 'node:crypto';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { describe, it } from 'vitest';
import { readFiles, type StoredBytes } from './stored-bytes.js';

const DEFAULT_URL = 'postgres://postgres@127.0.0.1:5432/postgres';
const REQUIRE_ALL = process.env.AUDITLOG_TEST_REQUIRE_ALL === '1';
const CONNECT_TIMEOUT_MS = 15_000;
/** Test databases are named `auditlog_t_<pid>_<created, seconds base 36>_<random>`. */
const PREFIX = 'auditlog_t_';
/** A test database older than this, with nobody connected, is left over from a run that died. */
const STALE_AFTER_MS = 60 * 60 * 1000;

/** The server (and maintenance database) tests create their databases on. */
export function postgresUrl(): string {
  return process.env.AUDITLOG_TEST_DATABASE_URL || process.env.DATABASE_URL || DEFAULT_URL;
}

/** `postgresUrl()` with another database name. */
export function databaseUrl(name: string, base = postgresUrl()): string {
  const url = new URL(base);
  url.pathname = `/${encodeURIComponent(name)}`;
  return url.toString();
}

/** The URL without its password, for messages. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparsable URL)';
  }
}

/** Runs `fn` with a connected client to `url`, then disconnects. */
export async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export type PostgresStatus = { ok: true } | { ok: false; reason: string };
// On globalThis: vitest evaluates its config, which asks too, more than once per process.
const STATUS = Symbol.for('auditlog.test.postgresStatus');
const cache = globalThis as { [STATUS]?: Promise<PostgresStatus> };

/** Whether `postgresUrl()` answers (a refused connection fails at once); asked once per process. */
export function postgresStatus(): Promise<PostgresStatus> {
  cache[STATUS] ??= withClient(postgresUrl(), (c) => c.query('SELECT 1')).then(
    (): PostgresStatus => ({ ok: true }),
    (error: unknown): PostgresStatus => ({
      ok: false,
      reason: `no PostgreSQL at ${redactUrl(postgresUrl())}: ${error instanceof Error ? error.message || error.name : String(error)}`,
    }),
  );
  return cache[STATUS];
}

export async function postgresAvailable(): Promise<boolean> {
  return (await postgresStatus()).ok;
}

/**
 * `describe` for suites that need PostgreSQL: skipped with a message when no server answers, unless
 * AUDITLOG_TEST_REQUIRE_ALL=1 makes it mandatory (CI), where the suite fails instead (as `describeUi`).
 */
export function describePostgres(name: string, body: () => void): void {
  describe(name, async () => {
    const s = await postgresStatus();
    if (s.ok) {
      body();
    } else if (REQUIRE_ALL) {
      it('needs PostgreSQL', () => {
        throw new Error(`${s.reason} (AUDITLOG_TEST_REQUIRE_ALL=1; set AUDITLOG_TEST_DATABASE_URL)`);
      });
    } else {
      console.warn(`skipping "${name}": ${s.reason} (set AUDITLOG_TEST_DATABASE_URL)`);
      describe.skip('needs PostgreSQL', body);
    }
  });
}

export interface TestDatabase {
  name: string;
  url: string;
  createdMs: number;
  /** Drops the database, disconnecting whoever is still connected. Idempotent. */
  drop: () => Promise<void>;
}

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;

/**
 * Test databases on the shared server commit without waiting for the WAL flush (3 ms → 0.1 ms a commit here).
 * What the tests check is unchanged: a commit is still visible to every session at once and survives a crash
 * of our process; only a crash of PostgreSQL itself could lose it, and the tests that crash PostgreSQL run on
 * a private cluster (private-postgres.ts) with the server's defaults.
 */
async function relaxCommitFlush(
  c: { query: (sql: string) => Promise<unknown> },
  name: string,
): Promise<void> {
  await c.query(`ALTER DATABASE ${quote(name)} SET synchronous_commit = off`);
}

/** A fresh, empty, uniquely named database on `postgresUrl()`. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const createdMs = Date.now();
  const name = `${PREFIX}${process.pid}_${Math.floor(createdMs / 1000).toString(36)}_${randomBytes(4).toString('hex')}`;
  const base = postgresUrl();
  try {
    await withClient(base, async (c) => {
      await c.query(`CREATE DATABASE ${quote(name)}`);
      await relaxCommitFlush(c, name);
    });
  } catch (error) {
    const s = await postgresStatus();
    const why = s.ok ? (error as Error).message : s.reason;
    throw new Error(
      `cannot create a test database (AUDITLOG_TEST_STORE=postgres): ${why}; set AUDITLOG_TEST_DATABASE_URL`,
    );
  }
  let dropped: Promise<void> | undefined;
  return {
    name,
    url: databaseUrl(name, base),
    createdMs,
    drop: () => {
      dropped ??= withClient(base, async (c) => {
        await c.query(`DROP DATABASE IF EXISTS ${quote(name)} WITH (FORCE)`);
      });
      return dropped;
    },
  };
}

/**
 * A fresh test database holding a copy of `template` (CREATE DATABASE … TEMPLATE), e.g. one prepared database
 * per attack, so that attacks cannot see each other.
 */
export async function cloneTestDatabase(template: TestDatabase): Promise<TestDatabase> {
  const copy = await createTestDatabase();
  await withClient(postgresUrl(), async (c) => {
    await c.query(`DROP DATABASE ${quote(copy.name)}`);
    // The template must have no session: the backend of a client that just disconnected may linger a moment.
    for (let attempt = 0; ; attempt++) {
      try {
        await c.query(`CREATE DATABASE ${quote(copy.name)} TEMPLATE ${quote(template.name)}`);
        await relaxCommitFlush(c, copy.name);
        break;
      } catch (error) {
        if ((error as { code?: string }).code !== '55006' || attempt === 100) throw error;
        await c.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', [
          template.name,
        ]);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  });
  return copy;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Drops test databases that a crashed or interrupted run left behind: older than an hour, nobody connected,
 * and created by a process that no longer runs here. Returns the names dropped.
 */
export async function dropStaleTestDatabases(nowMs = Date.now()): Promise<string[]> {
  return withClient(postgresUrl(), async (c) => {
    const { rows } = await c.query<{ datname: string }>(
      `SELECT d.datname FROM pg_database d
        WHERE d.datname LIKE $1
          AND NOT EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.datname = d.datname)`,
      [`${PREFIX.replace(/_/g, '\\_')}%`],
    );
    const dropped: string[] = [];
    for (const { datname } of rows) {
      const m = /^auditlog_t_(\d+)_([0-9a-z]+)_[0-9a-f]+$/.exec(datname);
      if (!m) continue;
      const createdMs = Number.parseInt(m[2]!, 36) * 1000;
      if (nowMs - createdMs < STALE_AFTER_MS || processAlive(Number(m[1]))) continue;
      await c.query(`DROP DATABASE IF EXISTS ${quote(datname)} WITH (FORCE)`);
      dropped.push(datname);
    }
    return dropped;
  });
}

/**
 * Everything one database keeps, for tests that look for bytes that must never be stored: every row of every
 * table as text (`SELECT t::text`, bytea values also decoded), and, when the server's data directory is
 * readable from here (a local server), the database's own files and the WAL segments written since
 * `sinceMs` — the counterpart of a SQLite file with its -wal and -shm.
 */
export async function postgresStoredBytes(url: string, sinceMs = 0): Promise<StoredBytes[]> {
  return withClient(url, async (c) => {
    const out: StoredBytes[] = [];
    const { rows: tables } = await c.query<{ name: string }>(
      `SELECT quote_ident(table_schema) || '.' || quote_ident(table_name) AS name
         FROM information_schema.tables
        WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema')
        ORDER BY 1`,
    );
    for (const { name } of tables) {
      const { rows } = await c.query<{ row: string }>(`SELECT t::text AS row FROM ${name} t`);
      const text = rows.map((r) => r.row).join('\n');
      const bytea = [...text.matchAll(/\\\\?x([0-9a-f]{2,})/g)].map((m) => Buffer.from(m[1]!, 'hex'));
      const bytes = Buffer.concat([Buffer.from(text, 'utf8'), ...bytea]);
      out.push({ where: `table ${name}`, read: () => bytes });
    }
    const dataDir = (await c.query<{ d: string }>('SELECT current_setting($1) AS d', ['data_directory']))
      .rows[0]?.d;
    const oid = (
      await c.query<{ oid: string }>('SELECT oid::text FROM pg_database WHERE datname = current_database()')
    ).rows[0]?.oid;
    if (dataDir && oid) out.push(...dataFiles(join(dataDir, 'base', oid), join(dataDir, 'pg_wal'), sinceMs));
    return out;
  });
}

function dataFiles(databaseDir: string, walDir: string, sinceMs: number): StoredBytes[] {
  const list = (dir: string, keep: (mtimeMs: number) => boolean): string[] => {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      return []; // a remote server, or no permission: the rows above are what can be checked
    }
    return names
      .map((n) => join(dir, n))
      .filter((path) => {
        try {
          const st = statSync(path);
          return st.isFile() && keep(st.mtimeMs);
        } catch {
          return false; // removed or recycled meanwhile
        }
      });
  };
  return readFiles([...list(databaseDir, () => true), ...list(walDir, (m) => m >= sinceMs - 2_000)]);
}
