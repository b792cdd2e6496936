// Black-box harness: runs the real `auditlog serve` command as a child process and talks to it over HTTP.
// Nothing here imports the implementation; the only inputs are the CLI and the HTTP API of API.md.
// With AUDITLOG_TEST_STORE=postgres (the vitest project `postgres`) each dbFile stands for a fresh PostgreSQL
// database, served with `--database-url`; a restart on the same dbFile serves the same database.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { releaseAfterEachFile } from '../../helpers/file-cleanup.js';
import type { TestDatabase } from '../../helpers/postgres.js';
import { filesUnder, readFiles, type StoredBytes } from '../../helpers/stored-bytes.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const BIN = join(ROOT, 'bin', 'auditlog.js');

export const TOKEN = '7c2IQdGvNkGxGmDFjgBF050qMHmaX-0V';

export type StoreKind = 'sqlite' | 'postgres';
export const STORE_KIND: StoreKind = process.env.AUDITLOG_TEST_STORE === 'postgres' ? 'postgres' : 'sqlite';

/** dbFile → its database, for the life of the test file. */
const databases = new Map<string, Promise<TestDatabase>>();
const children = new Set<ChildProcess>();

/** The database that stands for `dbFile`, created on first use (postgres only). */
function databaseFor(dbFile: string): Promise<TestDatabase> {
  let db = databases.get(dbFile);
  if (!db) {
    db = import('../../helpers/postgres.js').then((pg) => pg.createTestDatabase());
    databases.set(dbFile, db);
    db.catch(() => databases.delete(dbFile));
  }
  return db;
}

// After each test file (its own afterAll hooks first): servers the file left running are killed, then its
// databases are dropped. Not a top-level afterAll: the module is evaluated once per worker (isolate: false).
releaseAfterEachFile(async () => {
  await Promise.all(
    [...children].map(async (child) => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGKILL');
      await exited;
    }),
  );
  const dbs = await Promise.allSettled(databases.values());
  databases.clear();
  await Promise.all(dbs.map((d) => (d.status === 'fulfilled' ? d.value.drop() : undefined)));
});

/**
 * Everything the store behind `dbFile` keeps, for tests that look for bytes that must never be stored.
 * SQLite: every file in dbFile's directory. PostgreSQL: every row of every table of its database, the
 * database's files and recent WAL when the data directory is readable here, and every file in dbFile's
 * directory (the server's working directory).
 */
export async function storedBytes(dbFile: string): Promise<StoredBytes[]> {
  const files = readFiles(filesUnder(dirname(dbFile)));
  if (STORE_KIND === 'sqlite') return files;
  const db = await databaseFor(dbFile);
  const { postgresStoredBytes } = await import('../../helpers/postgres.js');
  return [...(await postgresStoredBytes(db.url, db.createdMs)), ...files];
}

export interface RunningServer {
  url: string;
  dbFile: string;
  /** The PostgreSQL database standing for dbFile (postgres only). */
  databaseUrl?: string;
  token: string;
  /** Everything the process wrote so far. */
  output: () => { stdout: string; stderr: string };
  /** fetch with `Authorization: Bearer <token>` unless token is null / another string. */
  request: (
    path: string,
    init?: RequestInit & { token?: string | null; json?: unknown },
  ) => Promise<Response>;
  /** GET path and parse JSON; asserts nothing. */
  getJson: (path: string) => Promise<{ status: number; body: any }>;
  /** POST a JSON body to /v1/events. */
  post: (body: unknown) => Promise<{ status: number; body: any }>;
  /** SIGTERM and wait for exit; SIGKILL after `graceMs`. Resolves with the exit code (null when killed). */
  stop: (graceMs?: number) => Promise<number | null>;
  /** SIGKILL and wait for exit. */
  kill: () => Promise<void>;
  alive: () => boolean;
  child: ChildProcess;
}

export async function startServer(opts: {
  dbFile: string;
  token?: string;
  env?: Record<string, string>;
}): Promise<RunningServer> {
  if (!existsSync(join(ROOT, 'dist'))) throw new Error('dist/ is missing: run `npm run build` first');
  const token = opts.token ?? TOKEN;
  const databaseUrl = STORE_KIND === 'postgres' ? (await databaseFor(opts.dbFile)).url : undefined;
  const storeArgs = databaseUrl === undefined ? ['--db', opts.dbFile] : ['--database-url', databaseUrl];
  const child = spawn(process.execPath, [BIN, 'serve', '--host', '127.0.0.1', '--port', '0', ...storeArgs], {
    cwd: dirname(opts.dbFile),
    env: { ...process.env, AUDITLOG_BOOTSTRAP_TOKEN: token, ...(opts.env ?? {}) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let stdout = '';
  let stderr = '';
  let exited = false;
  const exit = new Promise<number | null>((res) => {
    child.on('exit', (code) => {
      exited = true;
      children.delete(child);
      res(code);
    });
  });
  child.stdout?.setEncoding('utf8');
  child.stderr?.setEncoding('utf8');
  const url = await new Promise<string>((res, rej) => {
    const timer = setTimeout(
      () => rej(new Error(`server did not start in time\n${stdout}\n${stderr}`)),
      30_000,
    );
    child.stdout?.on('data', (d: string) => {
      stdout += d;
      const m = /auditlog listening on (http:\/\/[^\s]+)/.exec(stdout);
      if (m) {
        clearTimeout(timer);
        res(m[1] as string);
      }
    });
    child.stderr?.on('data', (d: string) => {
      stderr += d;
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      rej(new Error(`server exited with ${code} before listening\n${stdout}\n${stderr}`));
    });
  });
  const request: RunningServer['request'] = (path, init = {}) => {
    const { token: t = token, json, headers, ...rest } = init;
    const h = new Headers(headers);
    if (t !== null) h.set('authorization', `Bearer ${t}`);
    if (json !== undefined) h.set('content-type', 'application/json');
    return fetch(url + path, {
      ...rest,
      headers: h,
      body: json === undefined ? rest.body : JSON.stringify(json),
    });
  };
  const parse = async (res: Response) => {
    const text = await res.text();
    let body: any;
    try {
      body = JSON.parse(text);
    } catch {
      body = text;
    }
    return { status: res.status, body };
  };
  return {
    url,
    dbFile: opts.dbFile,
    databaseUrl,
    token,
    child,
    output: () => ({ stdout, stderr }),
    request,
    getJson: async (path) => parse(await request(path)),
    post: async (body) => parse(await request('/v1/events', { method: 'POST', json: body })),
    alive: () => !exited,
    stop: async (graceMs = 15_000) => {
      if (!exited) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      const code = await exit;
      clearTimeout(timer);
      return code;
    },
    kill: async () => {
      if (!exited) child.kill('SIGKILL');
      await exit;
    },
  };
}

/** Every page of a paged listing (`{ events, nextCursor }`), following nextCursor. */
export async function fetchAllPages(
  server: RunningServer,
  path: string,
  params: URLSearchParams,
  maxPages = 1000,
): Promise<{ events: any[]; pages: any[][] }> {
  const events: any[] = [];
  const pages: any[][] = [];
  let cursor: string | null = null;
  for (let i = 0; i < maxPages; i++) {
    const p = new URLSearchParams(params);
    if (cursor !== null) p.set('cursor', cursor);
    const { status, body } = await server.getJson(`${path}?${p}`);
    if (status !== 200) throw new Error(`GET ${path}?${p} → ${status} ${JSON.stringify(body)}`);
    if (!Array.isArray(body.events)) throw new Error(`no events array: ${JSON.stringify(body)}`);
    events.push(...body.events);
    pages.push(body.events);
    cursor = body.nextCursor;
    if (cursor === null) return { events, pages };
    if (typeof cursor !== 'string')
      throw new Error(`nextCursor must be string|null, got ${JSON.stringify(cursor)}`);
  }
  throw new Error(`more than ${maxPages} pages for ${path}?${params}`);
}

/** The error body of API.md: { error: { code, message, details: [ { path, message } ] } }. */
export function expectErrorShape(body: any): void {
  if (typeof body !== 'object' || body === null)
    throw new Error(`error body is not an object: ${JSON.stringify(body)}`);
  const e = body.error;
  if (typeof e !== 'object' || e === null) throw new Error(`no "error" object: ${JSON.stringify(body)}`);
  if (typeof e.code !== 'string' || e.code.length === 0)
    throw new Error(`error.code: ${JSON.stringify(body)}`);
  if (typeof e.message !== 'string' || e.message.length === 0)
    throw new Error(`error.message: ${JSON.stringify(body)}`);
  if (!Array.isArray(e.details)) throw new Error(`error.details must be an array: ${JSON.stringify(body)}`);
  for (const d of e.details) {
    if (typeof d?.path !== 'string' || typeof d?.message !== 'string') {
      throw new Error(`each detail must be { path, message } strings: ${JSON.stringify(d)}`);
    }
  }
}
