// The round-trip contract (README, "Administrative events"): every value POST /v1/events and
// /v1/auth-events accept reads back identical from every read path, export, import and verify — for
// arbitrary JSON values, on the store of the vitest project (SQLite or PostgreSQL).
import { writeFileSync } from 'node:fs';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalJson } from '../../src/core/domain/canonical-json.js';
import { tempDir } from '../helpers/temp-dir.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
import { buildCase, content, eventFields, propertyOptions, propertyRuns, timeoutFor } from './arbitraries.js';
import { cliStore, ndjsonEvents, readJson } from './property-helpers.js';
import { checkReads } from './roundtrip-reads.js';

let server: TestServer;
const dir = tempDir('auditlog-property-');
const stored: { expected: Record<string, unknown>; changes: string }[] = [];
const RUN = Math.random().toString(36).slice(2, 8);
const RUNS = propertyRuns(60);

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.close();
  dir.remove();
});

const enc = encodeURIComponent;

async function post(path: string, body: unknown): Promise<void> {
  const res = await server.request(path, { method: 'POST', json: body });
  expect(res.status, `${path}: ${await res.clone().text()}`).toBe(201);
}

describe(`round trip on ${process.env.AUDITLOG_TEST_STORE ?? 'sqlite'}`, () => {
  it(
    'every accepted event reads back identical from every read path and export',
    async () => {
      let n = 0;
      await fc.assert(
        fc.asyncProperty(eventFields, async (fields) => {
          const c = buildCase(fields, `rt${RUN}n${(n++).toString(36)}`);
          await post('/v1/auth-events', c.login);
          await post('/v1/events', c.event);
          stored.push(await checkReads(server, c));
        }),
        propertyOptions(RUNS),
      );
      console.log(`round trip: ${n} generated cases, each through 11 read paths`);
    },
    timeoutFor(RUNS, 100),
  );

  it(
    'every page of the log reads; the whole export verifies, imports into a new chain and reads back identical',
    async () => {
      expect(stored.length).toBeGreaterThan(0);
      let cursor: string | null = null;
      const listed = new Set<string>();
      do {
        const page: any = await readJson(
          server,
          `/v1/events?limit=500${cursor ? `&cursor=${enc(cursor)}` : ''}`,
        );
        for (const e of page.events) listed.add(e.id);
        cursor = page.nextCursor;
      } while (cursor);
      for (const s of stored) expect(listed.has(s.expected.id as string)).toBe(true);

      const file = dir.file('export.ndjson');
      writeFileSync(file, await (await server.request('/v1/export?format=ndjson')).text());
      const store = cliStore(server, dir);
      expect((await store.run(['verify', '--file', file])).code).toBe(0);
      expect((await store.run(['verify', ...store.args])).code).toBe(0);

      const imported = await store.fresh();
      try {
        const loaded = await imported.run(['import', file, ...imported.args]);
        expect(loaded.code, loaded.stderr).toBe(0);
        expect((await imported.run(['verify', ...imported.args])).code).toBe(0);
        const out = await imported.run(['export', '--format', 'ndjson', ...imported.args]);
        const byId = new Map(ndjsonEvents(out.stdout).map((e) => [e.id, e]));
        for (const s of stored) {
          const got = byId.get(s.expected.id);
          expect(got, `imported ${s.expected.id}`).toBeDefined();
          expect(content(got)).toBe(content(s.expected));
          expect(canonicalJson(got.changes)).toBe(s.changes);
        }
      } finally {
        await imported.remove();
      }
    },
    timeoutFor(RUNS, 20),
  );
});
