import { setOwn } from './own-property.js';

/**
 * Shrinks a JSON payload until it fits a byte limit while staying one valid JSON document, so a SIEM's
 * parser still reads a truncated syslog message. Deterministic: the same entry and limit give the same text.
 *
 * In order, stopping at the first that fits: (1) cap every string value at the longest length that fits
 * (so the longest ones are shortened first; a shortened value ends in `…`); (2) the same with the large
 * fields (`droppable`: old/new values, changes, metadata) replaced by null, the largest first, one more at a
 * time; (3) only the fields that name the
 * entry (`keep`). A marker (`truncated`) says what was cut: the full message's bytes, the paths of shortened
 * strings (the first 10, and how many in all) and the fields dropped.
 */

export interface JsonTruncation {
  /** Where the marker goes: `[]` for the top level, `['unmapped']` for OCSF. */
  markerAt: string[];
  /** Paths (dotted) of large fields that may be replaced by null, in the order given. */
  droppable: string[];
  /** Top-level fields kept when everything else has to go. */
  keep: string[];
}

export interface TruncationMarker {
  bytes: number;
  shortened: string[];
  shortenedCount: number;
  dropped: string[];
  omitted?: true;
}

const SHOWN_PATHS = 10;
const ELLIPSIS = '…';

/** The payload as JSON text that `fits`, with its marker; `bytes` is the full message's length. */
export function fitJson(
  payload: Record<string, unknown>,
  rules: JsonTruncation,
  bytes: number,
  fits: (json: string) => boolean,
): string {
  // The largest first (ties in the order given), one more at each stage: as little as possible goes.
  const dropped = rules.droppable
    .map((p, i) => ({ p, i, size: sizeOf(getPath(payload, p)) }))
    .filter((d) => d.size > 0)
    .sort((a, b) => b.size - a.size || a.i - b.i)
    .map((d) => d.p);
  const stages: Array<{ base: Record<string, unknown>; dropped: string[]; omitted?: true }> = [
    { base: payload, dropped: [] },
  ];
  for (let n = 1; n <= dropped.length; n++) {
    const some = dropped.slice(0, n);
    stages.push({ base: dropPaths(payload, some), dropped: some });
  }
  stages.push({ base: pick(payload, rules), dropped, omitted: true });
  let last = '';
  for (const stage of stages) {
    const build = (cap: number) => {
      const shortened: string[] = [];
      const capped: Record<string, unknown> = {};
      // The fields naming the entry (bounded by the schema) are never shortened.
      for (const [k, v] of Object.entries(stage.base))
        setOwn(capped, k, rules.keep.includes(k) ? v : capStrings(v, cap, k, shortened));
      const marker: TruncationMarker = {
        bytes,
        shortened: shortened.slice(0, SHOWN_PATHS),
        shortenedCount: shortened.length,
        dropped: stage.dropped,
        ...(stage.omitted ? { omitted: true as const } : {}),
      };
      return JSON.stringify(withMarker(capped, rules.markerAt, marker));
    };
    last = build(0);
    if (!fits(last)) continue;
    // The longest cap that fits: binary search between 0 (known to fit) and the longest string.
    let lo = 0;
    let hi = longestString(stage.base); // protected fields included: an upper bound is enough
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2);
      if (fits(build(mid))) lo = mid;
      else hi = mid - 1;
    }
    return build(lo);
  }
  return last;
}

function capStrings(value: unknown, cap: number, path: string, shortened: string[]): unknown {
  if (typeof value === 'string') {
    if (value.length <= cap) return value;
    shortened.push(path);
    // Never end on half a surrogate pair: it would not be a character.
    const end = cap > 0 && /[\uD800-\uDBFF]/.test(value.charAt(cap - 1)) ? cap - 1 : cap;
    return value.slice(0, end) + ELLIPSIS;
  }
  if (Array.isArray(value)) return value.map((v, i) => capStrings(v, cap, `${path}[${i}]`, shortened));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    // setOwn: a member named __proto__ is data (out[k] = … set the prototype and dropped it).
    for (const [k, v] of Object.entries(value))
      setOwn(out, k, capStrings(v, cap, path ? `${path}.${k}` : k, shortened));
    return out;
  }
  return value;
}

/** JSON length of a value worth dropping; 0 for null and empty arrays or objects. */
function sizeOf(value: unknown): number {
  if (value == null) return 0;
  if (typeof value === 'object' && Object.keys(value).length === 0) return 0;
  return JSON.stringify(value).length;
}

function longestString(value: unknown): number {
  if (typeof value === 'string') return value.length;
  if (value && typeof value === 'object') {
    let max = 0;
    for (const v of Object.values(value)) max = Math.max(max, longestString(v));
    return max;
  }
  return 0;
}

function getPath(obj: Record<string, unknown>, path: string): unknown {
  let at: unknown = obj;
  for (const k of path.split('.'))
    at = at && typeof at === 'object' ? (at as Record<string, unknown>)[k] : undefined;
  return at;
}

function dropPaths(obj: Record<string, unknown>, paths: string[]): Record<string, unknown> {
  const out = structuredClone(obj);
  for (const p of paths) {
    const keys = p.split('.');
    const parent = keys.length === 1 ? out : getPath(out, keys.slice(0, -1).join('.'));
    if (!parent || typeof parent !== 'object') continue;
    (parent as Record<string, unknown>)[keys.at(-1) as string] = null;
  }
  return out;
}

function pick(obj: Record<string, unknown>, rules: JsonTruncation): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of rules.keep) if (k in obj) out[k] = obj[k];
  // The marker's parent object survives even when it is not kept.
  if (rules.markerAt.length > 0 && !((rules.markerAt[0] as string) in out))
    out[rules.markerAt[0] as string] = {};
  return out;
}

function withMarker(
  obj: Record<string, unknown>,
  at: string[],
  marker: TruncationMarker,
): Record<string, unknown> {
  if (at.length === 0) {
    // After `stream`, where a reader looks first; the event's own fields follow.
    const { stream, ...rest } = obj;
    return stream === undefined ? { truncated: marker, ...rest } : { stream, truncated: marker, ...rest };
  }
  const [head, ...tail] = at as [string, ...string[]];
  const inner = (obj[head] as Record<string, unknown> | undefined) ?? {};
  return { ...obj, [head]: withMarker(inner, tail, marker) };
}
