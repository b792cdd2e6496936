/**
 * The kinds of line a verifiable export holds (verifiable-export.ts) and the fields the verifier reads of
 * each, checked before it reads them: a hand-edited or hostile file must fail with the line it is on, never
 * stop the verifier with a TypeError.
 */
export type ExportLineKind = 'bridge' | 'checkpoint' | 'end' | 'event';

const str = (v: unknown) => typeof v === 'string';
const seq = (v: unknown) => Number.isSafeInteger(v) && (v as number) >= 0;
const object = (v: unknown) => typeof v === 'object' && v !== null && !Array.isArray(v);

const FIELDS: Record<ExportLineKind, Record<string, (v: unknown) => boolean>> = {
  bridge: { tenant: str, fromSeq: seq, digests: (v) => Array.isArray(v) && v.every(str) },
  checkpoint: { tenant: str, seq, hash: str, signedAt: str, keyId: str, signature: str },
  end: {
    tenant: str,
    exportId: str,
    filters: object,
    seq,
    hash: str,
    events: seq,
    seqsDigest: str,
    signedAt: str,
    keyId: str,
    signature: str,
  },
  event: { tenant: str, seq, receivedAt: str, prevHash: str, hash: str },
};

/** A parsed line's kind and the object to read, or why it is no export line. */
export function exportLineShape(
  line: unknown,
): { kind: ExportLineKind; value: Record<string, unknown> } | { problem: string } {
  if (!object(line)) return { problem: 'is not a JSON object' };
  const outer = line as Record<string, unknown>;
  const kind = (['bridge', 'checkpoint', 'end'] as const).find((k) => Object.hasOwn(outer, k)) ?? 'event';
  const value = kind === 'event' ? outer : outer[kind];
  if (!object(value)) return { problem: `its "${kind}" is not an object` };
  const v = value as Record<string, unknown>;
  const wrong = Object.entries(FIELDS[kind])
    .filter(([name, ok]) => !ok(v[name]))
    .map(([name]) => name);
  if (wrong.length > 0)
    return {
      problem: `${/^[ae]/.test(kind) ? 'an' : 'a'} ${kind} line whose ${wrong.join(', ')} ${wrong.length > 1 ? 'are' : 'is'} missing or of the wrong type`,
    };
  return { kind, value: v };
}
