import type { FastifyInstance } from 'fastify';
import { type AuditLog, type AuditLogOptions, openAuditLog } from '../../src/core/audit-log.js';
import { createMetrics } from '../../src/server/metrics.js';
import { buildServer, type ServerOptions } from '../../src/server/server.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { tempDir } from './temp-dir.js';

export const ADMIN_TOKEN = 'test-bootstrap-token-0123456789';

export interface TestServer {
  url: string;
  app: FastifyInstance;
  log: AuditLog;
  dbFile: string;
  /** fetch against the server with the admin token unless `token` is given (null: no header). */
  request: (
    path: string,
    init?: RequestInit & { token?: string | null; json?: unknown },
  ) => Promise<Response>;
  /** Creates a token through the API (admin) and returns its secret. */
  token: (tenant: string, scopes: string[], name?: string) => Promise<string>;
  close: () => Promise<void>;
}

/** A real server on a real SQLite file, listening on a free port. */
export async function startTestServer(
  options: Partial<AuditLogOptions> = {},
  serverOptions: Partial<Omit<ServerOptions, 'log' | 'metrics'>> = {},
): Promise<TestServer> {
  const dir = tempDir();
  const dbFile = dir.file('auditlog.db');
  const store = await SqliteStore.open({ file: dbFile, readers: 2 });
  const log = await openAuditLog({ ...options, store });
  await log.access.ensureBootstrapToken(ADMIN_TOKEN);
  const app = await buildServer({
    maxAuthFailuresPerMinute: 10_000,
    ...serverOptions,
    log,
    metrics: createMetrics(),
  });
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
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
    app,
    token,
    log,
    dbFile,
    request,
    close: async () => {
      await app.close();
      await log.close();
      dir.remove();
    },
  };
}

/** A minimal valid administrative event; override any field. */
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
