import { pointerToken } from './inspect-json.js';
import { isRedactedMarker } from './redact.js';
import type { Change } from './schemas/event-schema.js';

/**
 * Field-level changes between an old and a new value, as JSON Pointer paths (RFC 6901) to the leaves that
 * differ. Arrays compare by index (`/options/2/action`). Where one side is null or absent, every leaf of the
 * other side is listed with `null` opposite; where an object meets a scalar, the change is reported at that
 * path with both whole values. A redacted secret is a leaf, so a changed secret shows as one change.
 * The result is sorted by path, so it does not depend on the order of keys in the input.
 */
export function diffValues(oldValue: unknown, newValue: unknown): Change[] {
  const changes: RawChange[] = [];
  collect([], oldValue ?? null, newValue ?? null, changes);
  // Members in canonical order (new, old, path): the body's canonical JSON then copies none of them.
  return changes
    .sort(comparePaths)
    .map(({ segments, old, new: next }) => ({ new: next, old, path: toPointer(segments) }));
}

type Segment = string | number;
interface RawChange {
  segments: Segment[];
  old: unknown;
  new: unknown;
}

function kind(v: unknown): 'object' | 'array' | 'leaf' {
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'object' && v !== null && !isRedactedMarker(v)) return 'object';
  return 'leaf';
}

/**
 * Own keys only, on both sides: a key such as `constructor` or `toString` in one value is data, and the
 * other value's inherited property of that name is absence, not a value (a generic differ that asks
 * `key in obj` reports the Object constructor there, which then serialises as no JSON at all).
 */
function collect(prefix: Segment[], oldV: unknown, newV: unknown, raw: RawChange[]): void {
  if (oldV === null && newV === null) return;
  if (oldV === null) {
    leaves(prefix, newV, (segments, v) => raw.push({ segments, old: null, new: v }));
    return;
  }
  if (newV === null) {
    leaves(prefix, oldV, (segments, v) => raw.push({ segments, old: v, new: null }));
    return;
  }
  const k = kind(oldV);
  if (k === 'leaf' || k !== kind(newV)) {
    if (!sameJson(oldV, newV)) raw.push({ segments: prefix, old: oldV, new: newV });
    return;
  }
  if (k === 'array') {
    const a = oldV as unknown[];
    const b = newV as unknown[];
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
      if (a[i] !== b[i]) collect([...prefix, i], a[i] ?? null, b[i] ?? null, raw);
    }
    return;
  }
  const a = oldV as Record<string, unknown>;
  const b = newV as Record<string, unknown>;
  for (const key of Object.keys(a)) {
    const next = Object.hasOwn(b, key) ? b[key] : null;
    if (a[key] !== next) collect([...prefix, key], a[key], next, raw);
  }
  for (const key of Object.keys(b)) if (!Object.hasOwn(a, key)) collect([...prefix, key], null, b[key], raw);
}

function leaves(prefix: Segment[], v: unknown, emit: (segments: Segment[], v: unknown) => void): void {
  const k = kind(v);
  if (k === 'array' && (v as unknown[]).length > 0) {
    (v as unknown[]).forEach((item, i) => {
      leaves([...prefix, i], item ?? null, emit);
    });
  } else if (k === 'object' && Object.keys(v as object).length > 0) {
    for (const [key, item] of Object.entries(v as object)) leaves([...prefix, key], item ?? null, emit);
  } else if (v !== null) {
    emit(prefix, v);
  }
}

function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  return JSON.stringify(a) === JSON.stringify(b);
}

export function toPointer(segments: Segment[]): string {
  return segments.map((s) => `/${pointerToken(s)}`).join('');
}

function comparePaths(a: RawChange, b: RawChange): number {
  const n = Math.min(a.segments.length, b.segments.length);
  for (let i = 0; i < n; i++) {
    const x = a.segments[i]!;
    const y = b.segments[i]!;
    if (x === y) continue;
    if (typeof x === 'number' && typeof y === 'number') return x - y;
    return String(x) < String(y) ? -1 : 1;
  }
  return a.segments.length - b.segments.length;
}
