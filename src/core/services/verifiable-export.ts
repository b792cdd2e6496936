import type { Readable } from 'node:stream';
import { AuditError } from '../domain/errors.js';
import type { EventFilter } from '../domain/filters.js';
import { entryDigest } from '../domain/hash-chain.js';
import { SeqsDigest, seqRanges } from '../domain/purge-record.js';
import type { ChainRow } from '../domain/rows.js';
import type { SignedCheckpoint } from '../domain/signing.js';
import { formatTimestamp } from '../domain/time.js';
import type { Store } from '../ports/store.js';
import type { Checkpointer } from './checkpointer.js';
import { chunkStream, coalesce } from './export-stream.js';
import type { Integrity } from './integrity.js';

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
 *
 * Last comes the signed end line (export-end.ts): the export's id and query, the head it is a snapshot of,
 * and how many events it holds — without it, a file cut just after a checkpoint line verified.
 *
 *   {"end":{"tenant":"t","exportId":"…","filters":{…},"seq":1000,"hash":"…","events":12,"seqsDigest":"…","signedAt":"…","keyId":"…","signature":"…","publicKey":"…"}}
 */
/**
 * Rows per page and entries per chain window. Both live on the event loop's thread for the time it takes to
 * write them out: at 1000 and 2000 (1–2 MB each) they outlived a small young generation and were promoted,
 * and the old generation grew by tens of MB during an export (BENCHMARKS.md, "Export memory").
 */
// 240, not 250: a page ends at a multiple of it, and a second entry at that seq (a forged copy) is then left
// out of the export; off the multiples of 500 where `verify` ends its batches, the forgery tests see both.
export const EXPORT_PAGE = 240;
const BRIDGE_LINE_MAX = 1000;
const CHAIN_WINDOW = 500;

export interface VerifiableExportDeps {
  store: Store;
  checkpoints: Checkpointer;
  integrity: Integrity;
}

/** verifiableExport as a stream of ~64 KB chunks (export-stream.ts), each reused once a socket wrote it. */
export function verifiableExportStream(
  deps: VerifiableExportDeps,
  tenant: string,
  filter: EventFilter,
  end: ExportIdentity,
  onRow: () => void,
): Readable {
  return chunkStream(coalesce(verifiableExport(deps, tenant, filter, end, onRow)));
}

/** What an export's signed end line names it by (export-end.ts). */
export interface ExportIdentity {
  exportId: string;
  /** The query as sent, `format` left out. */
  filters: Record<string, unknown>;
}

async function* verifiableExport(
  deps: VerifiableExportDeps,
  tenant: string,
  filter: EventFilter,
  identity: ExportIdentity,
  onRow: () => void,
): AsyncGenerator<string | Uint8Array> {
  const { store } = deps;
  const chain = new ChainCursor(store, tenant);
  const head = await deps.checkpoints.latest(tenant);
  if (!head) return;
  const snapshot: EventFilter = { ...filter, maxSeq: head.seq };
  let segment: { pos: number; end: SignedCheckpoint } | null = null;
  let events = 0;
  const exported = new SeqsDigest();

  const close = async function* (): AsyncGenerator<string> {
    if (!segment) return;
    yield* bridge(chain, tenant, segment.pos + 1, segment.end.seq);
    const publicKey = await deps.integrity.publicKeyPem(segment.end.keyId);
    yield `${JSON.stringify({ checkpoint: { ...segment.end, publicKey } })}\n`;
    segment = null;
  };

  // The lines are made where the rows are read (Store.ndjsonPage): this thread passes their bytes on.
  const page = (after: number) =>
    store.ndjsonPage(tenant, snapshot, {
      order: 'asc',
      orderBy: 'seq',
      limit: EXPORT_PAGE,
      ...(after ? { after: { occurredMs: 0, seq: after } } : {}),
    });
  let next = page(0);
  for (;;) {
    const { seqs, lines, release } = await next;
    // The next page is read (in a reader thread) while this one is written out.
    if (seqs.length === EXPORT_PAGE) {
      next = page(seqs[seqs.length - 1]!);
      next.catch(() => {}); // left unawaited when the consumer goes away
    }
    const bytes = await lines;
    let from = 0; // the start of the lines not yet passed on
    let at = 0; // the start of line i
    // Lines not yet passed on, counted (onRow) when they are: an export that stops counts what it passed on.
    let rows = 0;
    const passOn = (to: number) => {
      for (; rows > 0; rows--) onRow();
      return bytes.subarray(from, to);
    };
    for (let i = 0; i < seqs.length; i++) {
      const seq = seqs[i]!;
      // Most lines follow the previous one inside its checkpoint's segment: nothing to write between them.
      if (!segment || seq > segment.end.seq || seq !== segment.pos + 1) {
        if (at > from) yield passOn(at);
        from = at;
        if (segment && seq > segment.end.seq) yield* close();
        if (segment) {
          yield* bridge(chain, tenant, segment.pos + 1, seq - 1);
        } else {
          const [end] = await store.listCheckpoints(tenant, seq - 1, 1);
          segment = { pos: seq, end: end ?? head };
        }
      }
      rows++;
      events++;
      exported.push(seq);
      at = bytes.indexOf(10, at) + 1;
      if (at === 0) throw new Error('NDJSON export: a page has fewer lines than rows');
      segment!.pos = seq;
    }
    if (at !== bytes.length) throw new Error('NDJSON export: a page has more lines than rows');
    if (at > from) yield passOn(at);
    // Resumed, the consumer (coalesce) has copied every part of the page: its buffer goes back.
    release?.(bytes);
    if (seqs.length < EXPORT_PAGE) break;
  }
  yield* close();
  // Last, the signed count that makes a cut or a removal show (export-end.ts).
  const end = deps.checkpoints.signExportEnd({
    tenant,
    ...identity,
    seq: head.seq,
    hash: head.hash,
    events,
    seqsDigest: exported.digest(),
  });
  const publicKey = await deps.integrity.publicKeyPem(end.keyId);
  yield `${JSON.stringify({ end: { ...end, publicKey } })}\n`;
}

/** Digests of the entries from..to (inclusive), as lines of at most BRIDGE_LINE_MAX. */
async function* bridge(chain: ChainCursor, tenant: string, from: number, to: number): AsyncGenerator<string> {
  for (let next = from; next <= to; next += BRIDGE_LINE_MAX) {
    const last = Math.min(to, next + BRIDGE_LINE_MAX - 1);
    const purged: number[] = [];
    const digests = await chain.digests(next, last, purged);
    // Which bridged entries are tombstones of purged ones (informational, for the reader of the export).
    const marks = purged.length > 0 ? { purged: seqRanges(purged) } : {};
    yield `${JSON.stringify({ bridge: { tenant, fromSeq: next, toSeq: last, digests, ...marks } })}\n`;
  }
}

/**
 * Reads the chain forward in windows of CHAIN_WINDOW entries, so that the many small gaps of an export
 * (an authentication event here and there) cost one read per window, not one per gap.
 */
class ChainCursor {
  readonly #store: Store;
  readonly #tenant: string;
  #rows: ChainRow[] = [];
  #at = 0;

  constructor(store: Store, tenant: string) {
    this.#store = store;
    this.#tenant = tenant;
  }

  /** Digests of seq from..to; requests MUST come in increasing seq order. Tombstones' seqs go to `purged`. */
  async digests(from: number, to: number, purged: number[]): Promise<string[]> {
    const out: string[] = [];
    for (let seq = from; seq <= to; seq++) {
      const row = await this.#row(seq);
      if (row.digest !== undefined) purged.push(seq);
      // A purged entry's tombstone keeps its digest: the export bridges it like any entry it leaves out.
      out.push(row.digest ?? entryDigest(row.stream, formatTimestamp(row.receivedMs), row.body));
    }
    return out;
  }

  async #row(seq: number): Promise<ChainRow> {
    while (this.#at < this.#rows.length && this.#rows[this.#at]!.seq < seq) this.#at++;
    if (this.#at >= this.#rows.length || this.#rows[this.#at]!.seq !== seq) {
      this.#rows = await this.#store.scanChain(this.#tenant, seq - 1, CHAIN_WINDOW);
      this.#at = 0;
    }
    const row = this.#rows[this.#at];
    if (row?.seq !== seq)
      throw new AuditError('chain_broken', `Tenant ${this.#tenant} has no entry at seq ${seq}`);
    return row;
  }
}
