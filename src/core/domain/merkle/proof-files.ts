import { createPublicKey, type KeyObject } from 'node:crypto';
import { AuditError } from '../errors.js';
import {
  checkConsistency,
  checkSignedCheckpoint,
  type ProofBundle,
  type ProofCheck,
  verifyProofBundle,
} from './proof-bundle.js';
import { parseVerifierKey } from './signed-note.js';

/** `auditlog prove --consistency OLD NEW`: two signed checkpoints and the proof that the newer extends the older. */
export interface ConsistencyBundle {
  format: 'auditlog-consistency/v1';
  from: string;
  to: string;
  /** Hex hashes. */
  proof: string[];
}

/** The log key from PEM (SPKI) text or a C2SP verifier key; `name` is the key name a vkey carries. */
export function readLogKey(text: string): { publicKey: KeyObject; name?: string } {
  const vkey = parseVerifierKey(text);
  if (vkey) return { publicKey: vkey.publicKey, name: vkey.name };
  try {
    return { publicKey: createPublicKey(text) };
  } catch {
    // OpenSSL's own words (`error:1E08010C:DECODER routines::unsupported`) tell an operator nothing.
    throw new AuditError(
      'invalid_request',
      'The log key is neither a PEM public key nor a verifier key (origin+id+key: the verifierKey of a checkpoint answer)',
    );
  }
}

/** Checks a proof file of either kind, offline. */
export function verifyProofFile(json: unknown, key: { publicKey: KeyObject; name?: string }): ProofCheck {
  const file = json as Partial<ProofBundle> & Partial<ConsistencyBundle>;
  let check: ProofCheck;
  if (file?.format === 'auditlog-proof/v1') check = verifyProofBundle(file as ProofBundle, key.publicKey);
  else if (file?.format === 'auditlog-consistency/v1' && Array.isArray(file.proof)) {
    const from = checkSignedCheckpoint(String(file.from), key.publicKey);
    const to = checkSignedCheckpoint(String(file.to), key.publicKey);
    if (!from.ok) return from;
    if (!to.ok) return to;
    check = checkConsistency(from.head, to.head, file.proof.map(String));
  } else
    return {
      ok: false,
      reason: 'not an auditlog proof file (format auditlog-proof/v1 or auditlog-consistency/v1)',
    };
  if (check.ok && key.name !== undefined && key.name !== check.head.origin)
    return { ok: false, reason: `the key is of ${key.name}, the checkpoint of ${check.head.origin}` };
  return check;
}
