import { canonicalJson } from './canonical-json.js';
import type { ProblemKind } from './chain-verifier.js';
import { type SigningKey, signText, textSignatureValid } from './signing.js';

/**
 * A verifiable export's last line for its tenant: the log's signed statement that the export `exportId`
 * (the id its `auditlog.export` record names) answered `filters` from the chain as signed at `seq`/`hash`
 * and holds exactly `events` event lines. Checkpoint lines prove each event; only this line proves that none
 * is missing: without it, an export cut just after a checkpoint line, or whose event lines were swapped for
 * bridges of their digests, verified as the smaller export it then was. Signed by the checkpoint key over the
 * canonical JSON of `{ exportEnd: claim }`, a text no checkpoint or purge signature covers.
 */
export interface ExportEndClaim {
  tenant: string;
  exportId: string;
  /** The query the export answered: its parameters as sent, `format` left out. */
  filters: Record<string, unknown>;
  /** The signed head the export is a snapshot of. */
  seq: number;
  hash: string;
  /** Event lines of the tenant before this one. */
  events: number;
  /**
   * Which: the SHA-256 of their seqs, one per line in the order exported (`seqsDigest`, purge-record.ts). The
   * count alone let a filtered export trade one event for another (a bridge in its place, the other's line
   * in a bridge's), each still proven by the chain.
   */
  seqsDigest: string;
  signedAt: string;
  keyId: string;
}

export interface SignedExportEnd extends ExportEndClaim {
  /** base64 Ed25519 signature over canonicalJson({ exportEnd: claim }). */
  signature: string;
}

export function signExportEnd(key: SigningKey, claim: Omit<ExportEndClaim, 'keyId'>): SignedExportEnd {
  const full: ExportEndClaim = { ...claim, keyId: key.keyId };
  return { ...full, signature: signText(key, signedText(full)) };
}

export function exportEndSignatureValid(end: SignedExportEnd, publicKeyPem: string): boolean {
  return textSignatureValid(signedText(end), end.signature, publicKeyPem);
}

function signedText(c: ExportEndClaim): string {
  const claim: ExportEndClaim = {
    tenant: c.tenant,
    exportId: c.exportId,
    filters: c.filters,
    seq: c.seq,
    hash: c.hash,
    events: c.events,
    seqsDigest: c.seqsDigest,
    signedAt: c.signedAt,
    keyId: c.keyId,
  };
  return canonicalJson({ exportEnd: claim });
}

/** What the verifier saw of a tenant before its end line. */
export interface SeenBeforeEnd {
  /** Event lines of the tenant. */
  events: number;
  /** Their seqs' digest (as the exporter's). */
  seqsDigest: string;
  /** The last checkpoint line, if any. */
  reached?: { seq: number; hash: string };
}

/**
 * Why an end line, already known validly signed, does not close what came before it; undefined if it does.
 * The events must be as many as signed, and the last checkpoint must lie within the signed head (at it, with
 * its hash). Events no checkpoint proves are the verifier's own finding, at the end of the file.
 */
export function exportEndProblem(
  end: SignedExportEnd,
  seen: SeenBeforeEnd,
): { seq: number; kind: ProblemKind; message: string } | undefined {
  if (seen.events !== end.events) {
    const fewer = seen.events < end.events;
    return {
      seq: end.seq,
      kind: fewer ? 'missing' : 'inserted',
      message: `the export holds ${seen.events} events of tenant ${end.tenant}, its signed end line ${end.events}: ${fewer ? 'events were removed (or turned into bridges)' : 'events were added'}`,
    };
  }
  if (seen.seqsDigest !== end.seqsDigest) {
    return {
      seq: end.seq,
      kind: 'missing',
      message: `the export's events of tenant ${end.tenant} are not those its signed end line names: an event was swapped for another`,
    };
  }
  const r = seen.reached;
  if (r && (r.seq > end.seq || (r.seq === end.seq && r.hash !== end.hash))) {
    return {
      seq: r.seq,
      kind: 'checkpoint_mismatch',
      message: `the checkpoint at seq ${r.seq} is not within the head the export's end line signs (seq ${end.seq})`,
    };
  }
  return undefined;
}

/** When a tenant's export may lack its end line (`verify --file --allow-missing-end [date]`). */
export interface EndRule {
  /** False: an export without its end line is accepted (made before exports had one); default true. */
  requireEnd?: boolean;
  /**
   * With requireEnd false: still required when the last checkpoint the export reached was signed at or after
   * this time (ms) — the operator's date from which every writer ended exports with a signed line. A
   * checkpoint's signedAt is signed and an export holds no checkpoint signed after it was taken, so such a
   * file was exported after that date, by a version that writes end lines: its end line was cut off.
   */
  endRequiredFrom?: number;
}

/** Why an export of `tenant` without its end line fails, or undefined when the rule accepts it. */
export function missingEndMessage(
  tenant: string,
  reached: { seq: number; signedAt: string } | undefined,
  rule: EndRule,
): string | undefined {
  const cut = `the export of tenant ${tenant} has no signed end line: it was cut short${reached ? ` after the checkpoint at seq ${reached.seq}` : ''}`;
  if (rule.requireEnd !== false)
    return `${cut} (or made before exports were signed at their end: --allow-missing-end accepts such a file)`;
  const from = rule.endRequiredFrom;
  if (from === undefined || !reached || !(Date.parse(reached.signedAt) >= from)) return undefined;
  return `${cut}, signed ${reached.signedAt}: exported after ${new Date(from).toISOString()} (--allow-missing-end), when exports were already signed at their end`;
}
