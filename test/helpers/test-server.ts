import type { FastifyInstance } from 'fastify';
import type { Store } from '../../src/core/ports/store.js';
import { type AuditLog, type AuditLogOptions, openAuditLog } from '../../src/core/services/audit-log.js';
import { createMetrics } from '../../src/server/metrics.js';
import { buildServer, type ServerOptions } from '../../src/server/server.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { openApiResponseChecker, type ResponseSeen } from './openapi-responses.js';
import { filesUnder, readFiles, type StoredBytes, sqliteFiles } from './stored-bytes.js';
import { tempDir } from './temp-dir.js';

export const ADMIN_TOKEN = 'Y7o2GsrWLF4UQUMXOeNAXpid-0tGe21W';

export type StoreKind = 'sqlite' | 'postgres';

/** The store the server tests run on: the vitest project `postgres` sets AUDITLOG_TEST_STORE=postgres. */
export const TEST_STORE: StoreKind = process.env.AUDITLOG_TEST_STORE === 'postgres' ? 'postgres' : 'sqlite';

export interface TestServer {
  url: string;
  app: FastifyInstance;
  log: AuditLog;
  storeKind: StoreKind;
  /** The SQLite file; reading it on PostgreSQL throws (use `storedBytes`). */
  dbFile: string;
  /** The PostgreSQL database (postgres only). */
  databaseUrl?: string;
  /**
   * Everything the store keeps (SQLite: the file, -wal, -shm; PostgreSQL: every row, the database's files and
   * recent WAL when readable here, and the server's directory with the signing key).
   */
  storedBytes: () => Promise<StoredBytes[]>;
  /** fetch against the server with the admin token unless `token` is given (null: no header). */
  request: (
    path: string,
    init?: RequestInit & { token?: string | null; json?: unknown },
  ) => Promise<Response>;
  /** Answers checked against the server's /openapi.json, and those that did not match (close() then fails). */
  contract: { checked: number; violations: string[] };
  /** Creates a token through the API (admin) and returns its secret. */
  token: (tenant: string, scopes: string[], name?: string) => Promise<string>;
  close: () => Promise<void>;
}

interface TestStore {
  store: Store;
  dbFile?: string;
  databaseUrl?: string;
  storedBytes: () => Promise<StoredBytes[]>;
  /** After the store is closed. */
  remove: () => Promise<void>;
}

async function openTestStore(dir: ReturnType<typeof tempDir>): Promise<TestStore> {
  if (TEST_STORE === 'sqlite') {
    const dbFile = dir.file('auditlog.db');
    const store = await SqliteStore.open({ file: dbFile, readers: 2 });
    return { store, dbFile, storedBytes: async () => sqliteFiles(dbFile), remove: async () => {} };
  }
  // Loaded only here, so that the SQLite project never loads the driver.
  const { createTestDatabase, postgresStoredBytes } = await import('./postgres.js');
  const db = await createTestDatabase();
  try {
    const { PostgresStore } = await import('../../src/store/postgres/postgres-store.js');
    // The key file is the node's, never the database's; kept with the server's temporary directory.
    const store = await PostgresStore.open({ url: db.url, keyFile: dir.file('signing-key.pem') });
    return {
      store,
      databaseUrl: db.url,
      storedBytes: async () => [
        ...(await postgresStoredBytes(db.url, db.createdMs)),
        ...readFiles(filesUnder(dir.path)),
      ],
      remove: db.drop,
    };
  } catch (error) {
    await db.drop();
    throw error;
  }
}

/**
 * A real server on a real store (a SQLite file, or a fresh PostgreSQL database when AUDITLOG_TEST_STORE is
 * `postgres`), listening on a free port.
 */
export async function startTestServer(
  options: Partial<AuditLogOptions> = {},
  serverOptions: Partial<Omit<ServerOptions, 'log' | 'metrics'>> = {},
): Promise<TestServer> {
  const dir = tempDir();
  const opened = await openTestStore(dir).catch((error) => {
    dir.remove();
    throw error;
  });
  let log: AuditLog | undefined;
  let app: FastifyInstance | undefined;
  let url: string;
  const contract = { checked: 0, violations: [] as string[] };
  try {
    log = await openAuditLog({ ...options, store: opened.store });
    await log.access.ensureBootstrapToken(ADMIN_TOKEN, { actor: { id: 'cli:test', type: 'system' } });
    app = await buildServer({
      maxAuthFailuresPerMinute: 10_000,
      ...serverOptions,
      log,
      metrics: createMetrics(),
    });
    checkResponsesAgainstDocument(app, contract);
    url = await app.listen({ port: 0, host: '127.0.0.1' });
  } catch (error) {
    await app?.close().catch(() => {});
    await (log ?? opened.store).close().catch(() => {});
    await opened.remove();
    dir.remove();
    throw error;
  }
  const request: TestServer['request'] = (path, init = {}) => {
    const { token = ADMIN_TOKEN, json, headers, ...rest } = init;
    const h = new Headers(headers);
    if (token !== null) h.set('authorization', `Bearer ${token}`);
    if (json !== undefined) h.set('content-type', 'application/json');
    return fetch(url + path, {
      ...rest,
      headers: h,
      body: json === undefined ? rest.body : JSON.stringify(json),
    });
  };
  const token: TestServer['token'] = async (tenant, scopes, name) => {
    const res = await request('/v1/tokens', { method: 'POST', json: { tenant, scopes, name } });
    if (res.status !== 201) throw new Error(`token creation failed: ${res.status} ${await res.text()}`);
    return ((await res.json()) as { token: string }).token;
  };
  return {
    url,
    app: app as FastifyInstance,
    token,
    log: log as AuditLog,
    storeKind: TEST_STORE,
    get dbFile(): string {
      if (opened.dbFile === undefined)
        throw new Error(`server.dbFile: the ${TEST_STORE} store has no file; use server.storedBytes()`);
      return opened.dbFile;
    },
    databaseUrl: opened.databaseUrl,
    storedBytes: opened.storedBytes,
    request,
    contract,
    close: async () => {
      try {
        await slowPhase('the HTTP server', () => app && closeHttp(app));
        await slowPhase('the log and its store', () => log?.close());
      } finally {
        await slowPhase('removing the storage', () => opened.remove());
        dir.remove();
      }
      // Every answer this server gave in the suite matched /openapi.json (openapi-responses.ts).
      if (contract.violations.length > 0) {
        throw new Error(`answers that break /openapi.json:\n${[...new Set(contract.violations)].join('\n')}`);
      }
    },
  };
}

/**
 * The response contract test: every answer of every suite's server is checked against the server's own
 * /openapi.json — its status must be documented for the operation, its JSON body must match the schema.
 */
function checkResponsesAgainstDocument(app: FastifyInstance, contract: TestServer['contract']): void {
  let check: ((seen: ResponseSeen) => string | null) | undefined;
  app.addHook('onSend', async (request, reply, payload) => {
    if (request.url === '/openapi.json') return payload;
    check ??= openApiResponseChecker(app.swagger());
    const problem = check({
      method: request.method,
      route: request.routeOptions.url,
      status: reply.statusCode,
      contentType: reply.getHeader('content-type') as string | undefined,
      body: typeof payload === 'string' ? payload : '',
    });
    contract.checked++;
    if (problem) contract.violations.push(problem);
    return payload;
  });
}

/** A minimal valid administrative event; override any field. */
/** A successful password sign-in of `user` at `occurredAt`, in session `s-<id>`. */
export function sampleSignIn(id: string, user: object, occurredAt: string): Record<string, unknown> {
  return {
    id,
    type: 'login_success',
    occurredAt,
    user,
    method: 'password',
    sessionId: `s-${id}`,
    ip: '192.0.2.1',
  };
}

export function sampleEvent(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    actor: { id: 'usr_1', username: 'jane.admin', displayName: 'Jane Admin' },
    action: 'update',
    category: 'telephony',
    target: { type: 'Carrier', id: 'trunk-provider-1' },
    oldValue: { maxChannels: 60 },
    newValue: { maxChannels: 120 },
    ip: '10.0.0.1',
    ...overrides,
  };
}

/** The JSON body of a response, untyped for assertions. */
export async function json(res: Response): Promise<any> {
  return res.json();
}

/**
 * As `auditlog serve` does on SIGTERM: connections still open 10 s into close() are closed. Once in a few
 * dozen runs, one socket kept a PostgreSQL suite's close() waiting until the server's 60-s connection timeout
 * (58.4 s, past the hook's 60-s limit with what followed), every request of the suite having been answered.
 */
async function closeHttp(app: FastifyInstance): Promise<void> {
  const late = setTimeout(() => {
    app.server.getConnections((_error, open) =>
      console.warn(`test server teardown: ${open} connection(s) still open after 10 s; closing them`),
    );
    app.server.closeAllConnections();
  }, 10_000);
  try {
    await app.close();
  } finally {
    clearTimeout(late);
  }
}

/**
 * Runs one phase of a server's teardown, saying which one was slow: a teardown that ran past the hook's
 * timeout once in CI (PostgreSQL, export.test.ts, every test passed) left no clue which phase it was.
 */
async function slowPhase(name: string, phase: () => Promise<unknown> | undefined): Promise<void> {
  const started = performance.now();
  try {
    await phase();
  } finally {
    const ms = performance.now() - started;
    if (ms > 5_000) console.warn(`test server teardown: ${name} took ${(ms / 1000).toFixed(1)} s`);
  }
}
