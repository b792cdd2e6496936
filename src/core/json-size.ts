/** UTF-8 bytes of the JSON text of a value: the size limits of API.md are about this text. */
export function jsonByteLength(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value) ?? 'null', 'utf8');
}

/**
 * The nesting depth of a JSON value (a scalar is 0), or `Infinity` once past `max`. Recursion stops at
 * `max + 1` levels, so it is stack-safe for any input and allocates nothing.
 */
export function jsonDepth(value: unknown, max: number): number {
  if (typeof value !== 'object' || value === null) return 0;
  if (max <= 0) return Number.POSITIVE_INFINITY;
  let deepest = 0;
  if (Array.isArray(value)) {
    for (const item of value) {
      const d = jsonDepth(item, max - 1);
      if (d > deepest) deepest = d;
    }
  } else {
    for (const key in value) {
      const d = jsonDepth((value as Record<string, unknown>)[key], max - 1);
      if (d > deepest) deepest = d;
    }
  }
  return deepest + 1;
}
