import { Type } from 'typebox';
import type { CheckpointToCheck } from './chain-verifier.js';
import { AuditError } from './errors.js';
import { compileSchema, schemaErrors } from './schema-validator.js';
import { publicKeyInfo } from './signing.js';

/** A checkpoint the verifier kept outside the store, with where it was read from (`file:line`). */
export type SavedCheckpoint = CheckpointToCheck & { source: string; publicKey?: string };

const Hex = (length: number) => Type.String({ pattern: `^[0-9a-f]{${length}}$` });

/** The signed checkpoint as `GET /v1/integrity/checkpoints/latest` and an export's checkpoint line give it. */
const SavedCheckpointSchema = Type.Object({
  tenant: Type.String({ minLength: 1 }),
  seq: Type.Integer({ minimum: 1 }),
  hash: Hex(64),
  signedAt: Type.String({ minLength: 1 }),
  keyId: Hex(16),
  signature: Type.String({ minLength: 1 }),
  publicKey: Type.Optional(Type.String()),
});

/**
 * Reads a file of saved checkpoints (`auditlog verify --checkpoint FILE`): one JSON value — a checkpoint or
 * an array of them — or one checkpoint per line (NDJSON, what appending `GET /v1/integrity/checkpoints/latest`
 * to a file makes). A checkpoint is the signed JSON that endpoint answers (`publicKey` optional) or an
 * export's `{"checkpoint": …}` line. Anything else MUST be refused, naming the line and the field: a
 * verifier that silently skipped a kept checkpoint would prove less than it claims.
 */
export function parseSavedCheckpoints(text: string, file: string): SavedCheckpoint[] {
  const whole = parseJson(text.trim());
  const items: { value: unknown; line: number }[] =
    whole === undefined
      ? text
          .split('\n')
          .map((line, i) => ({ text: line.trim(), line: i + 1 }))
          .filter((l) => l.text !== '')
          .map((l) => ({ value: parseJson(l.text) ?? invalid(file, l.line, 'is not JSON'), line: l.line }))
      : Array.isArray(whole)
        ? whole.map((value, i) => ({ value, line: i + 1 }))
        : [{ value: whole, line: 1 }];
  const where = (line: number) => (Array.isArray(whole) ? `${file} item ${line}` : `${file}:${line}`);
  if (items.length === 0) throw new AuditError('invalid_request', `${file} holds no checkpoint`);
  return items.map(({ value, line }) => toCheckpoint(value, where(line)));
}

function toCheckpoint(value: unknown, source: string): SavedCheckpoint {
  const item =
    value && typeof value === 'object' && 'checkpoint' in value
      ? (value as { checkpoint: unknown }).checkpoint
      : value;
  const details = schemaErrors(compileSchema(SavedCheckpointSchema), item);
  if (details.length > 0) {
    const each = details.map((d) => `${d.path || 'the checkpoint'} ${d.message}`);
    throw new AuditError('invalid_request', `${source}: ${each.join(', ')}`, details);
  }
  const c = item as SavedCheckpoint;
  const checkpoint: SavedCheckpoint = {
    tenant: c.tenant,
    seq: c.seq,
    hash: c.hash,
    signedAt: c.signedAt,
    keyId: c.keyId,
    signature: c.signature,
    source,
  };
  if (c.publicKey !== undefined) {
    const key = publicKeyInfo(c.publicKey);
    if (key.keyId !== c.keyId) {
      throw new AuditError('invalid_request', `${source}: its publicKey is not key ${c.keyId}`);
    }
    checkpoint.publicKey = key.publicKeyPem;
  }
  return checkpoint;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function invalid(file: string, line: number, why: string): never {
  throw new AuditError('invalid_request', `${file}:${line} ${why}`);
}
