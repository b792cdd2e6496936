/** UTF-8 bytes of the JSON text of a value: the size limits of API.md are about this text. */
export function jsonByteLength(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value) ?? 'null', 'utf8');
}

/** The nesting depth of a JSON value (a scalar is 0), or `Infinity` once past `max`. */
export function jsonDepth(value: unknown, max: number): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [v, d] = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    const depth = d + 1;
    if (depth > max) return Number.POSITIVE_INFINITY;
    if (depth > deepest) deepest = depth;
    for (const item of Array.isArray(v) ? v : Object.values(v)) stack.push([item, depth]);
  }
  return deepest;
}
