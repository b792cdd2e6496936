import { existsSync, readFileSync } from 'node:fs';
import { AuditError } from '../../core/domain/errors.js';
import { readLogKey, verifyProofFile } from '../../core/domain/merkle/proof-files.js';
import { proofFileShape } from '../../core/domain/merkle/proof-shape.js';
import { readPublicKeyArg } from '../public-key-arg.js';

/** `auditlog verify --proof FILE --public-key K`: exit 0 and an OK line, 1 and a FAILED line, 2 for a file that is no proof. */
export function verifyProof(file: string, keys: string[]): void {
  if (keys.length !== 1)
    throw new AuditError('invalid_request', '--proof needs exactly one --public-key (PEM or verifier key)');
  if (!existsSync(file)) throw new AuditError('invalid_request', `No proof file at ${file}`);
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    throw new AuditError('invalid_request', `${file} is not JSON`);
  }
  // A file of another kind is bad input (exit 2), as one that is not JSON is; FAILED (exit 1) is for proofs.
  const format = (json as { format?: unknown } | null)?.format;
  if (format !== 'auditlog-proof/v1' && format !== 'auditlog-consistency/v1')
    throw new AuditError(
      'invalid_request',
      `${file} is not an auditlog proof file (format auditlog-proof/v1 or auditlog-consistency/v1)`,
    );
  const key = readPublicKeyArg(keys[0]!, readLogKey);
  // A member missing or of the wrong type is unusable input too: named, before any hash is computed.
  const shape = proofFileShape(json as Record<string, unknown>);
  if (shape.length > 0)
    throw new AuditError(
      'invalid_request',
      `${file} is not a usable ${format} file: ${shape.map((d) => `${d.path} ${d.message}`).join('; ')}`,
    );
  const check = verifyProofFile(json, key);
  if (!check.ok) {
    process.stdout.write(`FAILED ${file}: ${check.reason}\n`);
    process.exitCode = 1;
    return;
  }
  const what =
    (json as { format: string }).format === 'auditlog-proof/v1'
      ? `entry ${(json as { entry: { seq: number } }).entry.seq} is included in`
      : 'the log extends the older checkpoint up to';
  process.stdout.write(
    `OK ${file}: ${what} ${check.head.origin} at size ${check.head.size}, checkpoint signed by the given key\n`,
  );
}
