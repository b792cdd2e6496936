import canonicalizeModule from 'canonicalize';

// The package is CommonJS with an ES-style declaration; under NodeNext the callable is either the module
// itself (runtime) or its `default` (types). Resolve it once here.
const serialize = ((canonicalizeModule as unknown as { default?: unknown }).default ??
  canonicalizeModule) as (input: unknown) => string | undefined;

/**
 * RFC 8785 (JCS) canonical JSON: sorted keys, ES number formatting, no whitespace.
 *
 * JSON.stringify already writes strings and numbers as JCS does; only key order differs. So a value is
 * first put in canonical order (objects whose keys are out of order are copied with sorted keys, nothing
 * else is copied) and written by JSON.stringify. The `canonicalize` package, which builds the text from
 * nested template strings, allocated ~20 KB per 700-byte event, most of the ingest thread's garbage; it
 * stays the reference, and writes whatever the fast path declines (see `inOrder`).
 */
export function canonicalJson(value: unknown): string {
  const ordered = inOrder(value, 0);
  if (ordered !== DECLINED) return JSON.stringify(ordered) ?? 'null';
  return serialize(value) ?? 'null';
}

const DECLINED = Symbol('declined');
/** Deeper values go to the reference serializer (validated events nest at most 64 levels). */
const MAX_DEPTH = 100;
const INDEX_LIKE = /^(?:0|[1-9][0-9]*)$/;

/**
 * `value` with every object's keys in code-unit order, or DECLINED where JSON.stringify would not write what
 * JCS does: a non-finite number (JCS refuses it), a function, a bigint, an object or array with `toJSON` or
 * a prototype other than Object's or Array's, an array with holes, or an out-of-order object with an
 * array-index key — such keys enumerate first, in numeric order, whatever the order of insertion, so no
 * copy can put them in JCS order.
 */
function inOrder(value: unknown, depth: number): unknown {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      return Number.isFinite(value) ? value : DECLINED;
    case 'object':
      if (value === null) return value;
      if (depth > MAX_DEPTH) return DECLINED;
      return Array.isArray(value) ? arrayInOrder(value, depth) : objectInOrder(value, depth);
    default:
      return DECLINED;
  }
}

function arrayInOrder(list: unknown[], depth: number): unknown {
  if (Object.getPrototypeOf(list) !== Array.prototype) return DECLINED;
  if (typeof (list as { toJSON?: unknown }).toJSON === 'function') return DECLINED;
  let copy: unknown[] | undefined;
  for (let i = 0; i < list.length; i++) {
    // A hole: JSON.stringify writes null, the reference nothing (JSON.parse never makes one).
    if (!(i in list)) return DECLINED;
    const item = list[i];
    // Both writers write an undefined or symbol item as null.
    if (item === undefined || typeof item === 'symbol') continue;
    const ordered = inOrder(item, depth + 1);
    if (ordered === DECLINED) return DECLINED;
    if (ordered !== item) {
      copy ??= list.slice();
      copy[i] = ordered;
    }
  }
  return copy ?? list;
}

function objectInOrder(object: object, depth: number): unknown {
  const proto = Object.getPrototypeOf(object);
  if (proto !== Object.prototype && proto !== null) return DECLINED;
  if (typeof (object as { toJSON?: unknown }).toJSON === 'function') return DECLINED;
  const record = object as Record<string, unknown>;
  const keys = Object.keys(record);
  let sorted = true;
  for (let i = 1; i < keys.length && sorted; i++) sorted = keys[i - 1]! < keys[i]!;
  if (!sorted) {
    if (keys.some((k) => INDEX_LIKE.test(k))) return DECLINED;
    sortKeys(keys);
  }
  // Copied only when its keys were out of order or a member was: most objects are returned as they are.
  let copy: Record<string, unknown> | undefined = sorted ? undefined : {};
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    const item = record[key];
    // Both writers leave out an undefined or symbol member.
    if (item === undefined || typeof item === 'symbol') continue;
    const ordered = inOrder(item, depth + 1);
    if (ordered === DECLINED) return DECLINED;
    if (copy === undefined && ordered !== item) {
      copy = {};
      for (let j = 0; j < i; j++) put(copy, keys[j]!, record[keys[j]!]);
    }
    if (copy !== undefined) put(copy, key, ordered);
  }
  return copy ?? object;
}

/** `__proto__` stays an own member, as parsed JSON has it, instead of setting the copy's prototype. */
function put(copy: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') {
    Object.defineProperty(copy, key, { value, enumerable: true, writable: true, configurable: true });
  } else copy[key] = value;
}

/**
 * Code-unit order, in place. Most objects have a few keys, and Array.prototype.sort allocated ~700 bytes of
 * state per call (10 calls an event), more than the insertion sort costs in comparisons.
 */
function sortKeys(keys: string[]): void {
  if (keys.length > 32) {
    keys.sort();
    return;
  }
  for (let i = 1; i < keys.length; i++) {
    const key = keys[i]!;
    let j = i - 1;
    while (j >= 0 && keys[j]! > key) {
      keys[j + 1] = keys[j]!;
      j--;
    }
    keys[j + 1] = key;
  }
}
