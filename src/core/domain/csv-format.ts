import { cell, isFormulaStart } from './csv-cell.js';
import { spliceInto } from './csv-splice.js';
import type { Keyset } from './filters.js';
import { formatEvent } from './format-event.js';
import { PageScratch } from './page-scratch.js';
import type { BodyRow, EntryRow } from './rows.js';
import type { StoredEvent } from './schemas/event-schema.js';
import { formatTimestamp } from './time.js';

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

/**
 * One event's record with its CRLF, cells joined as they are made (no array of cells): the reader threads
 * spend most of an export here.
 */
function csvRecord(e: StoredEvent): string {
  const json = (v: unknown) => (v === undefined || v === null ? '' : cell(JSON.stringify(v)));
  return `${cell(e.id)},${e.seq},${cell(e.occurredAt)},${cell(e.receivedAt)},${cell(e.actor.id)},${cell(
    e.actor.username,
  )},${cell(e.actor.displayName)},${cell(e.actor.type)},${cell(e.action)},${cell(e.eventType)},${cell(
    e.category,
  )},${cell(e.target.type)},${cell(e.target.id)},${cell(e.target.name)},${cell(e.ip)},${cell(
    e.userAgent,
  )},${cell(e.sessionId)},${cell(e.requestId)},${cell(e.reason)},${json(e.oldValue)},${json(
    e.newValue,
  )},${json(e.changes)},${json(e.metadata)}\r\n`;
}

/**
 * OWASP CSV injection: a cell that a spreadsheet would read as a formula (starting with =, +, -, @, tab or
 * carriage return) gets a leading apostrophe, so it shows as the text it is.
 */
export function neutraliseFormula(value: unknown): unknown {
  if (typeof value !== 'string' || value === '') return value;
  return isFormulaStart(value.charCodeAt(0)) ? `'${value}` : value;
}

/** The header row of a CSV export, with its CRLF. */
export const CSV_HEADER = `${CSV_COLUMNS.join(',')}\r\n`;

/**
 * Events as CSV records, each ending with a CRLF ('' for none), formulas neutralised. Pure and over plain
 * rows, so that a store runs it where it reads them (a reader thread): formatting, not reading, is most of an
 * export's work. A record does not depend on its neighbours, so pages of any size join into the same bytes.
 */
export function csvRecords(rows: readonly EntryRow[]): string {
  let out = '';
  for (const row of rows) out += csvRecord(formatEvent(row));
  return out;
}

/** Where csvBytes writes a page, and encodes each body; kept between pages (one per thread). */
const page = new PageScratch();
let body = new Uint8Array(16 * 1024);
const encoder = new TextEncoder();

/**
 * csvRecords in UTF-8, in a buffer of its own: a reader thread hands it over without a copy (a transfer), and
 * the socket writes it as it is — the event loop neither copies nor encodes the text of an export. Most
 * records are spliced from the body's bytes straight into the page (csv-splice.ts); the others are formatted
 * from the parsed event and encoded. `alloc` gives the page's buffer (a reader thread reuses those its pages
 * were written from: store/threads/page-buffers.ts).
 */
export function csvBytes(
  rows: readonly BodyRow[],
  alloc: (size: number) => Uint8Array = (size) => new Uint8Array(size),
): Uint8Array {
  let end = 0;
  for (const row of rows) {
    const receivedAt = formatTimestamp(row.receivedMs);
    const bytes = bodyBytes(row.body);
    // A spliced record takes at most twice its body's bytes.
    if (bytes) page.room(end, 2 * bytes.length + 128 + 3 * receivedAt.length);
    const spliced = bytes ? spliceInto(bytes, bytes.length, row.seq, receivedAt, page.bytes, end) : -1;
    // A typed array drops writes past its end: a record that outgrew its room must fail, not lose bytes.
    if (spliced > page.bytes.length) throw new Error('CSV: a spliced record outgrew its buffer');
    if (spliced >= 0) {
      end = spliced;
    } else {
      // No tenant or hashes in a CSV record: formatEvent's tenant is not written.
      end = page.encode(csvRecord(formatEvent({ tenant: '', prevHash: '', hash: '', ...row })), end);
    }
  }
  if (body.length > 1024 * 1024) body = new Uint8Array(16 * 1024);
  return page.finish(end, alloc);
}

/**
 * A body's UTF-8 bytes for the splice (in `body`, until the next call), or undefined where it must be
 * formatted from the parsed event: text with a lone surrogate, which the bytes would hold as U+FFFD where the
 * parsed event writes it escaped. A legacy body (stored-body.ts) is not looked for here: its bare
 * `undefined` is no JSON value, so the splice refuses it and the record is formatted.
 */
function bodyBytes(text: string): Uint8Array | undefined {
  if (!(text as string & { isWellFormed(): boolean }).isWellFormed()) return undefined;
  // UTF-8 takes at most 3 bytes per UTF-16 code unit.
  if (body.length < text.length * 3) body = new Uint8Array(text.length * 3);
  return body.subarray(0, encoder.encodeInto(text, body).written);
}

/** How many rows a page holds and where the next one starts (null when it holds none). */
export function pageEnd(rows: readonly BodyRow[]): { count: number; last: Keyset | null } {
  const last = rows[rows.length - 1];
  return { count: rows.length, last: last ? { occurredMs: last.occurredMs, seq: last.seq } : null };
}
