import type { EntryRow, EventFilter, Store } from '../store/store.js';
import type { Checkpointer } from './checkpointer.js';
import { formatEvent } from './format-event.js';
import { entryDigest } from './hash-chain.js';
import type { Integrity } from './integrity.js';
import type { SignedCheckpoint } from './signing.js';
import { formatTimestamp } from './time.js';

/**
 * A verifiable NDJSON export. Events come in seq order (the order of the hash chain), each with its `seq`,
 * `hash` and `prevHash`. After an event, the export proves it up to the next signed checkpoint: the
 * digests of the entries it leaves out (filtered out, or of the other stream) as `bridge` lines, then the
 * `checkpoint` line itself. A verifier recomputes each event's hash from its content, carries the chain
 * through the bridges, and compares with the signature — knowing only the public key. Checkpoints come
 * at most 1000 entries apart, so an export costs at most 1000 digests per checkpoint interval it touches.
 * The export is a snapshot: entries appended after it starts are not in it (its head is checkpointed first).
 *
 *   {"bridge":{"tenant":"t","fromSeq":5,"toSeq":7,"digests":["…","…","…"]}}
 *   {"checkpoint":{"tenant":"t","seq":1000,"hash":"…","signedAt":"…","keyId":"…","signature":"…","publicKey":"…"}}
 */
const PAGE = 1000;
const BRIDGE_LINE_MAX = 1000;

export interface VerifiableExportDeps {
  store: Store;
  checkpoints: Checkpointer;
  integrity: Integrity;
}

export async function* verifiableExport(
  deps: VerifiableExportDeps,
  tenant: string,
  filter: EventFilter,
  onRow: (row: EntryRow) => void,
): AsyncGenerator<string> {
  const { store } = deps;
  const head = await deps.checkpoints.latest(tenant);
  if (!head) return;
  const snapshot: EventFilter = { ...filter, maxSeq: head.seq };
  let segment: { pos: number; end: SignedCheckpoint } | null = null;

  const close = async function* (): AsyncGenerator<string> {
    if (!segment) return;
    yield* bridge(store, tenant, segment.pos + 1, segment.end.seq);
    const publicKey = await deps.integrity.publicKeyPem(segment.end.keyId);
    yield `${JSON.stringify({ checkpoint: { ...segment.end, publicKey } })}\n`;
    segment = null;
  };

  let after = 0;
  for (;;) {
    const rows = await store.listEvents(tenant, snapshot, {
      order: 'asc',
      orderBy: 'seq',
      limit: PAGE,
      ...(after ? { after: { occurredMs: 0, seq: after } } : {}),
    });
    for (const row of rows) {
      if (segment && row.seq > segment.end.seq) yield* close();
      if (segment) {
        yield* bridge(store, tenant, segment.pos + 1, row.seq - 1);
      } else {
        const [end] = await store.listCheckpoints(tenant, row.seq - 1, 1);
        segment = { pos: row.seq, end: end ?? head };
      }
      onRow(row);
      yield `${JSON.stringify(formatEvent(row, { withHashes: true }))}\n`;
      segment.pos = row.seq;
    }
    if (rows.length < PAGE) break;
    after = rows[rows.length - 1]!.seq;
  }
  yield* close();
}

/** Digests of the entries from..to (inclusive), as lines of at most BRIDGE_LINE_MAX. */
async function* bridge(store: Store, tenant: string, from: number, to: number): AsyncGenerator<string> {
  let next = from;
  while (next <= to) {
    const rows = await store.scanChain(tenant, next - 1, Math.min(BRIDGE_LINE_MAX, to - next + 1));
    const digests = rows
      .filter((r) => r.seq <= to)
      .map((r) => entryDigest(r.stream, formatTimestamp(r.receivedMs), r.body));
    if (digests.length === 0) return;
    yield `${JSON.stringify({ bridge: { tenant, fromSeq: next, toSeq: next + digests.length - 1, digests } })}\n`;
    next += digests.length;
  }
}
