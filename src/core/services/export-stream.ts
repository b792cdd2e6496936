import { Readable } from 'node:stream';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { CSV_HEADER, csvBytes, pageEnd } from '../domain/csv-format.js';
import { invalidQuery } from '../domain/errors.js';
import { parseEventFilter, parsePage, type RawQuery } from '../domain/event-query.js';
import type { EventFilter, Keyset } from '../domain/filters.js';
import type { CsvPage } from '../domain/rows.js';
import type { Store } from '../ports/store.js';
import type { PersonalData } from './personal-data.js';

export type ExportFormat = 'csv' | 'ndjson';

/**
 * An export's query as AuditLog.startExport reads it, or its 400: also what `HEAD /v1/export` checks, which
 * answers the headers without running (or recording) the export.
 */
export function parseExportQuery(query: RawQuery): {
  format: ExportFormat;
  filter: EventFilter;
  order: 'asc' | 'desc';
} {
  const format = query.format ?? 'ndjson';
  if (format !== 'csv' && format !== 'ndjson') throw invalidQuery('/format', 'must be csv or ndjson');
  const filter = parseEventFilter(query, new Set(['format', 'order']));
  return { format, filter, order: parsePage({ order: query.order }, { order: 'asc' }).order };
}

/** An export under way (AuditLog.startExport). */
export interface StartedExport {
  stream: Readable;
  format: ExportFormat;
  /** Settles once the `auditlog.export` event is committed. */
  recorded: Promise<void>;
  /** Called by a server once its socket wrote a chunk of `stream` (chunkWritten). */
  written: (chunk: unknown) => void;
}

/**
 * How large a CSV page is: ~384 KB of records, at most 500 rows (the first page, whose records' size is not
 * known yet, 100). Each page costs the event loop a message, promises and a socket write whatever its size,
 * and what lives across its scavenges grows its young generation: at 100 rows a page, 1M events took 10,000
 * pages and the young generation grew to 2 × 8 MB (peak RSS 167–170 MB); at 500, 2 × 4 MB, 148–152 MB, and
 * 166–176k events/s against 99–124k (BENCHMARKS.md). In bytes, not rows: events of 30 KB would make pages of
 * 15 MB, and a stalled client would hold several.
 */
const PAGE_BYTES = 384 * 1024;
const PAGE_ROWS = { first: 100, min: 16, max: 500 };
/** The longest an export works before it lets the event loop serve others. */
const TURN_MS = 10;

/**
 * A pause for long loops on the event loop's thread: resolves at once, except when `TURN_MS` have passed
 * since the last turn of the loop it gave, then after a turn. An export to a fast client never waits for
 * I/O — each socket write completes at once, each read answers before it is awaited — so without it, one
 * export keeps every other request waiting until it ends.
 */
function loopTurns(): () => Promise<void> {
  let since = performance.now();
  return async () => {
    if (performance.now() - since < TURN_MS) return;
    await nextTurn();
    since = performance.now();
  };
}

/** Pages streamed and not yet written, with how their store takes them back (CsvPage.release). */
const unwritten = new WeakMap<object, (bytes: Uint8Array) => void>();

/**
 * Whoever writes an export's chunks to a socket calls this once the socket wrote `chunk`: a CSV page goes
 * back to its store, to be reused for a later page, instead of waiting for the garbage collector.
 */
export function chunkWritten(chunk: unknown): void {
  if (typeof chunk !== 'object' || chunk === null) return;
  const release = unwritten.get(chunk);
  if (!release) return;
  unwritten.delete(chunk);
  release(chunk as Uint8Array);
}

/**
 * Streams every matching event as CSV (core/csv-format.ts), in keyset order and constant memory. The store
 * formats each page where it reads it (Store.csvPage), off this thread; the next page is read while this
 * one is formatted, and the consumer's pace (backpressure) decides when the next is asked for.
 */
export function csvExport(
  store: Store,
  tenant: string,
  filter: EventFilter,
  order: 'asc' | 'desc',
  onRow: () => void,
  personal?: PersonalData,
): Readable {
  const spec = (after: Keyset | null, limit: number) => ({ order, limit, ...(after ? { after } : {}) });
  // Encrypted rows are opened here (the keys stay on this thread), then formatted like a store's page.
  const read: (after: Keyset | null, limit: number) => Promise<CsvPage> = personal?.enabled
    ? async (after, limit) => {
        const rows = await personal.reveal(
          tenant,
          await store.listEvents(tenant, filter, spec(after, limit)),
        );
        return { ...pageEnd(rows), csv: Promise.resolve(csvBytes(rows)) };
      }
    : (after, limit) => store.csvPage(tenant, filter, spec(after, limit));
  return chunkStream(
    (async function* () {
      yield CSV_HEADER;
      const pause = loopTurns();
      // The rows of the page being read, sized by the records seen so far (bytes per row, once known).
      let asked = PAGE_ROWS.first;
      let perRow = 0;
      let next = read(null, asked);
      for (;;) {
        const page = await next;
        const more = page.count === asked;
        if (more) {
          asked = perRow ? Math.round(PAGE_BYTES / perRow) : PAGE_ROWS.first;
          asked = Math.min(PAGE_ROWS.max, Math.max(PAGE_ROWS.min, asked));
          next = read(page.last, asked);
          next.catch(() => {}); // left unawaited when the consumer goes away
        }
        const csv = await page.csv;
        for (let i = 0; i < page.count; i++) onRow();
        if (csv.length > 0) {
          perRow = csv.length / page.count;
          if (page.release) unwritten.set(csv, page.release);
          yield csv;
        }
        if (!more) return;
        await pause();
      }
    })(),
  );
}

/**
 * An export's chunks (CSV pages of ~384 KB, NDJSON chunks of ~64 KB) as a stream: it buffers two for a slow
 * client, not the default sixteen, and each goes back for reuse once written (chunkWritten).
 */
export function chunkStream(chunks: AsyncIterable<string | Uint8Array>): Readable {
  return Readable.from(chunks, { highWaterMark: 2 });
}

/**
 * Writes small strings, and bytes, into chunks of about `size` bytes: one line per stream chunk means one
 * socket write per event, which costs more than producing the line. A chunk is a buffer the parts are written
 * into here, and once a socket wrote it (chunkWritten) the buffer is reused: joined strings, which the socket
 * encoded into fresh buffers freed only by the garbage collector, cost ~10% more CPU per exported event
 * (BENCHMARKS.md). A string never waits longer than `maxDelayMs` once the next one arrives, so a selective
 * export over a large log still sends its matches as it finds them; and between chunks the event loop gets
 * its turns (see loopTurns).
 */
export async function* coalesce(
  parts: AsyncIterable<string | Uint8Array>,
  size = 64 * 1024,
  maxDelayMs = 200,
): AsyncGenerator<Uint8Array> {
  const pause = loopTurns();
  const capacity = 2 * size;
  const spares: Buffer[] = [];
  let buffer: Buffer | null = null;
  let length = 0;
  let oldest = 0;
  const emit = (chunkOf: Buffer): Uint8Array => {
    const chunk = chunkOf.subarray(0, length);
    if (chunkOf.byteLength === capacity)
      unwritten.set(chunk, () => spares.length < 4 && spares.push(chunkOf));
    buffer = null;
    length = 0;
    return chunk;
  };
  for await (const part of parts) {
    if (typeof part !== 'string') {
      // Bytes (a page of NDJSON lines) are copied in as they fit, across as many chunks as they fill.
      for (let from = 0; from < part.byteLength; ) {
        if (!buffer) {
          oldest = Date.now();
          buffer = spares.pop() ?? Buffer.allocUnsafeSlow(capacity);
        }
        const n = Math.min(part.byteLength - from, buffer.byteLength - length);
        buffer.set(part.subarray(from, from + n), length);
        length += n;
        from += n;
        if (length >= size) {
          yield emit(buffer);
          await pause();
        }
      }
      if (buffer && Date.now() - oldest >= maxDelayMs) {
        yield emit(buffer);
        await pause();
      }
      continue;
    }
    const need = Buffer.byteLength(part);
    if (buffer && length + need > buffer.byteLength) {
      yield emit(buffer);
      await pause();
    }
    if (!buffer) {
      oldest = Date.now();
      buffer =
        (need <= capacity ? spares.pop() : undefined) ?? Buffer.allocUnsafeSlow(Math.max(need, capacity));
    }
    length += buffer.write(part, length);
    if (length >= size || Date.now() - oldest >= maxDelayMs) {
      yield emit(buffer);
      await pause();
    }
  }
  if (buffer && length > 0) yield emit(buffer);
}
