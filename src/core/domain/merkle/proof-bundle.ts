import type { KeyObject } from 'node:crypto';
import type { Stream } from '../entry.js';
import { entryHash } from '../hash-chain.js';
import { entryLeafHash } from './merkle-hash.js';
import { verifyConsistency, verifyInclusion } from './merkle-verify.js';
import { noteSignedBy, parseCheckpointBody, parseNote, type TreeHead } from './signed-note.js';

/**
 * A self-contained proof that one entry is in a tenant's log (`auditlog prove`): the entry exactly as
 * hashed, its RFC 9162 inclusion proof, and the signed checkpoint (a C2SP note) of the tree it was proven
 * in. Anyone holding the log's public key checks it offline: entry → chain hash → leaf → root → signature.
 */
export interface ProofBundle {
  format: 'auditlog-proof/v1';
  entry: {
    tenant: string;
    seq: number;
    stream: Stream;
    receivedAt: string;
    prevHash: string;
    /** The stored canonical JSON, the exact bytes the hash covers. */
    body: string;
    hash: string;
  };
  leafIndex: number;
  treeSize: number;
  /** Hex hashes, leaf to root. */
  inclusionProof: string[];
  /** The signed note of the tree of `treeSize` entries. */
  checkpoint: string;
}

export type ProofCheck = { ok: true; head: TreeHead } | { ok: false; reason: string };

/** Checks a signed checkpoint note against the log key (its name is the note's origin). */
export function checkSignedCheckpoint(note: string, publicKey: KeyObject): ProofCheck {
  const parsed = parseNote(note);
  const head = parsed && parseCheckpointBody(parsed.body);
  if (!parsed || !head) return { ok: false, reason: 'the checkpoint is not a signed note' };
  if (!noteSignedBy(parsed, head.origin, publicKey))
    return { ok: false, reason: `the checkpoint of ${head.origin} is not signed by this key` };
  return { ok: true, head };
}

export function verifyProofBundle(bundle: ProofBundle, publicKey: KeyObject): ProofCheck {
  const signed = checkSignedCheckpoint(bundle.checkpoint, publicKey);
  if (!signed.ok) return signed;
  const { head } = signed;
  const e = bundle.entry;
  if (head.size !== bundle.treeSize)
    return {
      ok: false,
      reason: `the checkpoint is of size ${head.size}, the proof of size ${bundle.treeSize}`,
    };
  if (bundle.leafIndex !== e.seq - 1)
    return { ok: false, reason: `leaf ${bundle.leafIndex} is not the entry at seq ${e.seq}` };
  const hash = entryHash(e.tenant, e.seq, e.stream, e.receivedAt, e.prevHash, e.body);
  if (hash !== e.hash) return { ok: false, reason: `the entry at seq ${e.seq} does not match its hash` };
  const proof = bundle.inclusionProof.map((h) => Buffer.from(h, 'hex'));
  if (!verifyInclusion(entryLeafHash(hash), bundle.leafIndex, bundle.treeSize, proof, head.rootHash))
    return { ok: false, reason: `the entry at seq ${e.seq} is not in the signed tree of size ${head.size}` };
  return { ok: true, head };
}

/** Whether the signed checkpoint `later` extends `earlier` (same origin) by `proof` (hex). */
export function checkConsistency(earlier: TreeHead, later: TreeHead, proof: readonly string[]): ProofCheck {
  if (earlier.origin !== later.origin)
    return { ok: false, reason: `the checkpoints are of two logs: ${earlier.origin} and ${later.origin}` };
  if (later.size < earlier.size)
    return { ok: false, reason: `the tree shrank from ${earlier.size} to ${later.size} entries` };
  if (later.size === earlier.size && !later.rootHash.equals(earlier.rootHash))
    return { ok: false, reason: `fork: two different trees of size ${later.size}` };
  if (earlier.size === 0) return { ok: true, head: later };
  const ok = verifyConsistency(
    earlier.size,
    later.size,
    proof.map((h) => Buffer.from(h, 'hex')),
    earlier.rootHash,
    later.rootHash,
  );
  return ok
    ? { ok: true, head: later }
    : {
        ok: false,
        reason: `the tree of size ${later.size} does not extend the tree of size ${earlier.size}`,
      };
}
