import { checkpointDue, DEFAULT_CHECKPOINT_EVERY, describeGaps } from './checkpoint-schedule.js';
import { entryDigest, GENESIS_HASH, linkHash } from './hash-chain.js';
import { purgeProblems } from './purge-check.js';
import { SeqsDigest, type SignedPurge, seqRanges } from './purge-record.js';
import type { ChainRow } from './rows.js';
import { checkpointSignatureValid, type SignedCheckpoint } from './signing.js';
import { formatTimestamp } from './time.js';

export type ProblemKind =
  | 'altered'
  | 'missing'
  | 'inserted'
  | 'reordered'
  | 'checkpoint_signature_invalid'
  | 'checkpoint_mismatch'
  | 'checkpoint_missing'
  | 'purge_invalid'
  | 'merkle_mismatch';

export interface Problem {
  tenant: string;
  seq: number;
  kind: ProblemKind;
  message: string;
  /** The ids of the entries involved, when rows are to blame (a duplicated seq names every copy). */
  ids?: string[];
}

/** A checkpoint to hold the chain to: one of the store's, or (with `source`) one the verifier saved. */
export type CheckpointToCheck = SignedCheckpoint & { source?: string };

export interface TenantResult {
  tenant: string;
  entries: number;
  lastSeq: number;
  checkpoints: number;
  /** Saved checkpoints (given by the verifier) that the chain still extends. */
  savedCheckpoints: number;
  newestCheckpoint: SignedCheckpoint | undefined;
  /** Entries after the newest valid checkpoint: intact as far as the chain shows, not yet signed. */
  unsigned: number;
  /** Seqs where the schedule requires a checkpoint and the store has none (checkpoint-schedule.ts). */
  missingCheckpoints: number[];
  /** Entries whose content a signed purge removed (tombstones: the chain links through them). */
  purged: number;
  /** Those entries' seqs as ranges (at most PURGED_RANGES_MAX of them). */
  purgedRanges: [number, number][];
  /** Every problem found, in seq order (the chain's first one, and the missing checkpoints). */
  problems: Problem[];
  problem: Problem | undefined;
}

/** Purged ranges a report lists; the count is always exact. */
const PURGED_RANGES_MAX = 1000;

/** An entry's digest: recomputed from its content, or a tombstone's kept one. */
function rowDigest(row: ChainRow): string {
  return row.digest ?? entryDigest(row.stream, formatTimestamp(row.receivedMs), row.body);
}

/** How far from its place a moved entry is looked for, to tell "reordered" and "inserted" from "altered". */
const MOVE_RADIUS = 64;

/**
 * Checks one tenant's chain as its rows stream by in seq order: every hash recomputed from the stored
 * content, every link, the seq numbering, every checkpoint's signature and hash, and the checkpoint
 * schedule. It names the first problem of the chain by seq and kind: `missing` (a gap: the first absent
 * seq), `inserted` (a seq twice — naming every copy's id — or entries renumbered after a forged one),
 * `reordered` (an entry whose hash holds at another seq), `altered` (content that no longer matches its
 * hash, or a hash rewritten so the next entry no longer links), `checkpoint_signature_invalid`,
 * `checkpoint_mismatch` (a signed hash the chain does not have: also how a rewritten tail shows), and
 * separately every `checkpoint_missing` where the schedule requires one. Rows sharing a seq MUST be given
 * in one `pushAll` call (store.ts scanChain pages guarantee it).
 */
export class ChainVerifier {
  readonly tenant: string;
  readonly #checkpoints: CheckpointToCheck[];
  readonly #keys: ReadonlyMap<string, string>;
  readonly #every: number;
  #next = 0;
  #prev: { seq: number; hash: string; id: string } = { seq: 0, hash: GENESIS_HASH, id: '' };
  #entries = 0;
  #problem: Problem | undefined;
  #pendingRefine: Problem | undefined;
  #newestValid: SignedCheckpoint | undefined;
  #checked = 0;
  #saved = 0;
  /** Scheduled seqs without a store checkpoint, with the chain's hash there (for one signed meanwhile). */
  readonly #gaps = new Map<number, string>();
  readonly #purges: readonly SignedPurge[];
  /** Tombstones seen, per purge id. */
  readonly #tombstones = new Map<string, SeqsDigest>();
  readonly #purgedRanges: [number, number][] = [];
  #purged = 0;

  /**
   * `checkpoints` in any order; `keys` maps key id → public key PEM (the keys trusted to sign);
   * `every` is the checkpoint schedule (0: not checked).
   */
  constructor(
    tenant: string,
    checkpoints: CheckpointToCheck[],
    keys: ReadonlyMap<string, string>,
    every = DEFAULT_CHECKPOINT_EVERY,
    purges: readonly SignedPurge[] = [],
  ) {
    this.tenant = tenant;
    this.#purges = purges;
    this.#checkpoints = [...checkpoints].sort((a, b) => a.seq - b.seq);
    this.#keys = keys;
    this.#every = every;
  }

  get failed(): boolean {
    return this.#problem !== undefined && this.#pendingRefine === undefined;
  }

  /** The first scheduled seq still without a checkpoint, if any. */
  get firstGap(): number | undefined {
    return this.#gaps.keys().next().value;
  }

  /** Whether a scheduled checkpoint is missing after the newest one: signing may still be under way. */
  get tailGap(): boolean {
    const newest = this.#newestValid?.seq ?? 0;
    return [...this.#gaps.keys()].some((g) => g > newest);
  }

  /** Rows in seq order; all rows sharing a seq together. */
  pushAll(rows: readonly ChainRow[]): void {
    for (let i = 0; i < rows.length; ) {
      let j = i + 1;
      while (j < rows.length && rows[j]!.seq === rows[i]!.seq) j++;
      if (j - i === 1) this.#push(rows[i]!);
      else this.#duplicated(rows.slice(i, j));
      i = j;
    }
  }

  /**
   * Checkpoints signed after the verifier's list was read (a live server): one at a scheduled seq that
   * holds — valid signature, the chain's hash — fills that gap.
   */
  fillGaps(late: readonly SignedCheckpoint[]): void {
    for (const cp of late) {
      const hash = this.#gaps.get(cp.seq);
      const key = this.#keys.get(cp.keyId);
      if (hash === undefined || cp.hash !== hash || !key || !checkpointSignatureValid(cp, key)) continue;
      this.#gaps.delete(cp.seq);
      this.#checked++;
      if (cp.seq > (this.#newestValid?.seq ?? 0)) this.#newestValid = cp;
    }
  }

  finish(): TenantResult {
    this.#pendingRefine = undefined;
    if (!this.#problem) {
      // Checkpoints past the last entry: the tail was removed.
      const beyond = this.#checkpoints.slice(this.#next).find((c) => c.seq > this.#prev.seq);
      if (beyond) {
        const what = beyond.source ? `the checkpoint saved in ${beyond.source}` : 'checkpoint';
        this.#fail(
          this.#prev.seq + 1,
          'missing',
          `${what} at seq ${beyond.seq} is signed but the chain ends at ${this.#prev.seq}`,
        );
      }
    }
    const lastSeq = this.#prev.seq;
    const newest = this.#newestValid?.seq ?? 0;
    const missing = [...this.#gaps.keys()];
    const problems = this.#problem ? [this.#problem] : [];
    if (!this.#problem)
      problems.push(...purgeProblems(this.tenant, this.#purges, this.#tombstones, this.#keys));
    if (missing.length > 0) {
      problems.push({
        tenant: this.tenant,
        seq: missing[0]!,
        kind: 'checkpoint_missing',
        message: describeGaps(missing, this.#every, newest, lastSeq),
      });
      problems.sort((a, b) => a.seq - b.seq);
    }
    return {
      tenant: this.tenant,
      entries: this.#entries,
      lastSeq,
      checkpoints: this.#checked,
      savedCheckpoints: this.#saved,
      newestCheckpoint: this.#newestValid,
      unsigned: lastSeq - newest,
      missingCheckpoints: missing,
      purged: this.#purged,
      purgedRanges: this.#purgedRanges,
      problems,
      problem: problems[0],
    };
  }

  #push(row: ChainRow): void {
    if (this.#pendingRefine) {
      this.#refine(row);
      return;
    }
    if (this.#problem) return;
    this.#entries++;
    const { seq } = row;
    if (seq < 1) {
      this.#fail(seq, 'inserted', `entry ${row.id} claims seq ${seq}, before the chain's first`, [row.id]);
      return;
    }
    if (seq === this.#prev.seq) {
      this.#fail(seq, 'inserted', `two entries claim seq ${seq}: ids ${this.#prev.id} and ${row.id}`, [
        this.#prev.id,
        row.id,
      ]);
      return;
    }
    if (seq < this.#prev.seq) {
      this.#fail(seq, 'reordered', `entry ${row.id} at seq ${seq} comes after seq ${this.#prev.seq}`, [
        row.id,
      ]);
      return;
    }
    if (seq > this.#prev.seq + 1) {
      const first = this.#prev.seq + 1;
      this.#fail(first, 'missing', `entries ${first}${seq - 1 > first ? `–${seq - 1}` : ''} are missing`);
      return;
    }
    const digest = rowDigest(row);
    if (linkHash(this.tenant, seq, row.prevHash, digest) !== row.hash) {
      this.#misplaced(row, digest);
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
    const signedHere = this.#checkCheckpoints(seq, row.hash);
    if (!this.#problem && !signedHere && checkpointDue(seq, this.#every)) this.#gaps.set(seq, row.hash);
    if (row.digest !== undefined) this.#tombstone(row);
    this.#prev = { seq, hash: row.hash, id: row.id };
  }

  /** A purged entry that links: counted under its purge, checked against the signed record at the end. */
  #tombstone(row: ChainRow): void {
    this.#entries--;
    this.#purged++;
    const id = row.purgeId ?? '';
    const seqs = this.#tombstones.get(id) ?? new SeqsDigest();
    this.#tombstones.set(id, seqs);
    seqs.push(row.seq);
    const last = this.#purgedRanges[this.#purgedRanges.length - 1];
    if (last && last[1] === row.seq - 1) last[1] = row.seq;
    else if (this.#purgedRanges.length < PURGED_RANGES_MAX) this.#purgedRanges.push(...seqRanges([row.seq]));
  }

  /** A row whose content does not give its hash: moved, a replay, a renumbering, or altered. */
  #misplaced(row: ChainRow, digest: string): void {
    const { seq } = row;
    const movedFrom = this.#originalSeq(row, digest);
    if (movedFrom === seq - 1) {
      this.#fail(
        seq - 1,
        'inserted',
        `an entry was inserted at seq ${seq - 1}; the entries after it were renumbered`,
      );
    } else if (movedFrom !== undefined && movedFrom <= this.#prev.seq) {
      // A copy of an entry already verified in its place: a replay, not a move.
      this.#fail(
        seq,
        'inserted',
        `the entry at seq ${seq} (${row.id}) repeats the entry at seq ${movedFrom}`,
        [row.id],
      );
    } else if (movedFrom !== undefined) {
      this.#fail(
        Math.min(seq, movedFrom),
        'reordered',
        `the entry at seq ${seq} belongs at seq ${movedFrom}`,
      );
    } else {
      this.#fail(seq, 'altered', `the content of seq ${seq} does not match its hash`);
      // A forged entry inserted with a wrong hash looks altered until the next entry shows the renumbering.
      this.#pendingRefine = this.#problem;
    }
  }

  /** Several rows claim one seq: whichever is genuine, the table holds a forgery. */
  #duplicated(rows: ChainRow[]): void {
    if (this.#pendingRefine) {
      this.#refine(rows[0]!);
      return;
    }
    if (this.#problem) return;
    const seq = rows[0]!.seq;
    // Entries missing before it are the first problem.
    if (seq > this.#prev.seq + 1) {
      this.#push(rows[0]!);
      return;
    }
    this.#entries += rows.length;
    const each = rows.map((r) => `${r.id} (${r.stream}, ${this.#fit(r)})`);
    this.#fail(
      seq,
      'inserted',
      `${rows.length} entries claim seq ${seq}: ${each.join('; ')}`,
      rows.map((r) => r.id),
    );
  }

  /** How a row claiming the next seq fits the chain verified so far. */
  #fit(row: ChainRow): string {
    const digest = rowDigest(row);
    if (linkHash(this.tenant, row.seq, row.prevHash, digest) !== row.hash)
      return 'its content does not match its hash';
    if (row.seq !== this.#prev.seq + 1 || row.prevHash !== this.#prev.hash)
      return `does not link to seq ${row.seq - 1}`;
    return `links to seq ${row.seq - 1}`;
  }

  /** Checks the checkpoints up to `seq`; whether one of the store's is at exactly `seq`. */
  #checkCheckpoints(seq: number, hash: string): boolean {
    let signedHere = false;
    while (this.#checkpoints[this.#next] && this.#checkpoints[this.#next]!.seq <= seq) {
      const cp = this.#checkpoints[this.#next++]!;
      const what = cp.source ? `the checkpoint saved in ${cp.source}` : 'the checkpoint';
      const key = this.#keys.get(cp.keyId);
      if (!key || !checkpointSignatureValid(cp, key)) {
        const why = key ? 'its signature is invalid' : `key ${cp.keyId} is not a trusted key`;
        this.#fail(cp.seq, 'checkpoint_signature_invalid', `${what} at seq ${cp.seq}: ${why}`);
        return false;
      }
      if (cp.seq !== seq || cp.hash !== hash) {
        const message = cp.source
          ? `the chain no longer extends ${what}: its hash at seq ${cp.seq} is not the one signed (entries up to ${cp.seq} were changed)`
          : `the chain's hash at seq ${cp.seq} is not the one signed`;
        this.#fail(cp.seq, 'checkpoint_mismatch', message);
        return false;
      }
      if (cp.source) {
        this.#saved++;
        continue;
      }
      signedHere = true;
      this.#checked++;
      this.#newestValid = cp;
    }
    return signedHere;
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
    const digest = rowDigest(row);
    if (linkHash(this.tenant, pending.seq, row.prevHash, digest) === row.hash) {
      this.#problem = {
        ...pending,
        kind: 'inserted',
        message: `a forged entry was inserted at seq ${pending.seq}; the entries after it were renumbered`,
      };
    }
  }

  #fail(seq: number, kind: ProblemKind, message: string, ids?: string[]): void {
    this.#problem ??= { tenant: this.tenant, seq, kind, message, ...(ids ? { ids } : {}) };
  }
}
