import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical-json.js';
import type { Stream } from './entry.js';
import { type SigningKey, signText, textSignatureValid } from './signing.js';

/**
 * A signed purge record: the log's statement that it removed the content of exactly these entries, made by
 * the key that signs checkpoints. A purged entry leaves a tombstone — its seq, stream, id, receive time,
 * digest, prevHash and hash stay; its content and filter columns go — so the chain still links through it
 * and `verify` checks every retained entry as before. A tombstone is accepted only under a record whose
 * signature holds and whose `seqsDigest` and `count` are those of its tombstones: someone with write
 * access to the tables, but not the key, cannot pass an entry's removal off as a purge.
 *
 *   seqsDigest = SHA-256( seq₁ "\n" seq₂ "\n" … )   over the purged seqs in increasing order
 *
 * `anchorSeq`/`anchorHash` name the signed checkpoint taken just before the purge (the head then).
 */
export interface PurgeClaim {
  tenant: string;
  purgeId: string;
  stream: Stream;
  count: number;
  firstSeq: number;
  lastSeq: number;
  seqsDigest: string;
  anchorSeq: number;
  anchorHash: string;
  signedAt: string;
  keyId: string;
}

export interface SignedPurge extends PurgeClaim {
  /** base64 Ed25519 over canonicalJson({ purge: claim }) (the wrapper keeps it from passing as a checkpoint). */
  signature: string;
}

/** Incremental seqsDigest: push seqs in increasing order. */
export class SeqsDigest {
  readonly #hash = createHash('sha256');
  count = 0;
  first = 0;
  last = 0;

  push(seq: number): void {
    if (this.count === 0) this.first = seq;
    this.last = seq;
    this.count++;
    this.#hash.update(`${seq}\n`);
  }

  digest(): string {
    return this.#hash.copy().digest('hex');
  }
}

export function seqsDigest(seqs: readonly number[]): string {
  const d = new SeqsDigest();
  for (const s of seqs) d.push(s);
  return d.digest();
}

export function signPurge(key: SigningKey, claim: Omit<PurgeClaim, 'keyId'>): SignedPurge {
  const full: PurgeClaim = { ...claim, keyId: key.keyId };
  return { ...full, signature: signText(key, signedText(full)) };
}

export function purgeSignatureValid(record: SignedPurge, publicKeyPem: string): boolean {
  return textSignatureValid(signedText(record), record.signature, publicKeyPem);
}

function signedText(c: PurgeClaim): string {
  const claim: PurgeClaim = {
    tenant: c.tenant,
    purgeId: c.purgeId,
    stream: c.stream,
    count: c.count,
    firstSeq: c.firstSeq,
    lastSeq: c.lastSeq,
    seqsDigest: c.seqsDigest,
    anchorSeq: c.anchorSeq,
    anchorHash: c.anchorHash,
    signedAt: c.signedAt,
    keyId: c.keyId,
  };
  return canonicalJson({ purge: claim });
}

/** Seqs as compact ranges, e.g. [[1, 40], [45, 45]], for reports. */
export function seqRanges(seqs: Iterable<number>): [number, number][] {
  const out: [number, number][] = [];
  for (const s of seqs) {
    const last = out[out.length - 1];
    if (last && s === last[1] + 1) last[1] = s;
    else out.push([s, s]);
  }
  return out;
}
