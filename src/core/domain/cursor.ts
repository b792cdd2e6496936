import type { AlertPosition } from './attack-detection.js';
import { invalidQuery } from './errors.js';

/** Opaque page cursors: the keyset position (occurredAt, seq) of the last entry and the order it was read in. */
export interface CursorPosition {
  occurredMs: number;
  seq: number;
  order: 'asc' | 'desc';
}

const encode = (values: unknown[]) => Buffer.from(JSON.stringify(values)).toString('base64url');

/** The array a cursor encodes when `valid` accepts it, else an invalid_query error naming `cursor`. */
function decode(
  text: string,
  valid: (v: unknown[]) => boolean,
  message = 'is not a cursor this server issued',
): unknown[] {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    value = null;
  }
  if (!Array.isArray(value) || !valid(value)) throw invalidQuery('/cursor', message);
  return value;
}

export function encodeCursor(p: CursorPosition): string {
  return encode([p.occurredMs, p.seq, p.order === 'asc' ? 1 : 0]);
}

export function decodeCursor(text: string): CursorPosition {
  const v = decode(
    text,
    (v) =>
      v.length === 3 &&
      Number.isSafeInteger(v[0]) &&
      Number.isSafeInteger(v[1]) &&
      (v[2] === 0 || v[2] === 1),
  );
  return { occurredMs: v[0] as number, seq: v[1] as number, order: v[2] === 1 ? 'asc' : 'desc' };
}

/** Cursors of the sessions list: (sortMs, sessionId) and the order. */
export function encodeSessionCursor(sortMs: number, sessionId: string, order: 'asc' | 'desc'): string {
  return encode([sortMs, sessionId, order === 'asc' ? 1 : 0]);
}

export function decodeSessionCursor(
  text: string,
  order: 'asc' | 'desc',
): { sortMs: number; sessionId: string } {
  const v = decode(
    text,
    (v) =>
      v.length === 3 &&
      Number.isSafeInteger(v[0]) &&
      typeof v[1] === 'string' &&
      v[2] === (order === 'asc' ? 1 : 0),
    'is not a cursor this server issued for this order',
  );
  return { sortMs: v[0] as number, sessionId: v[1] as string };
}

/** Cursors of the alerts list: the last alert's position and the end of the range it was computed for. */
export function encodeAlertCursor(p: AlertPosition, toMs: number): string {
  return encode([p.lastMs, p.subject, p.kind === 'brute_force' ? 0 : 1, toMs]);
}

export function decodeAlertCursor(text: string): AlertPosition & { toMs: number } {
  const v = decode(
    text,
    (v) =>
      v.length === 4 &&
      Number.isSafeInteger(v[0]) &&
      typeof v[1] === 'string' &&
      (v[2] === 0 || v[2] === 1) &&
      Number.isSafeInteger(v[3]),
  );
  const kind = v[2] === 0 ? 'brute_force' : 'password_spraying';
  return { lastMs: v[0] as number, subject: v[1] as string, kind, toMs: v[3] as number };
}
