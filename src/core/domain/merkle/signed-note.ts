import { createHash, createPublicKey, type KeyObject, sign, verify } from 'node:crypto';

/**
 * C2SP signed notes (c2sp.org/signed-note) carrying tlog checkpoints (c2sp.org/tlog-checkpoint):
 *
 *   <origin>\n<tree size>\n<base64 root hash>\n
 *   \n
 *   — <key name> <base64(key id || Ed25519 signature)>\n
 *
 * The key id is the first 4 bytes of SHA-256(key name || 0x0A || 0x01 || 32-byte public key); the
 * signature covers the text before the blank line. A verifier key is written `<name>+<hex id>+<base64(0x01
 * || public key)>` (the "vkey" form). Witness cosignatures (c2sp.org/tlog-cosignature) are further lines.
 */
export interface TreeHead {
  origin: string;
  size: number;
  /** 32 bytes. */
  rootHash: Buffer;
}

export interface NoteSignature {
  keyName: string;
  /** 4 bytes. */
  keyId: Buffer;
  /** What follows the key id: the Ed25519 signature (64 bytes), or for a cosignature timestamp || signature. */
  signature: Buffer;
}

export const ED25519_TYPE = 0x01;
export const COSIGNATURE_TYPE = 0x04;
const DASH = '\u2014';

export function checkpointBody(head: TreeHead): string {
  return `${head.origin}\n${head.size}\n${head.rootHash.toString('base64')}\n`;
}

/** Parses a checkpoint body (the first three lines; extension lines are allowed and ignored). */
export function parseCheckpointBody(body: string): TreeHead | undefined {
  const lines = body.split('\n');
  if (lines.length < 4 || lines.at(-1) !== '') return undefined;
  const [origin, size, root] = lines as [string, string, string];
  if (origin === '' || !/^(0|[1-9]\d{0,15})$/.test(size) || !Number.isSafeInteger(Number(size)))
    return undefined;
  const rootHash = Buffer.from(root, 'base64');
  if (rootHash.length !== 32 || rootHash.toString('base64') !== root) return undefined;
  return { origin, size: Number(size), rootHash };
}

export function noteKeyId(name: string, type: number, publicKey: Buffer): Buffer {
  return createHash('sha256')
    .update(name)
    .update(Buffer.from([0x0a, type]))
    .update(publicKey)
    .digest()
    .subarray(0, 4);
}

/** The raw 32 bytes of an Ed25519 public key. */
export function rawPublicKey(key: KeyObject): Buffer {
  const der = key.export({ type: 'spki', format: 'der' });
  return der.subarray(der.length - 32);
}

export function ed25519FromRaw(raw: Buffer): KeyObject {
  return createPublicKey({
    key: Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), raw]),
    format: 'der',
    type: 'spki',
  });
}

/** The "vkey" text a verifier is configured with (type 0x01: note signatures, 0x04: cosignatures). */
export function verifierKey(name: string, publicKey: KeyObject, type = ED25519_TYPE): string {
  const raw = rawPublicKey(publicKey);
  const id = noteKeyId(name, type, raw).toString('hex');
  return `${name}+${id}+${Buffer.concat([Buffer.from([type]), raw]).toString('base64')}`;
}

export interface VerifierKey {
  name: string;
  type: number;
  keyId: Buffer;
  publicKey: KeyObject;
}

export function parseVerifierKey(text: string): VerifierKey | undefined {
  const m = /^([^+\s]+)\+([0-9a-f]{8})\+([A-Za-z0-9+/=]+)$/.exec(text.trim());
  if (!m) return undefined;
  const bytes = Buffer.from(m[3]!, 'base64');
  const type = bytes[0]!;
  if (bytes.length !== 33 || (type !== ED25519_TYPE && type !== COSIGNATURE_TYPE)) return undefined;
  const raw = bytes.subarray(1);
  const keyId = noteKeyId(m[1]!, type, raw);
  if (keyId.toString('hex') !== m[2]) return undefined;
  return { name: m[1]!, type, keyId, publicKey: ed25519FromRaw(raw) };
}

export function signatureLine(s: NoteSignature): string {
  return `${DASH} ${s.keyName} ${Buffer.concat([s.keyId, s.signature]).toString('base64')}\n`;
}

/** A note signed by `name` with `privateKey` (Ed25519). */
export function signNote(body: string, name: string, privateKey: KeyObject): string {
  const raw = rawPublicKey(createPublicKey(privateKey));
  const signature = sign(null, Buffer.from(body), privateKey);
  return `${body}\n${signatureLine({ keyName: name, keyId: noteKeyId(name, ED25519_TYPE, raw), signature })}`;
}

/** Splits a note into its body and signature lines; undefined when malformed. */
export function parseNote(text: string): { body: string; signatures: NoteSignature[] } | undefined {
  const at = text.lastIndexOf('\n\n');
  if (at < 0 || !text.endsWith('\n')) return undefined;
  const body = text.slice(0, at + 1);
  const signatures: NoteSignature[] = [];
  for (const line of text.slice(at + 2, -1).split('\n')) {
    const m = new RegExp(`^${DASH} (\\S+) ([A-Za-z0-9+/=]+)$`).exec(line);
    if (!m) return undefined;
    const bytes = Buffer.from(m[2]!, 'base64');
    if (bytes.length < 5) return undefined;
    signatures.push({ keyName: m[1]!, keyId: bytes.subarray(0, 4), signature: bytes.subarray(4) });
  }
  return signatures.length > 0 ? { body, signatures } : undefined;
}

/** Whether `note` carries a valid Ed25519 signature by the key `name`/`publicKey`. */
export function noteSignedBy(
  note: { body: string; signatures: NoteSignature[] },
  name: string,
  publicKey: KeyObject,
): boolean {
  const id = noteKeyId(name, ED25519_TYPE, rawPublicKey(publicKey));
  return note.signatures.some(
    (s) =>
      s.keyName === name &&
      s.keyId.equals(id) &&
      s.signature.length === 64 &&
      verify(null, Buffer.from(note.body), publicKey, s.signature),
  );
}
