import microdiff from 'microdiff';
import { setOwn } from './own-property.js';
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
  return changes
    .sort(comparePaths)
    .map(({ segments, old, new: next }) => ({ path: toPointer(segments), old, new: next }));
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
  // microdiff recurses into nested values itself; markers are swapped for strings so that they stay leaves
  // (copying only when there is a marker: most values hold none).
  const marked = hasMarker(oldV) || hasMarker(newV);
  const a = (marked ? protectMarkers(oldV) : oldV) as object;
  const b = (marked ? protectMarkers(newV) : newV) as object;
  for (const d of microdiff(a, b)) {
    const path = [...prefix, ...d.path];
    if (d.type === 'CREATE') collect(path, null, restoreMarkers(d.value), raw);
    else if (d.type === 'REMOVE') collect(path, restoreMarkers(d.oldValue), null, raw);
    else collect(path, restoreMarkers(d.oldValue), restoreMarkers(d.value), raw);
  }
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

const MARKER_PREFIX = '\u0000redacted:';

function hasMarker(v: unknown): boolean {
  if (typeof v !== 'object' || v === null) return false;
  if (isRedactedMarker(v)) return true;
  if (Array.isArray(v)) return v.some(hasMarker);
  for (const k in v) if (hasMarker((v as Record<string, unknown>)[k])) return true;
  return false;
}

function protectMarkers(v: unknown): unknown {
  if (isRedactedMarker(v)) return MARKER_PREFIX + v.fingerprint;
  if (Array.isArray(v)) return v.map(protectMarkers);
  if (typeof v === 'object' && v !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, item] of Object.entries(v)) setOwn(out, k, protectMarkers(item));
    return out;
  }
  return v;
}

function restoreMarkers(v: unknown): unknown {
  if (typeof v === 'string' && v.startsWith(MARKER_PREFIX)) {
    return { redacted: true, fingerprint: v.slice(MARKER_PREFIX.length) };
  }
  if (Array.isArray(v)) return v.map(restoreMarkers);
  if (typeof v === 'object' && v !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, item] of Object.entries(v)) setOwn(out, k, restoreMarkers(item));
    return out;
  }
  return v;
}

function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  return JSON.stringify(a) === JSON.stringify(b);
}

export function toPointer(segments: Segment[]): string {
  return segments.map((s) => `/${String(s).replaceAll('~', '~0').replaceAll('/', '~1')}`).join('');
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
