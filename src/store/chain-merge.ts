import type { ChainRow } from './store.js';

/** A raw chain row as both stores read it: seq, receivedMs, body, prevHash, hash. */
export type RawChainRow = [number, number, string, string, string];

/**
 * Merges the two streams' rows (each in seq order, each read with LIMIT `limit`) into one chain page of at
 * most `limit` rows (more only when the last rows share a seq). Past the last seq of a stream that filled
 * its limit, the other stream's rows may not be complete, so the page stops there; a duplicated seq (a
 * forged row) comes out twice, for the verifier.
 */
export function mergeChainRows(events: RawChainRow[], auth: RawChainRow[], limit: number): ChainRow[] {
  const bound = Math.min(
    events.length === limit ? events[limit - 1]![0] : Number.POSITIVE_INFINITY,
    auth.length === limit ? auth[limit - 1]![0] : Number.POSITIVE_INFINITY,
  );
  const out: ChainRow[] = [];
  let i = 0;
  let j = 0;
  for (;;) {
    const e = events[i];
    const a = auth[j];
    const takeEvent = e !== undefined && (a === undefined || e[0] <= a[0]);
    const row = takeEvent ? e : a;
    if (row === undefined || row[0] > bound) break;
    // Rows sharing a seq (a forgery) stay on one page, or the next page (seq > last) would skip one.
    if (out.length >= limit && row[0] !== out[out.length - 1]!.seq) break;
    out.push({
      seq: row[0],
      stream: takeEvent ? 'event' : 'auth',
      receivedMs: row[1],
      body: row[2],
      prevHash: row[3],
      hash: row[4],
    });
    if (takeEvent) i++;
    else j++;
  }
  return out;
}
