import { PageScratch } from './page-scratch.js';
import type { EntryRow } from './rows.js';
import { storedBodyText } from './stored-body.js';
import { formatTimestamp } from './time.js';

/**
 * An event's verifiable export line: the stored canonical body — exactly the bytes its hash covers — with
 * `seq`, `tenant` and `receivedAt` in front and `prevHash` and `hash` behind. Spliced as text rather than
 * parsed and re-serialised (the body never contains those five keys), which makes the export ~3× faster.
 */
export function exportLine(row: EntryRow): string {
  const head = `{"seq":${row.seq},"tenant":${JSON.stringify(row.tenant)},"receivedAt":"${formatTimestamp(row.receivedMs)}",`;
  return `${head}${storedBodyText(row.body).slice(1, -1)},"prevHash":"${row.prevHash}","hash":"${row.hash}"}\n`;
}

/** Where a page's lines are encoded before they are copied into a buffer of their exact size. */
const page = new PageScratch();

/**
 * A page's export lines (exportLine) in UTF-8, in a buffer of its own from `alloc`: made by the reader thread
 * that read the rows and handed over without a copy, so that the event loop neither receives the bodies as
 * strings nor builds the lines — what it kept alive across its scavenges grew its young generation to its
 * maximum during an export (BENCHMARKS.md). Each line ends with its only line feed (JSON text escapes the
 * others), by which the caller finds it.
 */
export function exportLineBytes(
  rows: readonly EntryRow[],
  alloc: (size: number) => Uint8Array = (size) => new Uint8Array(size),
): Uint8Array {
  let end = 0;
  for (const row of rows) {
    const line = exportLine(row);
    if (line.indexOf('\n') !== line.length - 1) throw new Error('NDJSON: an export line holds a line feed');
    end = page.encode(line, end);
  }
  return page.finish(end, alloc);
}
