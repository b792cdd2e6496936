import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CATALOG } from '../../src/core/domain/catalog.js';
import { tempDir } from '../helpers/temp-dir.js';
import { json, startTestServer, type TestServer } from '../helpers/test-server.js';

type Operation = {
  operationId?: string;
  summary?: string;
  security?: unknown[];
  parameters?: { name: string; in: string; schema: Record<string, unknown> }[];
  requestBody?: unknown;
  responses: Record<string, { content?: Record<string, unknown> }>;
};

let server: TestServer;
let doc: { paths: Record<string, Record<string, Operation>>; servers?: unknown[] };
const operations = () =>
  Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.entries(ops).map(([method, op]) => ({ path, method, op })),
  );

beforeAll(async () => {
  server = await startTestServer();
  doc = await json(await server.request('/openapi.json', { token: null }));
});
afterAll(async () => server?.close());

describe('GET /openapi.json', () => {
  it('names and summarises every operation, each operationId once', () => {
    const ids = operations().map(({ op }) => op.operationId);
    expect(operations().filter(({ op }) => !op.operationId || !op.summary)).toEqual([]);
    expect(new Set(ids).size).toBe(ids.length);
    expect(doc.servers).toEqual([{ url: '/', description: 'this server' }]);
  });

  it('documents every route the server has', () => {
    const documented = operations().map(({ path, method }) => `${method.toUpperCase()} ${path}`);
    const routes = server.app.routeTable
      .filter((r) => r.url.startsWith('/v1/') || ['/healthz', '/livez', '/metrics'].includes(r.url))
      .map((r) => `${r.method} ${r.url.replace(/:(\w+)/g, '{$1}')}`);
    expect(documented.sort()).toEqual(routes.sort());
  });

  it('lists the shared error statuses where they apply', () => {
    const statuses = (id: string) =>
      Object.keys(operations().find(({ op }) => op.operationId === id)!.op.responses);
    expect(statuses('recordEvents')).toEqual(
      expect.arrayContaining(['201', '400', '401', '403', '409', '413', '415', '429', '500', '503']),
    );
    expect(statuses('getEvent')).toEqual(expect.arrayContaining(['200', '400', '401', '403', '404', '429']));
    expect(statuses('getReadiness')).not.toContain('401');
  });

  it('needs no token for health, liveness and metrics', () => {
    for (const id of ['getReadiness', 'getLiveness', 'getMetrics']) {
      expect(operations().find(({ op }) => op.operationId === id)?.op.security).toEqual([]);
    }
  });

  it('gives the export its media types', () => {
    const exportOp = operations().find(({ op }) => op.operationId === 'exportEvents')!.op;
    expect(Object.keys(exportOp.responses['200']?.content ?? {}).sort()).toEqual([
      'application/x-ndjson',
      'text/csv',
    ]);
  });

  it('is as strict as the server: catalog, durations, ranges, closed objects', () => {
    const text = JSON.stringify(doc);
    expect(text).not.toContain('patternMessage');
    const param = (id: string, name: string) =>
      operations()
        .find(({ op }) => op.operationId === id)!
        .op.parameters!.find((p) => p.name === name)!.schema;
    expect(param('listEvents', 'category')).toMatchObject({
      type: 'array',
      items: { enum: DEFAULT_CATALOG.map((c) => c.key) },
    });
    expect(param('getAuthFailures', 'bucket')).toHaveProperty('pattern');
    expect(param('listActors', 'limit')).toMatchObject({ minimum: 1, maximum: 100 });
    expect(operations().some(({ op }) => op.parameters?.some((p) => p.name === 'afterSeq'))).toBe(true);
    expect(param('getEntityHistory', 'limit')).toBeDefined();
    const schemas = (doc as unknown as { components: { schemas: Record<string, any> } }).components.schemas;
    expect(schemas.EventInput.properties.category.enum).toEqual(DEFAULT_CATALOG.map((c) => c.key));
    expect(schemas.AuthEventInput.properties.ip.anyOf).toEqual([{ format: 'ipv4' }, { format: 'ipv6' }]);
    const viewer = operations().find(({ op }) => op.operationId === 'createViewerSession')!.op;
    expect(viewer.requestBody).toMatchObject({ required: false });
    const history = operations().find(({ op }) => op.operationId === 'getEntityHistory')!.op;
    expect(history.parameters!.map((p) => p.name)).not.toContain('afterSeq');
  });

  it('passes Redocly lint with no error', async () => {
    const dir = tempDir();
    try {
      const file = join(dir.path, 'openapi.json');
      writeFileSync(file, JSON.stringify(doc));
      const cli = join(process.cwd(), 'node_modules/@redocly/cli/bin/cli.js');
      const result = await promisify(execFile)(
        process.execPath,
        [cli, 'lint', file, '--config', join(process.cwd(), 'redocly.yaml'), '--format', 'json'],
        { env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' } },
      ).catch((error: { stdout: string; stderr: string }) => error);
      const report = JSON.parse(result.stdout) as { totals: { errors: number }; problems: unknown[] };
      expect(report.problems).toEqual([]);
      expect(report.totals.errors).toBe(0);
    } finally {
      dir.remove();
    }
  });
});
