import { createHash } from 'node:crypto';

/** RFC 9162 §2.1.1 hashing with SHA-256: leaves are prefixed 0x00 and interior nodes 0x01 (no second preimages). */
export const HASH_BYTES = 32;

export const EMPTY_ROOT: Buffer = createHash('sha256').digest();

export function leafHash(data: Uint8Array): Buffer {
  return createHash('sha256').update(LEAF_PREFIX).update(data).digest();
}

export function nodeHash(left: Uint8Array, right: Uint8Array): Buffer {
  return createHash('sha256').update(NODE_PREFIX).update(left).update(right).digest();
}

/** The leaf of an auditlog entry: its chain hash (64 hex digits) as 32 bytes. */
export function entryLeafHash(entryHashHex: string): Buffer {
  return leafHash(Buffer.from(entryHashHex, 'hex'));
}

const LEAF_PREFIX = Buffer.from([0]);
const NODE_PREFIX = Buffer.from([1]);
