import { hash as digestOf } from 'node:crypto';
import type { Stream } from './entry.js';

/**
 * Each tenant's entries, both streams, form one hash chain in `seq` order. An entry's hash is two SHA-256
 * steps, all values lowercase hex:
 *
 *   digest = SHA-256( stream "\n" receivedAt "\n" body )
 *   hash   = SHA-256( "auditlog.v1\n" tenant "\n" seq "\n" prevHash "\n" digest )
 *
 * `body` is the entry's RFC 8785 canonical JSON, `receivedAt` its RFC 3339 receive time, `prevHash` the
 * previous entry's hash (64 zeros for seq 1). The digest step lets a filtered export bridge the entries it
 * leaves out with their digests alone (32 bytes each) instead of their content. The formula is written out
 * here and in docs/integrity.md so that an auditor can re-implement it.
 */
export const GENESIS_HASH = '0'.repeat(64);

export interface ChainHead {
  seq: number;
  hash: string;
}

export const EMPTY_HEAD: ChainHead = { seq: 0, hash: GENESIS_HASH };

export function entryDigest(stream: Stream, receivedAt: string, body: string): string {
  return digestOf('sha256', `${stream}\n${receivedAt}\n${body}`, 'hex');
}

export function linkHash(tenant: string, seq: number, prevHash: string, digest: string): string {
  return digestOf('sha256', `auditlog.v1\n${tenant}\n${seq}\n${prevHash}\n${digest}`, 'hex');
}

export function entryHash(
  tenant: string,
  seq: number,
  stream: Stream,
  receivedAt: string,
  prevHash: string,
  body: string,
): string {
  return linkHash(tenant, seq, prevHash, entryDigest(stream, receivedAt, body));
}

export interface SealedLink {
  seq: number;
  prevHash: string;
  hash: string;
}

/**
 * Links entries after `head`; returns each entry's link and leaves `head` untouched. An entry's `digest`,
 * when given, must be its `entryDigest` (worked out where it was prepared).
 */
export function sealEntries(
  head: ChainHead,
  tenant: string,
  entries: readonly { stream: Stream; receivedAt: string; body: string; digest?: string }[],
): SealedLink[] {
  let { seq, hash } = head;
  return entries.map((e) => {
    seq += 1;
    const prevHash = hash;
    hash = linkHash(tenant, seq, prevHash, e.digest ?? entryDigest(e.stream, e.receivedAt, e.body));
    return { seq, prevHash, hash };
  });
}
