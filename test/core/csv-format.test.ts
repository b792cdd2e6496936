import fc from 'fast-check';
import Papa from 'papaparse';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../src/core/domain/canonical-json.js';
import { CSV_COLUMNS, CSV_HEADER, csvBytes, csvRecords } from '../../src/core/domain/csv-format.js';
import { spliceRecord } from '../../src/core/domain/csv-splice.js';
import { formatEvent } from '../../src/core/domain/format-event.js';
import type { EntryRow } from '../../src/core/domain/rows.js';
import type { StoredEvent } from '../../src/core/domain/schemas/event-schema.js';
import { formatTimestamp } from '../../src/core/domain/time.js';
import { anyText, jsonObject, jsonValue, propertyOptions } from '../property/arbitraries.js';

// The records as Papa Parse's unparse made them before the export formatted them by hand: the reference the
// bytes of every export must stay equal to.
function papaRecord(e: StoredEvent): unknown[] {
  const json = (v: unknown) => (v === undefined || v === null ? '' : JSON.stringify(v));
  const neutralise = (v: unknown) =>
    typeof v !== 'string' || v === '' ? v : /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
  return [
    e.id,
    e.seq,
    e.occurredAt,
    e.receivedAt,
    e.actor.id,
    e.actor.username,
    e.actor.displayName,
    e.actor.type,
    e.action,
    e.eventType,
    e.category,
    e.target.type,
    e.target.id,
    e.target.name,
    e.ip,
    e.userAgent,
    e.sessionId,
    e.requestId,
    e.reason,
    json(e.oldValue),
    json(e.newValue),
    json(e.changes),
    json(e.metadata),
  ].map(neutralise);
}
const OPTIONS = { newline: '\r\n', header: false } as const;
const papaRecords = (rows: EntryRow[]) =>
  rows.length === 0
    ? ''
    : `${Papa.unparse(
        rows.map((r) => papaRecord(formatEvent(r))),
        OPTIONS,
      )}\r\n`;

/** Text made of what CSV and spreadsheets treat specially: formula starts, quotes, separators, spaces, a BOM. */
const csvUnit = fc.constantFrom(
  '=',
  '+',
  '-',
  '@',
  '\t',
  '\r',
  '\n',
  '"',
  ',',
  ' ',
  '\ufeff',
  "'",
  'a',
  'é',
  '😀',
);
const csvText = fc.string({ unit: csvUnit, maxLength: 8 });
/** Over 32 bytes: a spliced cell that long is copied whole (csv-splice.ts), not byte by byte. */
const longCsvText = fc.string({ unit: csvUnit, minLength: 33, maxLength: 48 });
const text = fc.oneof(csvText, longCsvText, anyText);
const optional = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });
// A legacy body may hold a number or an object where a string is expected: both are cells too.
const oddCell = fc.oneof(
  text,
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.integer(), { maxLength: 3 }),
  fc.dictionary(fc.string({ unit: fc.constantFrom('a', 'b') }), fc.integer(), { maxKeys: 2 }),
);

const event = fc.record(
  {
    id: text,
    occurredAt: text,
    actor: fc.record({ id: oddCell, username: optional(text), displayName: optional(text), type: text }),
    action: text,
    eventType: text,
    category: text,
    target: fc.record({ type: text, id: oddCell, name: optional(text) }),
    oldValue: optional(jsonValue),
    newValue: optional(jsonValue),
    changes: optional(fc.array(fc.record({ path: text, old: jsonValue, new: jsonValue }), { maxLength: 3 })),
    ip: optional(text),
    userAgent: optional(text),
    sessionId: optional(text),
    requestId: optional(oddCell),
    reason: optional(text),
    metadata: optional(jsonObject),
  },
  { requiredKeys: ['id', 'occurredAt', 'actor', 'action', 'eventType', 'category', 'target'] },
);

const row = (body: unknown, seq: number, text = JSON.stringify(body)): EntryRow => ({
  tenant: 't',
  seq,
  occurredMs: 0,
  receivedMs: Date.UTC(2026, 0, 1) + seq,
  body: text,
  prevHash: '0'.repeat(64),
  hash: '1'.repeat(64),
});

describe('CSV records', () => {
  it('are byte for byte what Papa Parse made, for any cell content', () => {
    fc.assert(
      fc.property(fc.array(event, { maxLength: 4 }), (events) => {
        const rows = events.map((e, i) => row(e, i + 1));
        expect(csvRecords(rows)).toBe(papaRecords(rows));
        expect(new TextDecoder().decode(csvBytes(rows))).toBe(papaRecords(rows));
      }),
      propertyOptions(300),
    );
  });

  it('quote, double quotes and neutralise formulas in the cases people meet', () => {
    const e = {
      id: ' lead',
      occurredAt: 'trail ',
      actor: { id: '=SUM(A1)', username: '-1', displayName: 'a "b", c', type: '\ufeffx' },
      action: '@x',
      eventType: '\tx',
      category: '\rx',
      target: { type: 'line\nbreak', id: 'plain', name: "'quoted'" },
      newValue: -5,
      metadata: { k: 'v, w' },
    };
    const out = csvRecords([row(e, 7)]);
    expect(out).toBe(papaRecords([row(e, 7)]));
    expect(out.startsWith('" lead",7,"trail ",')).toBe(true);
    expect(out).toContain(
      `'=SUM(A1),'-1,"a ""b"", c","\ufeffx",'@x,'\tx,"'\rx","line\nbreak",plain,'quoted'`,
    );
    expect(out).toContain(`,'-5,,"{""k"":""v, w""}"\r\n`);
    expect(CSV_HEADER).toBe(`${Papa.unparse([[...CSV_COLUMNS]], OPTIONS)}\r\n`);
    expect(csvRecords([])).toBe('');
  });

  it('fit their page however many quotes they double', () => {
    // Every cell made of quotes (escaped in the body, doubled in the record), and a value column that grows
    // the most from body to record, larger than the page's first buffer.
    const q = '"'.repeat(300);
    const e = {
      id: q,
      occurredAt: q,
      actor: { id: q, username: q, displayName: q, type: q },
      action: q,
      eventType: q,
      category: q,
      target: { type: q, id: q, name: q },
      // Each empty string's two quotes are doubled: 5 bytes in the record for 3 in the body.
      oldValue: Array.from({ length: 200_000 }, () => ''),
      newValue: { q: [q, { q }] },
      changes: [{ path: q, old: q, new: q }],
      ip: q,
      userAgent: q,
      sessionId: q,
      requestId: q,
      reason: q,
      metadata: { q },
    };
    const rows = [row(e, 1, canonicalJson(e)), row(e, 2, canonicalJson(e))];
    expect(spliceRecord(rows[0]!.body, 1, formatTimestamp(rows[0]!.receivedMs))).toBeDefined();
    expect(new TextDecoder().decode(csvBytes(rows))).toBe(papaRecords(rows));
  });

  it('format a legacy body with a bare undefined as its readers see it (null), never splicing its bytes', () => {
    const e = {
      action: 'update',
      actor: { id: 'u1', type: 'user', username: 'ann' },
      category: 'settings',
      eventType: 'settings.updated',
      id: 'e1',
      newValue: { constructor: 'x' },
      occurredAt: '2026-01-01T00:00:00.000Z',
      oldValue: { constructor: null },
      target: { id: 'undefined', type: 'Setting' },
    };
    const legacy = row(e, 1, canonicalJson(e).replace('"constructor":null', '"constructor":undefined'));
    expect(legacy.body).toContain(':undefined}');
    expect(spliceRecord(legacy.body, 1, formatTimestamp(legacy.receivedMs))).toBeUndefined();
    expect(new TextDecoder().decode(csvBytes([legacy]))).toBe(papaRecords([row(e, 1, canonicalJson(e))]));
  });

  it('are the same bytes when spliced from canonical bodies (as stored) as when formatted from parsed ones', () => {
    const text = (v: unknown) => (typeof v === 'string' ? v : (JSON.stringify(v) ?? ''));
    let seen = 0;
    let spliced = 0;
    fc.assert(
      fc.property(fc.array(event, { maxLength: 4 }), (events) => {
        // Ids as strings, as a valid event has them (a legacy number or object is formatted, not spliced).
        const valid = events.map((e) => ({
          ...e,
          actor: { ...e.actor, id: text(e.actor.id) },
          target: { ...e.target, id: text(e.target.id) },
          requestId: e.requestId === undefined ? undefined : text(e.requestId),
        }));
        const rows = valid.map((e, i) => row(e, i + 1, canonicalJson(e)));
        for (const r of rows) {
          seen++;
          if (spliceRecord(r.body, r.seq, formatTimestamp(r.receivedMs)) !== undefined) spliced++;
        }
        expect(new TextDecoder().decode(csvBytes(rows))).toBe(papaRecords(rows));
      }),
      propertyOptions(300),
    );
    // Many generated events take the splice (~18%: an index key, a lone surrogate, … take the other path).
    expect(spliced).toBeGreaterThan(seen / 10);
  });

  it('splice a body only when its text is what JSON.stringify writes back, whatever the body', () => {
    const splice = (r: EntryRow) => spliceRecord(r.body, r.seq, formatTimestamp(r.receivedMs));
    // A canonical body without its closing brace; each case adds a key (the body's own keys may come in any order).
    const canonical =
      '{"action":"update","actor":{"id":"u1","type":"user"},"category":"c","eventType":"x.y","id":"e1",' +
      '"occurredAt":"2026-01-01T00:00:00.000Z","target":{"id":"t1","type":"T"}';
    // Texts JSON.parse accepts and JSON.stringify writes otherwise, or which a parsed event reads otherwise.
    const odd = [
      '"newValue":{"b":1, "a":2}',
      '"newValue":{"b":1,"a":2}',
      '"newValue":{"a":1,"a":2}',
      '"newValue":{"10":1,"9":2}',
      '"newValue":1.50',
      '"newValue":1e3',
      '"newValue":-0',
      '"newValue":12345678901234567890',
      '"newValue":"\\u0041\\/"',
      '"newValue":"\\u0001\\u001F\\u0008"',
      '"reason":"a\\u0041"',
      '"reason":5',
      '"reason":{"a":1}',
      '"actor":"x"',
      '"id":"e2"',
      '"actor":{"id":"u2","type":"bot"}',
      '"newValue":"\\ud800"',
    ];
    for (const extra of odd) {
      const r = row(null, 3, `${canonical},${extra}}`);
      const spliced = splice(r);
      if (spliced !== undefined) expect(spliced).toBe(csvRecords([r]));
    }
    expect(splice(row(null, 3, `${canonical},"newValue":{"a":2,"b":1}}`))).toBeDefined();
    expect(splice(row(null, 3, `${canonical},"newValue":1.5}`))).toBeDefined();
    expect(splice(row(null, 3, `${canonical},"newValue":"\\u0001\\t"}`))).toBeDefined();
    expect(splice(row(null, 3, `${canonical},"newValue":"\\u0009"}`))).toBeUndefined();
    expect(splice(row(null, 3, `${canonical},"newValue":{"b":1,"a":2}}`))).toBeUndefined();
    expect(splice(row(null, 3, `${canonical},"newValue":{"10":1,"9":2}}`))).toBeUndefined();
    expect(splice(row(null, 3, `${canonical} }`))).toBeUndefined();
    // Keys compared in UTF-16 order, though scanned as UTF-8 bytes: the two orders differ between U+E000–U+FFFF
    // and the supplementary planes.
    const keys = (k: string) => row(null, 3, `${canonical},"newValue":{${k}}}`);
    expect(splice(keys('"é":1,"ö":2,"😀":3'))).toBe(csvRecords([keys('"é":1,"ö":2,"😀":3')]));
    expect(splice(keys('"ö":1,"é":2'))).toBeUndefined();
    expect(splice(keys('"😀":1,"\uffff":2'))).toBe(csvRecords([keys('"😀":1,"\uffff":2')]));
    expect(splice(keys('"\uffff":1,"😀":2'))).toBeUndefined();
    expect(csvRecords([keys('"😀":1,"\uffff":2')])).toContain('{""😀"":1,""\uffff"":2}');
    expect(new TextDecoder().decode(csvBytes([keys('"😀":1,"\uffff":2')]))).toBe(
      csvRecords([keys('"😀":1,"\uffff":2')]),
    );
    expect(
      splice(row(null, 3, `${canonical.replace(',"target":{"id":"t1","type":"T"}', '')}}`)),
    ).toBeUndefined();
    fc.assert(
      fc.property(event, fc.boolean(), (e, canon) => {
        const r = row(e, 1, canon ? canonicalJson(e) : JSON.stringify(e));
        const spliced = splice(r);
        if (spliced !== undefined) expect(spliced).toBe(csvRecords([r]));
      }),
      propertyOptions(500),
    );
  });
});
