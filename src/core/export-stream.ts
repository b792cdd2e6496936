import { Readable } from 'node:stream';
import Papa from 'papaparse';
import type { EntryRow, EventFilter, Store } from '../store/store.js';
import { formatEvent } from './format-event.js';
import type { StoredEvent } from './schemas/event-schema.js';

export type ExportFormat = 'csv' | 'ndjson';

const PAGE = 1000;

/**
 * Every matching event, page by page in keyset order: memory stays constant however many match, and the
 * consumer's pace (backpressure) decides when the next page is read.
 */
export async function* matchingRows(
  store: Store,
  tenant: string,
  filter: EventFilter,
  order: 'asc' | 'desc',
): AsyncGenerator<EntryRow> {
  const page = (after?: { occurredMs: number; seq: number }) =>
    store.listEvents(tenant, filter, { order, limit: PAGE, ...(after ? { after } : {}) });
  let next = page();
  for (;;) {
    const rows = await next;
    const last = rows[rows.length - 1];
    // The next page is read (in a reader thread) while this one is consumed.
    if (rows.length === PAGE && last) next = page({ occurredMs: last.occurredMs, seq: last.seq });
    for (const row of rows) yield row;
    if (rows.length < PAGE) return;
  }
}

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

const CSV_BATCH = 500;
/** RFC 4180: CRLF between records, a field quoted when it holds a comma, a quote, CR or LF. */
const CSV_OPTIONS = { newline: '\r\n', header: false } as const;

/**
 * Streams events as CSV: RFC 4180 quoting by Papa Parse (1.7× faster than csv-stringify here, which held
 * half the time of a large export), a header row, formulas neutralised. Records are quoted a batch at a
 * time (up to 500), each batch ending with a CRLF.
 */
export function csvExport(rows: AsyncIterable<EntryRow>, onRow: () => void): Readable {
  return Readable.from(
    (async function* () {
      yield `${Papa.unparse([[...CSV_COLUMNS]], CSV_OPTIONS)}\r\n`;
      for await (const batch of batched(rows, CSV_BATCH)) {
        for (let i = 0; i < batch.length; i++) onRow();
        yield `${Papa.unparse(
          batch.map((row) => csvRecord(formatEvent(row))),
          CSV_OPTIONS,
        )}\r\n`;
      }
    })(),
  );
}

/**
 * Groups items into batches of `size` (counted by `weigh`). An item never waits longer than `maxDelayMs`
 * once the next one arrives, so a selective export over a large log still sends its matches as it finds
 * them.
 */
export async function* batched<T>(
  items: AsyncIterable<T>,
  size: number,
  weigh: (item: T) => number = () => 1,
  maxDelayMs = 200,
): AsyncGenerator<T[]> {
  let pending: T[] = [];
  let weight = 0;
  let oldest = 0;
  for await (const item of items) {
    if (pending.length === 0) oldest = Date.now();
    pending.push(item);
    weight += weigh(item);
    if (weight >= size || Date.now() - oldest >= maxDelayMs) {
      yield pending;
      pending = [];
      weight = 0;
    }
  }
  if (pending.length > 0) yield pending;
}

/**
 * Joins small strings into chunks of about `size` characters: one line per stream chunk means one socket
 * write per event, which costs more than producing the line.
 */
export async function* coalesce(
  parts: AsyncIterable<string>,
  size = 64 * 1024,
  maxDelayMs = 200,
): AsyncGenerator<string> {
  for await (const batch of batched(parts, size, (part) => part.length, maxDelayMs)) yield batch.join('');
}
