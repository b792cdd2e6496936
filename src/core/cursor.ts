import type { AlertPosition } from './attack-detection.js';
import { invalidQuery } from './errors.js';

/** Opaque page cursors: the keyset position (occurredAt, seq) of the last entry and the order it was read in. */
export interface CursorPosition {
  occurredMs: number;
  seq: number;
  order: 'asc' | 'desc';
}

export function encodeCursor(p: CursorPosition): string {
  return Buffer.from(JSON.stringify([p.occurredMs, p.seq, p.order === 'asc' ? 1 : 0])).toString('base64url');
}

export function decodeCursor(text: string): CursorPosition {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    throw invalidQuery('/cursor', 'is not a cursor this server issued');
  }
  if (
    !Array.isArray(value) ||
    value.length !== 3 ||
    !Number.isSafeInteger(value[0]) ||
    !Number.isSafeInteger(value[1]) ||
    (value[2] !== 0 && value[2] !== 1)
  ) {
    throw invalidQuery('/cursor', 'is not a cursor this server issued');
  }
  return { occurredMs: value[0], seq: value[1], order: value[2] === 1 ? 'asc' : 'desc' };
}

/** Cursors of the sessions list: (sortMs, sessionId) and the order. */
export function encodeSessionCursor(sortMs: number, sessionId: string, order: 'asc' | 'desc'): string {
  return Buffer.from(JSON.stringify([sortMs, sessionId, order === 'asc' ? 1 : 0])).toString('base64url');
}

export function decodeSessionCursor(
  text: string,
  order: 'asc' | 'desc',
): { sortMs: number; sessionId: string } {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    value = null;
  }
  if (
    !Array.isArray(value) ||
    value.length !== 3 ||
    !Number.isSafeInteger(value[0]) ||
    typeof value[1] !== 'string' ||
    value[2] !== (order === 'asc' ? 1 : 0)
  ) {
    throw invalidQuery('/cursor', 'is not a cursor this server issued for this order');
  }
  return { sortMs: value[0], sessionId: value[1] };
}

/** Cursors of the alerts list: the last alert's position and the end of the range it was computed for. */
export function encodeAlertCursor(p: AlertPosition, toMs: number): string {
  const kind = p.kind === 'brute_force' ? 0 : 1;
  return Buffer.from(JSON.stringify([p.lastMs, p.subject, kind, toMs])).toString('base64url');
}

export function decodeAlertCursor(text: string): AlertPosition & { toMs: number } {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    value = null;
  }
  if (
    !Array.isArray(value) ||
    value.length !== 4 ||
    !Number.isSafeInteger(value[0]) ||
    typeof value[1] !== 'string' ||
    (value[2] !== 0 && value[2] !== 1) ||
    !Number.isSafeInteger(value[3])
  ) {
    throw invalidQuery('/cursor', 'is not a cursor this server issued');
  }
  const kind = value[2] === 0 ? 'brute_force' : 'password_spraying';
  return { lastMs: value[0], subject: value[1], kind, toMs: value[3] };
}
