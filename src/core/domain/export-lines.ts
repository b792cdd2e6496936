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
  const received = formatTimestamp(row.receivedMs);
  return `${exportLineText(row.seq, row.tenant, received, storedBodyText(row.body), row.prevHash, row.hash)}\n`;
}

/**
 * The splice itself, without its line feed: what `verify --file` also rebuilds from a line's parsed fields,
 * so that a line holding any other bytes (a key written twice) is found.
 */
export function exportLineText(
  seq: number,
  tenant: string,
  receivedAt: string,
  canonicalBody: string,
  prevHash: string,
  hash: string,
): string {
  const head = `{"seq":${seq},"tenant":${JSON.stringify(tenant)},"receivedAt":"${receivedAt}",`;
  return `${head}${canonicalBody.slice(1, -1)},"prevHash":"${prevHash}","hash":"${hash}"}`;
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
