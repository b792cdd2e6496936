import { createPublicKey, type KeyObject, sign, verify } from 'node:crypto';
import {
  COSIGNATURE_TYPE,
  type NoteSignature,
  noteKeyId,
  rawPublicKey,
  signatureLine,
} from './signed-note.js';

/**
 * Witness cosignatures as in c2sp.org/tlog-cosignature (cosignature/v1): the witness signs
 *
 *   cosignature/v1\ntime <unix seconds>\n<checkpoint body>
 *
 * and appends to the note the line `— <witness name> <base64(key id || 8-byte big-endian time || signature)>`,
 * key id = SHA-256(name || 0x0A || 0x04 || public key)[:4]. It states that the witness saw this checkpoint
 * and that it is consistent with every earlier one the witness accepted.
 */
export function cosign(body: string, name: string, privateKey: KeyObject, timeSeconds: number): string {
  const raw = rawPublicKey(createPublicKey(privateKey));
  const time = Buffer.alloc(8);
  time.writeBigUInt64BE(BigInt(timeSeconds));
  const signature = sign(null, Buffer.from(cosignedMessage(body, timeSeconds)), privateKey);
  return signatureLine({
    keyName: name,
    keyId: noteKeyId(name, COSIGNATURE_TYPE, raw),
    signature: Buffer.concat([time, signature]),
  });
}

/** The time (unix seconds) of a valid cosignature of `body` by `name`/`publicKey`, else undefined. */
export function cosignatureTime(
  body: string,
  line: NoteSignature,
  name: string,
  publicKey: KeyObject,
): number | undefined {
  if (line.keyName !== name || line.signature.length !== 72) return undefined;
  if (!line.keyId.equals(noteKeyId(name, COSIGNATURE_TYPE, rawPublicKey(publicKey)))) return undefined;
  const time = Number(line.signature.readBigUInt64BE(0));
  const ok = verify(null, Buffer.from(cosignedMessage(body, time)), publicKey, line.signature.subarray(8));
  return ok ? time : undefined;
}

export function cosignatureKeyId(name: string, publicKey: KeyObject): string {
  return noteKeyId(name, COSIGNATURE_TYPE, rawPublicKey(publicKey)).toString('hex');
}

function cosignedMessage(body: string, timeSeconds: number): string {
  return `cosignature/v1\ntime ${timeSeconds}\n${body}`;
}
