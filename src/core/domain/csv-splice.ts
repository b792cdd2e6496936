import { cell } from './csv-cell.js';

/**
 * CSV records made from the stored body's UTF-8 bytes, without the parsed event, JSON.stringify of its values
 * or a string per cell: the value columns are the body's own JSON bytes, the other cells the bytes of its
 * strings, copied into the page's buffer (quotes doubled as they are copied). Working on strings, quoting a
 * value column cost ~1 µs (a replaceAll), and the page was encoded once more afterwards (BENCHMARKS.md).
 * JSON.stringify of a parsed value writes the same text only when that text is in its normal form, so a body
 * is spliced only when every value in it is found to be: no whitespace, keys in strictly increasing UTF-16
 * order (so no duplicates) and none an array index (V8 writes those first), strings with only the escapes
 * JSON.stringify writes, numbers that String() writes back the same; no raw control character. Canonical
 * (RFC 8785) bodies are; for any other, spliceInto returns -1 and the caller formats the parsed event
 * (csv-format.ts), whose bytes these equal (test/core/csv-format.test.ts). The bytes are a JS string's UTF-8
 * (TextEncoder): the caller checks that the string is well formed, as a lone surrogate would be U+FFFD here.
 */

/** Where each cell's value lies in the body: [start, end) of its JSON token, and its kind. */
const STRING_CELLS = 17;
const CELLS = STRING_CELLS + 4;
const start = new Int32Array(CELLS);
const end = new Int32Array(CELLS);

/** 0 absent, 1 string without escapes, 2 string with escapes, 3 other JSON value, 4 null. */
const kind = new Uint8Array(CELLS);
const ascii = (name: string) => Uint8Array.from(name, (c) => c.charCodeAt(0));
// Cell indices, in column order after seq and receivedAt (which come from the row): the body's keys, its
// actor's and its target's.
/** An object's keys that are cells: `names[k]`'s value is cell `cells[k]` (flat arrays: no tuple to unpack per key). */
interface Cells {
  names: Uint8Array[];
  cells: number[];
}
const cellsOf = (pairs: [string, number][]): Cells => ({
  names: pairs.map(([name]) => ascii(name)),
  cells: pairs.map(([, i]) => i),
});
const TOP = cellsOf([
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
]);
const ACTOR = cellsOf([
  ['id', 2],
  ['username', 3],
  ['displayName', 4],
  ['type', 5],
]);
const TARGET = cellsOf([
  ['type', 9],
  ['id', 10],
  ['name', 11],
]);
const ACTOR_KEY = ascii('actor');
const TARGET_KEY = ascii('target');

/** Thrown (always this one instance) where the text is not in normal form. */
class NotNormal extends Error {}
const notNormal = new NotNormal();

/** The body being scanned, its length, and where. */
let b: Uint8Array = new Uint8Array(0);
let n = 0;
let p = 0;

/** Which of actor (1) and target (2) the body has: without either, the parsed event fails to format. */
let objects = 0;

/** Whether bytes [a, a + name.length) are `name`. */
function isKey(a: number, bEnd: number, name: Uint8Array): boolean {
  if (bEnd - a !== name.length) return false;
  for (let i = 0; i < name.length; i++) if (b[a + i] !== name[i]) return false;
  return true;
}

/** The cell of key [a, e) in `cells`, or -1. */
function cellOf(cells: Cells, a: number, e: number): number {
  const length = e - a;
  const first = b[a];
  const names = cells.names;
  for (let k = 0; k < names.length; k++) {
    const name = names[k]!;
    if (name.length === length && name[0] === first && isKey(a, e, name)) return cells.cells[k]!;
  }
  return -1;
}

/** Skips a string token at p; returns 1 without escapes, 2 with (only those JSON.stringify writes). */
function skipString(): number {
  // Locals, not the module's variables, in the loop that sees most bytes.
  const bytes = b;
  const stop = n;
  let k = 1;
  for (let i = p + 1; i < stop; i++) {
    const c = bytes[i]!;
    if (c === 34) {
      p = i + 1;
      return k;
    }
    if (c < 32) throw notNormal;
    if (c === 92) {
      k = 2;
      const e = bytes[++i];
      // \" \\ \b \f \n \r \t, or \u00xx for another control character; not \/ or any other \u.
      if (e === 117) i = controlEscape(i);
      else if (e !== 34 && e !== 92 && e !== 98 && e !== 102 && e !== 110 && e !== 114 && e !== 116)
        throw notNormal;
    }
  }
  throw notNormal;
}

/** The end of a \u00xx escape at `u` (its `u`) as JSON.stringify writes it: lowercase, no short form. */
function controlEscape(u: number): number {
  if (b[u + 1] !== 48 || b[u + 2] !== 48) throw notNormal;
  const hi = (b[u + 3] ?? 0) - 48;
  const d = b[u + 4] ?? 0;
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

/** Whether the bytes at p are `word` (true, false, null). */
function at(word: string): boolean {
  for (let i = 0; i < word.length; i++) if (b[p + i] !== word.charCodeAt(i)) return false;
  return true;
}

/** Skips a JSON value at p in normal form; returns its kind (1–4 as `kind`). */
function skipValue(): number {
  const c = b[p];
  if (c === 34) return skipString();
  if (c === 123) {
    skipObject(null);
    return 3;
  }
  if (c === 91) {
    p++;
    if (b[p] === 93) {
      p++;
      return 3;
    }
    for (;;) {
      skipValue();
      const d = b[p++];
      if (d === 93) return 3;
      if (d !== 44) throw notNormal;
    }
  }
  if (at('null')) {
    p += 4;
    return 4;
  }
  if (at('true')) p += 4;
  else if (at('false')) p += 5;
  else skipNumber();
  return 3;
}

/** A number that JSON.stringify writes back the same (not 1.0, 1e3, -0, …). */
function skipNumber(): void {
  const from = p;
  const neg = b[p] === 45;
  if (neg) p++;
  const first = p;
  let plain = true;
  for (let c = b[p]!; (c >= 48 && c <= 57) || c === 46 || c === 101 || c === 69 || c === 43 || c === 45; ) {
    if (c < 48 || c > 57) plain = false;
    c = b[++p]!;
  }
  const digits = p - first;
  if (digits === 0) throw notNormal;
  // Short integers are themselves unless they start with a zero (0 alone is, -0 is not).
  if (plain && digits <= 15 && (b[first] !== 48 || (digits === 1 && !neg))) return;
  const token = String.fromCharCode(...b.subarray(from, p));
  if (String(Number(token)) !== token) throw notNormal;
}

/** Whether key [a, e) is an array index ("0", "42"), which V8 orders before the other keys. */
function isIndex(a: number, e: number): boolean {
  if (e - a > 10) return false;
  for (let i = a; i < e; i++) {
    const c = b[i]!;
    if (c < 48 || c > 57) return false;
  }
  return e - a === 1 || b[a] !== 48;
}

/**
 * Whether key [a0, a1) comes before [b0, b1) in UTF-16 order. UTF-8 bytes sort as code points, which is
 * UTF-16 order except between U+E000–U+FFFF (lead bytes 0xEE, 0xEF) and the supplementary planes (0xF0–0xF4),
 * whose surrogates sort below them.
 */
function keyBefore(a0: number, a1: number, b0: number, b1: number): boolean {
  const len = Math.min(a1 - a0, b1 - b0);
  for (let i = 0; i < len; i++) {
    const x = b[a0 + i]!;
    const y = b[b0 + i]!;
    if (x === y) continue;
    if (x >= 0xee && y >= 0xee && x >= 0xf0 !== y >= 0xf0) return x > y;
    return x < y;
  }
  return a1 - a0 < b1 - b0;
}

/**
 * Skips an object at p. With `cells`, records where the values of its keys named there lie (a later
 * duplicate wins, as in JSON.parse); in the body's own object (TOP), actor and target are read one level
 * down. Values in the other objects must be in normal form; the keys of these three need only no escape.
 */
function skipObject(cells: Cells | null): void {
  p++;
  if (b[p] === 125) {
    p++;
    return;
  }
  let lastA = -1;
  let lastB = -1;
  for (;;) {
    if (b[p] !== 34) throw notNormal;
    const a = p + 1;
    if (skipString() !== 1) throw notNormal;
    const e = p - 1;
    if (!cells) {
      if (isIndex(a, e) || (lastA >= 0 && !keyBefore(lastA, lastB, a, e))) throw notNormal;
      lastA = a;
      lastB = e;
    }
    if (b[p++] !== 58) throw notNormal;
    const sub =
      cells !== TOP ? null : isKey(a, e, ACTOR_KEY) ? ACTOR : isKey(a, e, TARGET_KEY) ? TARGET : null;
    if (sub) {
      // A later duplicate replaces the whole object, as in JSON.parse.
      for (const i of sub.cells) kind[i] = 0;
      objects |= sub === ACTOR ? 1 : 2;
      if (b[p] !== 123) throw notNormal;
      skipObject(sub);
    } else {
      const from = p;
      const k = skipValue();
      const i = cells ? cellOf(cells, a, e) : -1;
      if (i >= 0) {
        start[i] = from;
        end[i] = p;
        kind[i] = k;
      }
    }
    const d = b[p++];
    if (d === 125) return;
    if (d !== 44) throw notNormal;
  }
}

/** Where the record is written. */
let out: Uint8Array = new Uint8Array(0);
let o = 0;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** = + - @ tab CR (csv-cell.ts) */
const isFormulaStart = (c: number) => c === 61 || c === 43 || c === 45 || c === 64 || c === 9 || c === 13;

/**
 * Copies body bytes [from, to) as one cell, as csv-cell.ts makes it from their text: formulas neutralised,
 * quoted (quotes doubled) when they hold a quote, a comma or a byte order mark (CR and LF cannot appear: they
 * are escaped in JSON), or start or end with a space. `quoteFree`: the bytes are known to hold no quote (a
 * string's contents without escapes), so they are copied whole.
 */
function copyCell(from: number, to: number, quoteFree: boolean): void {
  if (from === to) return;
  const bytes = b;
  const into = out;
  const first = bytes[from]!;
  // A JSON string, or an object with a key, holds a quote: no need to look.
  let special = !quoteFree && (first === 34 || (first === 123 && to - from > 2));
  for (let i = from; !special && i < to; i++) {
    const c = bytes[i]!;
    special = c === 34 || c === 44 || (c === 0xef && bytes[i + 1] === 0xbb && bytes[i + 2] === 0xbf);
  }
  const formula = isFormulaStart(first);
  if (!special) special = bytes[to - 1] === 32 || (!formula && first === 32);
  let w = o;
  if (special) into[w++] = 34;
  if (formula) into[w++] = 39;
  if (quoteFree) {
    // A native copy, past the length where making the view costs more than a loop.
    if (to - from > 32) into.set(bytes.subarray(from, to), w);
    else for (let i = from; i < to; i++) into[w + i - from] = bytes[i]!;
    w += to - from;
  } else {
    for (let i = from; i < to; i++) {
      const c = bytes[i]!;
      into[w++] = c;
      if (c === 34) into[w++] = 34;
    }
  }
  if (special) into[w++] = 34;
  o = w;
}

/** Writes text (a cell made by csv-cell.ts, or a separator) as UTF-8. */
function writeText(text: string): void {
  o += encoder.encodeInto(text, out.subarray(o)).written;
}

/** Cell `i` as csv-format.ts makes it from the parsed event, then the comma after it (unless last). */
function writeCell(i: number): void {
  const k = kind[i];
  if (k === 1 || (k !== 0 && k !== 4 && i >= STRING_CELLS)) {
    if (i < STRING_CELLS) copyCell(start[i]! + 1, end[i]! - 1, true);
    else copyCell(start[i]!, end[i]!, false);
  } else if (k === 2) {
    writeText(cell(JSON.parse(decoder.decode(b.subarray(start[i], end[i])))));
  }
  if (i < CELLS - 1) out[o++] = 44;
}

/**
 * Writes one record (with its CRLF) for a stored body's bytes `body[0, length)` into `into` at `offset`, and
 * returns where it ends; or -1 when the body is not in normal form (see above) or an event's string field
 * holds anything but a string or null. `into` must have room for 2 × length + 64 + 3 × receivedAt's length
 * bytes past `offset`.
 */
export function spliceInto(
  body: Uint8Array,
  length: number,
  seq: number,
  receivedAt: string,
  into: Uint8Array,
  offset: number,
): number {
  if (body[0] !== 123) return -1;
  b = body;
  n = length;
  p = 0;
  kind.fill(0);
  objects = 0;
  try {
    skipObject(TOP);
    if (p !== n) return -1;
  } catch (error) {
    if (error === notNormal || error instanceof RangeError) return -1;
    throw error;
  }
  if (objects !== 3) return -1;
  for (let i = 0; i < STRING_CELLS; i++) if (kind[i] === 3) return -1;
  out = into;
  o = offset;
  writeCell(0);
  writeText(`${seq},`);
  writeCell(1);
  writeText(`${cell(receivedAt)},`);
  for (let i = 2; i < CELLS; i++) writeCell(i);
  out[o++] = 13;
  out[o++] = 10;
  return o;
}

/** spliceInto for a body's text, as a string (undefined where it is not spliced); for tests and tools. */
export function spliceRecord(body: string, seq: number, receivedAt: string): string | undefined {
  if (!(body as string & { isWellFormed(): boolean }).isWellFormed()) return undefined;
  const bytes = encoder.encode(body);
  const into = new Uint8Array(2 * bytes.length + 64 + 3 * receivedAt.length);
  const to = spliceInto(bytes, bytes.length, seq, receivedAt, into, 0);
  return to < 0 ? undefined : decoder.decode(into.subarray(0, to));
}
