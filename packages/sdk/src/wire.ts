import type { ErrorDetail } from '../../../src/core/domain/errors.js';
import { pointerToken } from '../../../src/core/domain/inspect-json.js';

/**
 * Deeper than the service takes (64 levels under a field; 8 in an authentication event), with room: a
 * value cut here is refused for its depth by the checks that follow, and JSON.stringify, which recurses,
 * never goes deeper (at some thousands of levels it threw `Maximum call stack size exceeded`).
 */
const MAX_WIRE_DEPTH = 100;

/**
 * The event as the service will read it — a Date sent as its string, an undefined in an array as null —
 * and the numbers JSON cannot carry (NaN, ±Infinity: JSON.stringify writes null, which would be stored),
 * named by their JSON Pointers. -0 is sent as 0, which is what the service reads back for it.
 */
export function wire(event: object): { value: Record<string, unknown>; problems: ErrorDetail[] } {
  // The plain conversion for most events: NaN and ±Infinity come out as `null`, and only a value too deep
  // for the stack throws a RangeError, so the careful walk (about 3x the time) runs only for those.
  let text: string | undefined;
  try {
    text = JSON.stringify(event);
  } catch (error) {
    // RangeError: too deep for the stack; TypeError: a circular structure or a BigInt. Named below.
    if (!(error instanceof RangeError || error instanceof TypeError)) throw error;
  }
  if (text !== undefined && !text.includes('null'))
    return { value: JSON.parse(text) as Record<string, unknown>, problems: [] };
  return carefully(event);
}

function carefully(event: object): { value: Record<string, unknown>; problems: ErrorDetail[] } {
  const problems: ErrorDetail[] = [];
  // Where each object being serialized sits: JSON.stringify walks depth first, so a holder's entry is
  // its current place even when one object appears twice.
  const places = new Map<object, { path: string; depth: number; parent: object | undefined }>();
  const inside = (value: object, holder: object | undefined) => {
    for (let at = holder; at !== undefined; at = places.get(at)?.parent) if (at === value) return true;
    return false;
  };
  const text = JSON.stringify(event, function (this: object, key: string, value: unknown) {
    const holder = places.get(this);
    const path = holder ? `${holder.path}/${pointerToken(key)}` : '';
    const depth = holder ? holder.depth + 1 : 0;
    const n = value instanceof Number ? Number(value) : value;
    if (typeof n === 'number' && !Number.isFinite(n))
      problems.push({
        path,
        message: `must be a finite number: JSON cannot carry ${n} (it would be stored as null)`,
      });
    if (typeof value === 'bigint') {
      problems.push({ path, message: 'must be a JSON number, not a BigInt (JSON cannot carry one)' });
      return null;
    }
    if (typeof value === 'object' && value !== null) {
      if (depth > MAX_WIRE_DEPTH) return null;
      if (holder && inside(value, this)) {
        problems.push({
          path,
          message: 'refers to an object that holds it: a circular structure is no JSON',
        });
        return null;
      }
      places.set(value, { path, depth, parent: holder ? this : undefined });
    }
    return value;
  });
  return { value: JSON.parse(text) as Record<string, unknown>, problems };
}
