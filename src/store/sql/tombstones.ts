import type { Stream } from '../../core/domain/entry.js';
import type { ChainRow } from '../../core/domain/rows.js';

/** A tombstone as both stores read it: seq, receivedMs, digest, prevHash, hash, id, stream, purgeId. */
export type RawTombstone = [number, number, string, string, string, string, string, string];

/** The columns of RawTombstone, in order. */
export const TOMBSTONE_COLUMNS = 'seq, received_ms, digest, prev_hash, hash, id, stream, purge_id';

/**
 * Puts the tombstones of a seq range in their place among the live rows of that range (both in seq order).
 * A tombstone and a live row sharing a seq both come out, next to each other, for the verifier to report.
 */
export function withTombstones(rows: ChainRow[], tombstones: RawTombstone[]): ChainRow[] {
  if (tombstones.length === 0) return rows;
  const out: ChainRow[] = [];
  let i = 0;
  for (const t of tombstones) {
    while (i < rows.length && rows[i]!.seq <= t[0]) out.push(rows[i++]!);
    out.push({
      seq: t[0],
      stream: t[6] as Stream,
      receivedMs: Number(t[1]),
      body: '',
      prevHash: t[3],
      hash: t[4],
      id: t[5],
      digest: t[2],
      purgeId: t[7],
    });
  }
  while (i < rows.length) out.push(rows[i++]!);
  return out;
}
