import type { ChainRow } from '../store/store.js';
import { entryDigest, GENESIS_HASH, linkHash } from './hash-chain.js';
import { checkpointSignatureValid, type SignedCheckpoint } from './signing.js';
import { formatTimestamp } from './time.js';

export type ProblemKind =
  | 'altered'
  | 'missing'
  | 'inserted'
  | 'reordered'
  | 'checkpoint_signature_invalid'
  | 'checkpoint_mismatch';

export interface Problem {
  tenant: string;
  seq: number;
  kind: ProblemKind;
  message: string;
}

export interface TenantResult {
  tenant: string;
  entries: number;
  lastSeq: number;
  checkpoints: number;
  newestCheckpoint: SignedCheckpoint | undefined;
  /** Entries after the newest valid checkpoint: intact as far as the chain shows, not yet signed. */
  unsigned: number;
  problem: Problem | undefined;
}

/** How far from its place a moved entry is looked for, to tell "reordered" and "inserted" from "altered". */
const MOVE_RADIUS = 64;

/**
 * Checks one tenant's chain as its rows stream by in seq order: every hash recomputed from the stored
 * content, every link, the seq numbering, and every checkpoint's signature and hash. It names the first
 * problem by seq and kind: `missing` (a gap: the first absent seq), `inserted` (a seq twice, or entries
 * renumbered after a forged one), `reordered` (an entry whose hash holds at another seq), `altered`
 * (content that no longer matches its hash, or a hash rewritten so the next entry no longer links),
 * `checkpoint_signature_invalid`, `checkpoint_mismatch` (a signed hash the chain does not have: also how a
 * rewritten tail or a truncation shows).
 */
export class ChainVerifier {
  readonly tenant: string;
  readonly #checkpoints: SignedCheckpoint[];
  readonly #keys: ReadonlyMap<string, string>;
  #next = 0;
  #prev: { seq: number; hash: string } = { seq: 0, hash: GENESIS_HASH };
  #entries = 0;
  #problem: Problem | undefined;
  #pendingRefine: Problem | undefined;
  #newestValid: SignedCheckpoint | undefined;
  #checked = 0;

  /** `checkpoints` sorted by seq; `keys` maps key id → public key PEM (the keys trusted to sign). */
  constructor(tenant: string, checkpoints: SignedCheckpoint[], keys: ReadonlyMap<string, string>) {
    this.tenant = tenant;
    this.#checkpoints = checkpoints;
    this.#keys = keys;
  }

  get failed(): boolean {
    return this.#problem !== undefined && this.#pendingRefine === undefined;
  }

  push(row: ChainRow): void {
    if (this.#pendingRefine) {
      this.#refine(row);
      return;
    }
    if (this.#problem) return;
    this.#entries++;
    const { seq } = row;
    if (seq === this.#prev.seq) {
      this.#fail(seq, 'inserted', `two entries claim seq ${seq}`);
      return;
    }
    if (seq > this.#prev.seq + 1) {
      const first = this.#prev.seq + 1;
      this.#fail(first, 'missing', `entries ${first}${seq - 1 > first ? `–${seq - 1}` : ''} are missing`);
      return;
    }
    const digest = entryDigest(row.stream, formatTimestamp(row.receivedMs), row.body);
    if (linkHash(this.tenant, seq, row.prevHash, digest) !== row.hash) {
      const movedFrom = this.#originalSeq(row, digest);
      if (movedFrom === seq - 1) {
        this.#fail(
          seq - 1,
          'inserted',
          `an entry was inserted at seq ${seq - 1}; the entries after it were renumbered`,
        );
        return;
      }
      if (movedFrom !== undefined && movedFrom <= this.#prev.seq) {
        // A copy of an entry already verified in its place: a replay, not a move.
        this.#fail(seq, 'inserted', `the entry at seq ${seq} repeats the entry at seq ${movedFrom}`);
        return;
      }
      if (movedFrom !== undefined) {
        this.#fail(
          Math.min(seq, movedFrom),
          'reordered',
          `the entry at seq ${seq} belongs at seq ${movedFrom}`,
        );
        return;
      }
      this.#fail(seq, 'altered', `the content of seq ${seq} does not match its hash`);
      // A forged entry inserted with a wrong hash looks altered until the next entry shows the renumbering.
      this.#pendingRefine = this.#problem;
      return;
    }
    if (row.prevHash !== this.#prev.hash) {
      this.#fail(
        seq - 1,
        'altered',
        `seq ${seq} does not link to seq ${seq - 1}: the entry at ${seq - 1} was changed and its hash rewritten`,
      );
      return;
    }
    this.#checkCheckpoints(seq, row.hash);
    this.#prev = { seq, hash: row.hash };
  }

  finish(): TenantResult {
    this.#pendingRefine = undefined;
    if (!this.#problem) {
      // Checkpoints past the last entry: the tail was removed.
      const beyond = this.#checkpoints[this.#next];
      if (beyond && beyond.seq > this.#prev.seq) {
        this.#fail(
          this.#prev.seq + 1,
          'missing',
          `checkpoint ${beyond.seq} is signed but the chain ends at ${this.#prev.seq}`,
        );
      }
    }
    return {
      tenant: this.tenant,
      entries: this.#entries,
      lastSeq: this.#prev.seq,
      checkpoints: this.#checked,
      newestCheckpoint: this.#newestValid,
      unsigned: this.#prev.seq - (this.#newestValid?.seq ?? 0),
      problem: this.#problem,
    };
  }

  #checkCheckpoints(seq: number, hash: string): void {
    while (this.#checkpoints[this.#next] && this.#checkpoints[this.#next]!.seq <= seq) {
      const cp = this.#checkpoints[this.#next++]!;
      const key = this.#keys.get(cp.keyId);
      if (!key || !checkpointSignatureValid(cp, key)) {
        const why = key ? 'its signature is invalid' : `key ${cp.keyId} is not a trusted key`;
        this.#fail(cp.seq, 'checkpoint_signature_invalid', `the checkpoint at seq ${cp.seq}: ${why}`);
        return;
      }
      if (cp.seq !== seq || cp.hash !== hash) {
        this.#fail(cp.seq, 'checkpoint_mismatch', `the chain's hash at seq ${cp.seq} is not the one signed`);
        return;
      }
      this.#checked++;
      this.#newestValid = cp;
    }
  }

  #originalSeq(row: ChainRow, digest: string): number | undefined {
    for (let d = 1; d <= MOVE_RADIUS; d++) {
      for (const s of [row.seq - d, row.seq + d]) {
        if (s > 0 && linkHash(this.tenant, s, row.prevHash, digest) === row.hash) return s;
      }
    }
    return undefined;
  }

  #refine(row: ChainRow): void {
    const pending = this.#pendingRefine!;
    this.#pendingRefine = undefined;
    if (row.seq !== pending.seq + 1) return;
    const digest = entryDigest(row.stream, formatTimestamp(row.receivedMs), row.body);
    if (linkHash(this.tenant, pending.seq, row.prevHash, digest) === row.hash) {
      this.#problem = {
        ...pending,
        kind: 'inserted',
        message: `a forged entry was inserted at seq ${pending.seq}; the entries after it were renumbered`,
      };
    }
  }

  #fail(seq: number, kind: ProblemKind, message: string): void {
    this.#problem ??= { tenant: this.tenant, seq, kind, message };
  }
}
