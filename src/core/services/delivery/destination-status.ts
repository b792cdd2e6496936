import type { DestinationRecord } from '../../domain/destination.js';
import { formatTimestamp } from '../../domain/time.js';
import type { Store } from '../../ports/store.js';

export interface DestinationStatusView {
  deliveredSeq: number;
  deliveredAt: string | null;
  headSeq: number;
  eventsBehind: number;
  secondsBehind: number;
  lastError: string | null;
  failures: number;
  nextAttemptAt: string | null;
}

/** How far a destination is behind the tenant's log: entries, and the age of the oldest one not delivered. */
export async function destinationStatus(
  store: Store,
  d: DestinationRecord,
  nowMs: number,
): Promise<DestinationStatusView> {
  const p = d.progress;
  const headSeq = (await store.chainHead(d.tenant))?.seq ?? 0;
  const behind = Math.max(0, headSeq - p.cursorSeq);
  const oldest = behind > 0 ? (await store.scanChain(d.tenant, p.cursorSeq, 1))[0] : undefined;
  return {
    deliveredSeq: p.cursorSeq,
    deliveredAt: p.deliveredMs === null ? null : formatTimestamp(p.deliveredMs),
    headSeq,
    eventsBehind: behind,
    secondsBehind: oldest ? Math.max(0, (nowMs - oldest.receivedMs) / 1000) : 0,
    lastError: p.lastError,
    failures: p.failures,
    nextAttemptAt: p.nextAttemptMs > nowMs ? formatTimestamp(p.nextAttemptMs) : null,
  };
}

/**
 * The seq of the first entry received at or after `ms` (head + 1 when none): a binary search over seqs,
 * since entries are received in about seq order — a handful of primary-key reads, no scan.
 */
export async function firstSeqAtOrAfter(store: Store, tenant: string, ms: number): Promise<number> {
  const head = (await store.chainHead(tenant))?.seq ?? 0;
  let lo = 1;
  let hi = head + 1;
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    const row = (await store.scanChain(tenant, mid - 1, 1))[0];
    if (!row || row.receivedMs >= ms) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
