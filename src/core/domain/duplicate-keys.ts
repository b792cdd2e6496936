/**
 * Duplicate member names in a JSON body. JSON.parse keeps the last of them silently, while a proxy, WAF or
 * SIEM in front of the server may read the first: the event stored would not be the one they saw. A body
 * holding one is refused, naming the JSON Pointer of the second occurrence.
 *
 * The check is paid in full only when needed: a body's text has one name separator (`:` outside strings)
 * per member, and its parsed value one own key per distinct name in each object, so the two counts are equal
 * exactly when no object repeats a name. Only a body whose counts differ is read again to find the pointer.
 * Both walks are iterative: a deeply nested body must not overflow the stack.
 */

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;

/** The number of object members in JSON text (UTF-8 bytes or UTF-16 units alike): its `:` outside strings. */
export function countMembers(text: Uint8Array): number {
  let n = 0;
  const length = text.length;
  for (let i = 0; i < length; i++) {
    const c = text[i];
    if (c === COLON) n++;
    else if (c === QUOTE) {
      // Skip the string; an escape's second character (`\"`, `\\`) never ends it.
      for (i++; i < length; i++) {
        const d = text[i];
        if (d === QUOTE) break;
        if (d === BACKSLASH) i++;
      }
    }
  }
  return n;
}

/** The number of own keys of every object in a parsed JSON value. */
export function countKeys(value: unknown): number {
  if (value === null || typeof value !== 'object') return 0;
  let n = 0;
  const stack: object[] = [value];
  while (stack.length > 0) {
    const v = stack.pop()!;
    if (Array.isArray(v)) {
      for (const item of v) if (item !== null && typeof item === 'object') stack.push(item);
      continue;
    }
    // JSON.parse makes plain objects with own data properties only (`__proto__` included): for-in sees
    // exactly them (three times faster than Object.keys) unless Object.prototype has enumerable properties,
    // which duplicateKeyIn rules out first.
    for (const k in v) {
      n++;
      const item = (v as Record<string, unknown>)[k];
      if (item !== null && typeof item === 'object') stack.push(item);
    }
  }
  return n;
}

interface Frame {
  /** The names seen so far in an object; undefined in an array. */
  names: Set<string> | undefined;
  /** The member name or array index the value being read stands at. */
  at: string | number;
}

/**
 * The JSON Pointer of the first repeated member name in `text`, which must be valid JSON (parsed already);
 * undefined when none repeats. Names are compared decoded (`"a"` and `"\u0061"` are one name).
 */
export function findDuplicateKey(text: string): string | undefined {
  const stack: Frame[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      stack.push({ names: c === 0x7b ? new Set() : undefined, at: 0 });
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      stack.pop();
    } else if (c === 0x2c /* , */) {
      const top = stack[stack.length - 1]!;
      if (top.names === undefined) top.at = (top.at as number) + 1;
    } else if (c === QUOTE) {
      const start = i;
      let escaped = false;
      for (i++; text.charCodeAt(i) !== QUOTE; i++) {
        if (text.charCodeAt(i) === BACKSLASH) {
          escaped = true;
          i++;
        }
      }
      const top = stack[stack.length - 1];
      if (top?.names === undefined || !isNameAt(text, i + 1)) continue;
      const raw = text.slice(start, i + 1);
      const name: string = escaped ? JSON.parse(raw) : raw.slice(1, -1);
      if (top.names.has(name)) return pointer(stack.slice(0, -1), name);
      top.names.add(name);
      top.at = name;
    }
  }
  return undefined;
}

/** Whether the next character that is not white space is `:`: then the string just read is a name. */
function isNameAt(text: string, from: number): boolean {
  let i = from;
  while (text.charCodeAt(i) <= 0x20) i++;
  return text.charCodeAt(i) === COLON;
}

/** RFC 6901: `~` is `~0`, `/` is `~1`. */
function pointer(outer: Frame[], name: string): string {
  const segment = (s: string | number) => String(s).replaceAll('~', '~0').replaceAll('/', '~1');
  return outer.map((f) => `/${segment(f.at)}`).join('') + `/${segment(name)}`;
}

/** The pointer of a repeated name in a parsed body (`bytes` its UTF-8 text), cheaply when there is none. */
export function duplicateKeyIn(bytes: Uint8Array, value: unknown, text?: string): string | undefined {
  if (!prototypeEnumerable() && countMembers(bytes) === countKeys(value)) return undefined;
  return findDuplicateKey(text ?? Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString());
}

/** Whether anything made Object.prototype's properties enumerable (then for-in would count them too). */
function prototypeEnumerable(): boolean {
  for (const _ in Object.prototype) return true;
  return false;
}
