import { existsSync, readFileSync } from 'node:fs';
import { AuditError } from '../../core/domain/errors.js';
import {
  type NoteSignature,
  parseCheckpointBody,
  parseNote,
  type TreeHead,
} from '../../core/domain/merkle/signed-note.js';
import type { MerkleLog } from '../../core/services/merkle-log.js';

export interface SavedNote {
  file: string;
  text: string;
  head: TreeHead;
  note: { body: string; signatures: NoteSignature[] };
}

/**
 * A note that is not this log's signed checkpoint: a failed verification (exit 1, as `verify` reports a
 * tampered log), not bad usage. Thrown as a plain Error, which the CLI maps to exit 1.
 */
export class NoteNotVerified extends Error {}

/** Both notes of `prove --consistency OLD NEW`, read and checked before any store is opened. */
export function readNotes(files: string[]): [SavedNote, SavedNote] {
  if (files.length !== 2) throw new AuditError('invalid_request', '--consistency takes two note files');
  const notes = files.map(readNote) as [SavedNote, SavedNote];
  // A log only grows: an older note larger than the newer one can never be proven consistent (the file
  // would only ever fail `verify --proof`), so the order is checked here, as the API refuses from > to.
  const [old, recent] = notes;
  // Another log's note first: swapping would not help (it named the order when one was another tenant's).
  if (old.head.origin !== recent.head.origin)
    throw new AuditError(
      'invalid_request',
      `--consistency takes two notes of one log: ${old.file} is a checkpoint of ${old.head.origin}, ${recent.file} of ${recent.head.origin}`,
    );
  if (old.head.size > recent.head.size)
    throw new AuditError(
      'invalid_request',
      `--consistency takes the OLD note first, then the NEW one: ${old.file} is a checkpoint of ${old.head.size} entries, ${recent.file} of ${recent.head.size} (swap them)`,
    );
  return notes;
}

function readNote(file: string): SavedNote {
  if (!existsSync(file)) throw new AuditError('invalid_request', `${file}: no such file`);
  // A note ends with one line feed; a saved copy often has one more (`jq -r .note > a.note` adds it).
  const text = readFileSync(file, 'utf8').replace(/\n+$/, '\n');
  const note = parseNote(text);
  const head = note && parseCheckpointBody(note.body);
  if (note && head) return { file, text, head, note };
  // A checkpoint with its signature lines cut off is a forged note, not a file of another kind.
  if (parseCheckpointBody(text)) throw new NoteNotVerified(`${file} is a checkpoint without a signature`);
  throw new AuditError('invalid_request', `${file} is not a signed checkpoint note`);
}

/**
 * Each note must be this tenant's checkpoint, signed with the log's key (an edited size or root, a signature
 * by another key, or none: refused, exit 1). Unchecked, the
 * command wrote a proof file joining a forged note, which only `verify --proof` would refuse later.
 */
export function checkNotes(
  merkle: Pick<MerkleLog, 'origin' | 'signedByLog' | 'verifierKey'>,
  tenant: string,
  notes: SavedNote[],
): void {
  for (const n of notes)
    if (n.head.origin !== merkle.origin(tenant))
      throw new AuditError(
        'invalid_request',
        `${n.file} is a checkpoint of ${n.head.origin}, not of ${merkle.origin(tenant)} (--tenant ${tenant})`,
      );
  for (const n of notes)
    if (!merkle.signedByLog(tenant, n.note))
      throw new NoteNotVerified(
        `${n.file} is not signed by this log's key ${merkle.verifierKey(tenant)}: edited, signed by another key, or of another store (is AUDITLOG_SIGNING_KEY the servers' key?)`,
      );
}

/** After the signatures: a signed note whose root is not the store's tree of its size means the log was rewritten. */
export async function checkRoots(
  merkle: Pick<MerkleLog, 'checkpoint'>,
  tenant: string,
  notes: SavedNote[],
): Promise<void> {
  for (const n of notes) {
    const ours = await merkle.checkpoint(tenant, n.head.size);
    if (ours.rootHash !== n.head.rootHash.toString('hex'))
      throw new NoteNotVerified(
        `${n.file} is signed by this log, but the store's tree of size ${n.head.size} has another root: the log was rewritten after it was signed (a fork)`,
      );
  }
}
