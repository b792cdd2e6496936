import { Readable } from 'node:stream';
import { stringify } from 'csv-stringify';
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

/** Streams events as CSV: RFC 4180 quoting by csv-stringify, a header row, formulas neutralised. */
export function csvExport(rows: AsyncIterable<EntryRow>, onRow: () => void): Readable {
  const csv = stringify({ header: true, columns: [...CSV_COLUMNS], record_delimiter: 'windows' });
  const source = Readable.from(
    (async function* () {
      for await (const row of rows) {
        onRow();
        yield csvRecord(formatEvent(row));
      }
    })(),
  );
  source.on('error', (error) => csv.destroy(error));
  return source.pipe(csv);
}
