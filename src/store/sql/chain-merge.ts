import type { ChainLink, ChainRow } from '../../core/domain/rows.js';

/** A raw chain row as both stores read it: seq, receivedMs, body, prevHash, hash, id. */
export type RawChainRow = [number, number, string, string, string, string];

/** The columns of a raw chain row, for scanChain. */
export const CHAIN_COLUMNS = 'seq, received_ms, body, prev_hash, hash, id';
/** The same raw row with only what links an entry (chainLinks): no body read, none copied out. */
export const LINK_COLUMNS = "seq, 0, '', prev_hash, hash, ''";

/** Rows scanned with LINK_COLUMNS, as links. */
export function asLinks(rows: readonly ChainRow[]): ChainLink[] {
  return rows.map(({ seq, prevHash, hash }) => ({ seq, prevHash, hash }));
}

/**
 * Merges the two streams' rows of one seq range (each list in seq order, each complete for that range) into
 * one chain page in seq order. Rows sharing a seq (only a forgery makes one) all come out, events first,
 * for the verifier to report.
 */
export function mergeChainRows(events: RawChainRow[], auth: RawChainRow[]): ChainRow[] {
  const out: ChainRow[] = new Array(events.length + auth.length);
  let i = 0;
  let j = 0;
  for (let k = 0; k < out.length; k++) {
    const e = events[i];
    const a = auth[j];
    const takeEvent = e !== undefined && (a === undefined || e[0] <= a[0]);
    const row = (takeEvent ? e : a)!;
    out[k] = {
      seq: row[0],
      stream: takeEvent ? 'event' : 'auth',
      receivedMs: row[1],
      body: row[2],
      prevHash: row[3],
      hash: row[4],
      id: row[5],
    };
    if (takeEvent) i++;
    else j++;
  }
  return out;
}
