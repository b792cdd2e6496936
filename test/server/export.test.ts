import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CSV_COLUMNS } from '../../src/core/domain/csv-format.js';
import { json, sampleEvent, startTestServer, type TestServer } from '../helpers/test-server.js';

let server: TestServer;
// Names may not hold control characters; free text (reason) may.
const hostileNames = ['=HYPERLINK("http://evil")', '+1+1', '-2+3', '@SUM(A1)', 'plain, "quoted"'];
const hostile = [...hostileNames, '\tindent', '\rreturn', 'line one\nline two, "quoted"'];

beforeAll(async () => {
  server = await startTestServer();
  const events = [];
  for (let i = 0; i < 1200; i++) {
    events.push(
      sampleEvent({
        id: `evt-${i}`,
        occurredAt: new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString(),
        category: i % 3 === 0 ? 'users' : 'telephony',
        target: { type: 'Carrier', id: `trunk-${i % 7}`, name: hostileNames[i % hostileNames.length] },
        reason: hostile[(i + 3) % hostile.length],
      }),
    );
  }
  for (let i = 0; i < events.length; i += 500) {
    const res = await server.request('/v1/events', {
      method: 'POST',
      json: { events: events.slice(i, i + 500) },
    });
    expect(res.status).toBe(201);
  }
});
afterAll(async () => server?.close());

async function pageThrough(query: string): Promise<any[]> {
  const out: any[] = [];
  let cursor: string | null = null;
  do {
    const page: any = await json(
      await server.request(
        `/v1/events?${query}&order=asc&limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      ),
    );
    out.push(...page.events);
    cursor = page.nextCursor;
  } while (cursor);
  return out;
}

describe('export', () => {
  it('streams NDJSON equal to paging through the API, in chain order, with hashes and checkpoints', async () => {
    const res = await server.request('/v1/export?format=ndjson&category=telephony');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('application/x-ndjson');
    const lines = (await res.text())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const events = lines.filter((l) => !('bridge' in l) && !('checkpoint' in l) && !('end' in l));
    const paged = (await pageThrough('category=telephony')).sort((a, b) => a.seq - b.seq);
    expect(events.length).toBe(800);
    for (const e of events) {
      expect(e.hash).toMatch(/^[0-9a-f]{64}$/);
      expect(e.prevHash).toMatch(/^[0-9a-f]{64}$/);
    }
    expect(events.map(({ hash, prevHash, ...rest }) => rest)).toEqual(paged);
    expect(lines.at(-2)).toHaveProperty('checkpoint');
    expect(lines.some((l) => 'bridge' in l)).toBe(true);
    // Last, the signed end line: the export's query and how many events it holds (docs/integrity.md).
    expect(lines.at(-1).end).toMatchObject({
      tenant: 'default',
      filters: { category: 'telephony' },
      events: 800,
    });
    expect(lines.filter((l) => 'end' in l)).toHaveLength(1);
  });

  it('streams CSV with a header, RFC 4180 quoting and neutralised formulas, and round-trips', async () => {
    const res = await server.request('/v1/export?format=csv&category=users');
    expect(res.headers.get('content-type')).toContain('text/csv');
    expect(res.headers.get('content-disposition')).toMatch(
      /^attachment; filename="auditlog-default-.*\.csv"$/,
    );
    const records: Record<string, string>[] = parse(await res.text(), { columns: true });
    const paged = await pageThrough('category=users');
    expect(records.length).toBe(paged.length);
    const unformula = (s: string) => (/^'[=+\-@\t\r]/.test(s) ? s.slice(1) : s);
    records.forEach((r, i) => {
      const e = paged[i];
      expect(r.id).toBe(e.id);
      expect(Number(r.seq)).toBe(e.seq);
      expect(unformula(r.targetName!)).toBe(e.target.name);
      expect(unformula(r.reason!)).toBe(e.reason);
      expect(JSON.parse(r.newValue!)).toEqual(e.newValue);
      expect(JSON.parse(r.changes!)).toEqual(e.changes);
      for (const cell of Object.values(r)) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
    });
    expect(records.some((r) => r.targetName === `'=HYPERLINK("http://evil")`)).toBe(true);
    expect(records.some((r) => r.reason === 'line one\nline two, "quoted"')).toBe(true);
    expect(records.some((r) => r.reason === "'\tindent")).toBe(true);
  });

  it('streams a CSV of more rows than a batch or a page, each once and in order; an empty one is its header', async () => {
    const res = await server.request('/v1/export?format=csv&category=telephony');
    const records: Record<string, string>[] = parse(await res.text(), { columns: true });
    const paged = await pageThrough('category=telephony');
    expect(paged.length).toBe(800);
    expect(records.map((r) => r.id)).toEqual(paged.map((e) => e.id));
    const empty = await (await server.request('/v1/export?format=csv&category=ai')).text();
    expect(empty).toBe(`${CSV_COLUMNS.join(',')}\r\n`);
  });

  it('rejects a bad filter before streaming', async () => {
    const res = await server.request('/v1/export?format=xml');
    expect(res.status).toBe(400);
    expect((await json(res)).error.details[0].path).toBe('/format');
    expect((await server.request('/v1/export?ip=nope')).status).toBe(400);
  });

  it('records every export as a security event with the filters and the row count', async () => {
    const exporter = await server.token('default', ['export', 'read'], 'nightly-backup');
    const res = await server.request('/v1/export?format=csv&category=users&q=trunk-3', { token: exporter });
    const rows = parse(await res.text(), { columns: true }).length;
    const found = await recordedExport('nightly-backup');
    expect(found.category).toBe('security');
    expect(found.action).toBe('create');
    expect(found.target.type).toBe('Export');
    expect(found.newValue).toEqual({
      format: 'csv',
      filters: { category: 'users', q: 'trunk-3' },
      rowCount: rows,
      completed: true,
    });
  });

  it('counts the events of a verifiable export, not its bridge and checkpoint lines', async () => {
    const exporter = await server.token('default', ['export', 'read'], 'evidence-export');
    const res = await server.request('/v1/export?format=ndjson&category=telephony', { token: exporter });
    const lines = (await res.text())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const events = lines.filter((l) => !('bridge' in l) && !('checkpoint' in l) && !('end' in l)).length;
    expect(events).toBe(800);
    expect(lines.length).toBeGreaterThan(events);
    const found = await recordedExport('evidence-export');
    expect(found.newValue).toMatchObject({ format: 'ndjson', rowCount: events, completed: true });
    // The end line names the export its record names.
    expect(found.target.id).toBe(lines.at(-1).end.exportId);
  });
});

/** The `auditlog.export` event of the export made by `username`: committed after the response, so waited for. */
function recordedExport(username: string): Promise<any> {
  return vi.waitFor(
    async () => {
      const list = await json(await server.request('/v1/events?eventType=auditlog.export&limit=500'));
      const event = list.events.find((e: any) => e.actor.username === username);
      if (!event) throw new Error('the export is not recorded yet');
      return event;
    },
    { timeout: 15_000, interval: 50 },
  );
}
