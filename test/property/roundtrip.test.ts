// The round-trip contract (README, "Administrative events"): every value POST /v1/events and
// /v1/auth-events accept reads back identical from every read path, export, import and verify — for
// arbitrary JSON values, on the store of the vitest project (SQLite or PostgreSQL).
import { writeFileSync } from 'node:fs';
import { parse as parseCsv } from 'csv-parse/sync';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalJson } from '../../src/core/domain/canonical-json.js';
import { CSV_COLUMNS, neutraliseFormula } from '../../src/core/domain/csv-format.js';
import { diffValues } from '../../src/core/domain/diff.js';
import { tempDir } from '../helpers/temp-dir.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
import {
  buildCase,
  type Case,
  content,
  eventFields,
  expectedEvent,
  propertyOptions,
  propertyRuns,
  timeoutFor,
} from './arbitraries.js';
import { cliStore, ndjsonEvents, readJson } from './property-helpers.js';

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

/** Every read path of one stored case, each compared with what was sent. */
async function checkReads(c: Case): Promise<void> {
  const e = c.event as { id: string; target: { type: string; id: string }; sessionId: string };
  const expected = expectedEvent(c.event);
  const want = content(expected);
  const byId = await readJson(server, `/v1/events/${enc(e.id)}`);
  expect(content(byId)).toBe(want);
  const changes = canonicalJson(byId.changes);
  expect(changes).toBe(canonicalJson(diffValues(expected.oldValue, expected.newValue)));
  const same = (got: any, where: string) => {
    expect(got, `${where} holds the event`).toBeDefined();
    expect(content(got), where).toBe(want);
    expect(canonicalJson(got.changes), where).toBe(changes);
  };
  const target = `targetType=${enc(e.target.type)}&targetId=${enc(e.target.id)}`;
  const find = (events: any[]) => events.find((x) => x.id === e.id);

  same(find((await readJson(server, `/v1/events?${target}`)).events), 'filtered list');
  same(find((await readJson(server, `/v1/events?q=${c.token}`)).events), 'keyword search');
  await readJson(server, '/v1/events?limit=5');
  const history = `/v1/entities/${enc(e.target.type)}/${enc(e.target.id)}/history`;
  same(find((await readJson(server, history)).events), 'entity history');
  const session = await readJson(server, `/v1/sessions/${enc(e.sessionId)}`);
  same(find(session.actions), 'session detail');

  const login = (await readJson(server, `/v1/auth-events?q=${c.token}`)).events;
  expect(login).toHaveLength(1);
  const { id: _id, seq: _seq, tenant: _tenant, receivedAt: _at, ...authContent } = login[0];
  const sentLogin = { ...c.login, occurredAt: new Date(c.login.occurredAt as string).toISOString() };
  expect(canonicalJson(authContent)).toBe(canonicalJson(sentLogin));

  const ndjson = ndjsonEvents(await (await server.request(`/v1/export?format=ndjson&${target}`)).text());
  same(find(ndjson), 'NDJSON export');
  const csv = await (await server.request(`/v1/export?format=csv&${target}`)).text();
  checkCsvRow(csv, expected, changes);
  stored.push({ expected, changes });
}

/** The CSV row: text cells as sent (formula-neutralised), JSON cells parse back to the values. */
function checkCsvRow(csv: string, expected: Record<string, any>, changes: string): void {
  const rows = parseCsv(csv, { columns: true, bom: false }) as Record<string, string>[];
  expect(rows).toHaveLength(1);
  const row = rows[0]!;
  expect(Object.keys(row)).toEqual([...CSV_COLUMNS]);
  const text: Record<string, unknown> = {
    id: expected.id,
    occurredAt: expected.occurredAt,
    actorId: expected.actor.id,
    actorUsername: expected.actor.username,
    actorDisplayName: expected.actor.displayName,
    actorType: expected.actor.type,
    action: expected.action,
    eventType: expected.eventType,
    category: expected.category,
    targetType: expected.target.type,
    targetId: expected.target.id,
    targetName: expected.target.name,
    ip: expected.ip,
    userAgent: expected.userAgent,
    sessionId: expected.sessionId,
    requestId: expected.requestId,
    reason: expected.reason,
  };
  for (const [column, value] of Object.entries(text)) {
    expect(row[column], `CSV ${column}`).toBe(neutraliseFormula(value ?? ''));
  }
  const json = (cell: string) =>
    cell === '' ? null : JSON.parse(cell.startsWith("'") ? cell.slice(1) : cell);
  for (const column of ['oldValue', 'newValue', 'metadata'] as const) {
    expect(canonicalJson(json(row[column]!)), `CSV ${column}`).toBe(canonicalJson(expected[column] ?? null));
  }
  expect(canonicalJson(json(row.changes!)), 'CSV changes').toBe(changes);
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
          await checkReads(c);
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
