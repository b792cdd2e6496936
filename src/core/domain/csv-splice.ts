import { cell } from './csv-cell.js';

/**
 * CSV records made from the stored body's text, without the parsed event or JSON.stringify of its values:
 * the value columns are slices of the body's own JSON, the other cells slices of its strings (the reader
 * threads spent most of an export parsing bodies and writing values back; BENCHMARKS.md, issue 18).
 * JSON.stringify of a parsed value writes the same text only when that text is in its normal form, so a
 * body is spliced only when every value in it is found to be: no whitespace, keys in strictly increasing
 * order (so no duplicates) and none an array index (V8 writes those first), strings with only the escapes
 * JSON.stringify writes, numbers that String() writes back the same; no raw control character and no
 * lone surrogate anywhere. Canonical (RFC 8785) bodies are; for any other, spliceRecord returns undefined and
 * the caller formats the parsed event (csv-format.ts), whose bytes these equal (test/core/csv-format.test.ts).
 */

/** Where each cell's value lies in the body: [start, end) of its JSON token, and its kind. */
const STRING_CELLS = 17;
const CELLS = STRING_CELLS + 4;
const start = new Int32Array(CELLS);
const end = new Int32Array(CELLS);

/** 0 absent, 1 string without escapes, 2 string with escapes, 3 other JSON value, 4 null. */
const kind = new Uint8Array(CELLS);
// Cell indices, in column order after seq and receivedAt (which come from the row): the body's keys, its
// actor's and its target's.
const TOP = [
  ['id', 0],
  ['occurredAt', 1],
  ['action', 6],
  ['eventType', 7],
  ['category', 8],
  ['ip', 12],
  ['userAgent', 13],
  ['sessionId', 14],
  ['requestId', 15],
  ['reason', 16],
  ['oldValue', 17],
  ['newValue', 18],
  ['changes', 19],
  ['metadata', 20],
] as const;
const ACTOR = [
  ['id', 2],
  ['username', 3],
  ['displayName', 4],
  ['type', 5],
] as const;
const TARGET = [
  ['type', 9],
  ['id', 10],
  ['name', 11],
] as const;
type Cells = typeof TOP | typeof ACTOR | typeof TARGET;

/** The cell of key [a, b) in `cells`, or -1. */
function cellOf(cells: Cells, a: number, b: number): number {
  for (const [name, cell] of cells) if (b - a === name.length && s.startsWith(name, a)) return cell;
  return -1;
}

/** Thrown (always this one instance) where the text is not in normal form. */
class NotNormal extends Error {}
const notNormal = new NotNormal();

/** The body being scanned, and where. */
let s = '';
let p = 0;

/** Where the next backslash at or after p is (Infinity for none). */
let backslash = Number.POSITIVE_INFINITY;

/** Which of actor (1) and target (2) the body has: without either, the parsed event fails to format. */
let objects = 0;

/** Skips a string token at p; returns 1 without escapes, 2 with (only those JSON.stringify writes). */
function skipString(): number {
  const close = s.indexOf('"', p + 1);
  if (close < 0) throw notNormal;
  if (close < backslash) {
    p = close + 1;
    return 1;
  }
  for (p++; ; p++) {
    const c = s.charCodeAt(p);
    if (c === 34) break;
    if (c === 92) {
      const e = s.charCodeAt(++p);
      // \" \\ \b \f \n \r \t, or \u00xx for another control character; not \/ or any other \u.
      if (e === 117) p = controlEscape(p);
      else if (e !== 34 && e !== 92 && e !== 98 && e !== 102 && e !== 110 && e !== 114 && e !== 116)
        throw notNormal;
    } else if (Number.isNaN(c)) throw notNormal;
  }
  p++;
  const next = s.indexOf('\\', p);
  backslash = next < 0 ? Number.POSITIVE_INFINITY : next;
  return 2;
}

/** The end of a \u00xx escape at `u` (its `u`) as JSON.stringify writes it: lowercase, no short form. */
function controlEscape(u: number): number {
  if (!s.startsWith('00', u + 1)) throw notNormal;
  const hi = s.charCodeAt(u + 3) - 48;
  const d = s.charCodeAt(u + 4);
  const lo = d >= 48 && d <= 57 ? d - 48 : d >= 97 && d <= 102 ? d - 87 : -1;
  const code = hi * 16 + lo;
  if (
    (hi !== 0 && hi !== 1) ||
    lo < 0 ||
    code === 8 ||
    code === 9 ||
    code === 10 ||
    code === 12 ||
    code === 13
  )
    throw notNormal;
  return u + 4;
}

/** Skips a JSON value at p in normal form; returns its kind (1–4 as `kind`). */
function skipValue(): number {
  const c = s.charCodeAt(p);
  if (c === 34) return skipString();
  if (c === 123) {
    skipObject(null);
    return 3;
  }
  if (c === 91) {
    p++;
    if (s.charCodeAt(p) === 93) {
      p++;
      return 3;
    }
    for (;;) {
      skipValue();
      const d = s.charCodeAt(p++);
      if (d === 93) return 3;
      if (d !== 44) throw notNormal;
    }
  }
  if (s.startsWith('null', p)) {
    p += 4;
    return 4;
  }
  if (s.startsWith('true', p)) p += 4;
  else if (s.startsWith('false', p)) p += 5;
  else skipNumber();
  return 3;
}

/** A number that JSON.stringify writes back the same (not 1.0, 1e3, -0, …). */
function skipNumber(): void {
  const from = p;
  const neg = s.charCodeAt(p) === 45;
  if (neg) p++;
  const first = p;
  let plain = true;
  for (
    let c = s.charCodeAt(p);
    (c >= 48 && c <= 57) || c === 46 || c === 101 || c === 69 || c === 43 || c === 45;
  ) {
    if (c < 48 || c > 57) plain = false;
    c = s.charCodeAt(++p);
  }
  const digits = p - first;
  if (digits === 0) throw notNormal;
  // Short integers are themselves unless they start with a zero (0 alone is, -0 is not).
  if (plain && digits <= 15 && (s.charCodeAt(first) !== 48 || (digits === 1 && !neg))) return;
  const token = s.slice(from, p);
  if (String(Number(token)) !== token) throw notNormal;
}

/** Whether key [a, b) is an array index ("0", "42"), which V8 orders before the other keys. */
function isIndex(a: number, b: number): boolean {
  if (b - a > 10) return false;
  for (let i = a; i < b; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return b - a === 1 || s.charCodeAt(a) !== 48;
}

/** UTF-16 order of keys [a0, a1) and [b0, b1): negative, 0 or positive. */
function compareKeys(a0: number, a1: number, b0: number, b1: number): number {
  const n = Math.min(a1 - a0, b1 - b0);
  for (let i = 0; i < n; i++) {
    const d = s.charCodeAt(a0 + i) - s.charCodeAt(b0 + i);
    if (d !== 0) return d;
  }
  return a1 - a0 - (b1 - b0);
}

/**
 * Skips an object at p. With `cells`, records where the values of its keys named there lie (a later
 * duplicate wins, as in JSON.parse); in the body's own object (TOP), actor and target are read one level
 * down. Values in the other objects must be in normal form; the keys of these three need only no escape.
 */
function skipObject(cells: Cells | null): void {
  p++;
  if (s.charCodeAt(p) === 125) {
    p++;
    return;
  }
  let lastA = -1;
  let lastB = -1;
  for (;;) {
    if (s.charCodeAt(p) !== 34) throw notNormal;
    const a = p + 1;
    if (skipString() !== 1) throw notNormal;
    const b = p - 1;
    if (!cells) {
      if (isIndex(a, b) || (lastA >= 0 && compareKeys(lastA, lastB, a, b) >= 0)) throw notNormal;
      lastA = a;
      lastB = b;
    }
    if (s.charCodeAt(p++) !== 58) throw notNormal;
    const sub =
      cells !== TOP
        ? null
        : b - a === 5 && s.startsWith('actor', a)
          ? ACTOR
          : b - a === 6 && s.startsWith('target', a)
            ? TARGET
            : null;
    if (sub) {
      // A later duplicate replaces the whole object, as in JSON.parse.
      for (const [, i] of sub) kind[i] = 0;
      objects |= sub === ACTOR ? 1 : 2;
      if (s.charCodeAt(p) !== 123) throw notNormal;
      skipObject(sub);
    } else {
      const from = p;
      const k = skipValue();
      const cell = cells ? cellOf(cells, a, b) : -1;
      if (cell >= 0) {
        start[cell] = from;
        end[cell] = p;
        kind[cell] = k;
      }
    }
    const d = s.charCodeAt(p++);
    if (d === 125) return;
    if (d !== 44) throw notNormal;
  }
}

/** Whether the body holds a control character (invalid JSON unescaped). */
const CONTROL = /[\u0000-\u001f]/;

/** Cell `i` as csv-format.ts makes it from the parsed event. */
function cellText(i: number): string {
  const k = kind[i];
  if (k === 0 || k === 4) return '';
  if (i >= STRING_CELLS) return cell(s.slice(start[i], end[i]));
  if (k === 1) return cell(s.slice(start[i]! + 1, end[i]! - 1));
  return cell(JSON.parse(s.slice(start[i], end[i])));
}

/**
 * One record (with its CRLF) for a stored body, or undefined when the body is not in normal form (see
 * above) or an event's string field holds anything but a string or null.
 */
export function spliceRecord(body: string, seq: number, receivedAt: string): string | undefined {
  // A lone surrogate JSON.stringify escapes; pairs stay as they are.
  const wellFormed = (body as string & { isWellFormed(): boolean }).isWellFormed();
  if (body.charCodeAt(0) !== 123 || CONTROL.test(body) || !wellFormed) return undefined;
  s = body;
  p = 0;
  const first = s.indexOf('\\');
  backslash = first < 0 ? Number.POSITIVE_INFINITY : first;
  kind.fill(0);
  objects = 0;
  try {
    skipObject(TOP);
    if (p !== s.length) return undefined;
  } catch (error) {
    if (error === notNormal || error instanceof RangeError) return undefined;
    throw error;
  }
  if (objects !== 3) return undefined;
  for (let i = 0; i < STRING_CELLS; i++) if (kind[i] === 3) return undefined;
  const c = cellText;
  return `${c(0)},${seq},${c(1)},${cell(receivedAt)},${c(2)},${c(3)},${c(4)},${c(5)},${c(6)},${c(7)},${c(8)},${c(9)},${c(10)},${c(11)},${c(12)},${c(13)},${c(14)},${c(15)},${c(16)},${c(17)},${c(18)},${c(19)},${c(20)}\r\n`;
}
