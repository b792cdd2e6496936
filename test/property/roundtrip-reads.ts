// The read paths of the round-trip contract: one stored case read back from each, compared with what was sent.
import { parse as parseCsv } from 'csv-parse/sync';
import { expect } from 'vitest';
import { canonicalJson } from '../../src/core/domain/canonical-json.js';
import { CSV_COLUMNS, neutraliseFormula } from '../../src/core/domain/csv-format.js';
import { diffValues } from '../../src/core/domain/diff.js';
import type { TestServer } from '../helpers/test-server.js';
import { type Case, content, expectedEvent } from './arbitraries.js';
import { ndjsonEvents, readJson } from './property-helpers.js';

const enc = encodeURIComponent;

/** Every read path of one stored case, each compared with what was sent. */
export async function checkReads(
  server: TestServer,
  c: Case,
  options: { encrypted?: boolean } = {},
): Promise<{ expected: Record<string, unknown>; changes: string }> {
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

  // Encrypted, the sign-in's username (which holds the token) is not searchable: found by its time instead.
  const at = new Date(c.login.occurredAt as string).getTime();
  const window = `from=${new Date(at).toISOString()}&to=${new Date(at + 1).toISOString()}&limit=500`;
  const login = options.encrypted
    ? (await readJson(server, `/v1/auth-events?${window}`)).events.filter(
        (x: any) => x.sessionId === e.sessionId,
      )
    : (await readJson(server, `/v1/auth-events?q=${c.token}`)).events;
  expect(login).toHaveLength(1);
  const { id: _id, seq: _seq, tenant: _tenant, receivedAt: _at, ...authContent } = login[0];
  const sentLogin = { ...c.login, occurredAt: new Date(c.login.occurredAt as string).toISOString() };
  expect(canonicalJson(authContent)).toBe(canonicalJson(sentLogin));

  const ndjson = ndjsonEvents(await (await server.request(`/v1/export?format=ndjson&${target}`)).text());
  if (!options.encrypted) same(find(ndjson), 'NDJSON export');
  else {
    // The NDJSON export is the stored entries, hashed as they are: actor, ip and user agent as envelopes.
    const line = find(ndjson);
    for (const field of ['oldValue', 'newValue', 'metadata'])
      expect(canonicalJson(line?.[field] ?? null), `NDJSON ${field}`).toBe(
        canonicalJson((expected as any)[field] ?? null),
      );
  }
  const csv = await (await server.request(`/v1/export?format=csv&${target}`)).text();
  checkCsvRow(csv, expected, changes);
  return { expected, changes };
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
