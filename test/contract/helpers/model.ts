// An independent model of the contract's query semantics (API.md, "GET /v1/events"), written from the text of the
// contract only. Tests compare the server's answers with what these functions compute from the posted inputs.

export { rng } from '../../helpers/rng.js';

// ---------------------------------------------------------------------------------------------- IP addresses

export interface Ip {
  v: 4 | 6;
  n: bigint;
}

export function parseIp(s: string): Ip | null {
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(s)) {
    const parts = s.split('.').map(Number);
    if (parts.some((p) => p > 255)) return null;
    return { v: 4, n: parts.reduce((acc, p) => (acc << 8n) | BigInt(p), 0n) };
  }
  if (!s.includes(':')) return null;
  let head = s;
  let tailV4: bigint | null = null;
  const m = /^(.*:)(\d{1,3}(?:\.\d{1,3}){3})$/.exec(s);
  if (m) {
    const v4 = parseIp(m[2] as string);
    if (!v4) return null;
    tailV4 = v4.n;
    head = `${m[1]}0:0`;
  }
  const halves = head.split('::');
  if (halves.length > 2) return null;
  const toGroups = (x: string) => (x === '' ? [] : x.split(':'));
  const left = toGroups(halves[0] as string);
  const right = halves.length === 2 ? toGroups(halves[1] as string) : [];
  const missing = 8 - left.length - right.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return null;
  const groups = [...left, ...Array(halves.length === 2 ? missing : 0).fill('0'), ...right];
  let n = 0n;
  for (const g of groups) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return null;
    n = (n << 16n) | BigInt(Number.parseInt(g, 16));
  }
  if (tailV4 !== null) n = (n & ~0xffffffffn) | tailV4;
  return { v: 6, n };
}

/** True when `ip` is the address `query`, or lies in the CIDR block `query`. */
export function ipMatches(ip: string | undefined, query: string): boolean {
  if (ip === undefined) return false;
  const a = parseIp(ip);
  if (!a) return false;
  const [addr, lenText] = query.split('/');
  const q = parseIp(addr as string);
  if (!q || q.v !== a.v) return false;
  const bits = a.v === 4 ? 32 : 128;
  const len = lenText === undefined ? bits : Number(lenText);
  const shift = BigInt(bits - len);
  return a.n >> shift === q.n >> shift;
}

// ---------------------------------------------------------------------------------------------- keyword search

/** Splits q into terms: `"a quoted phrase"` is one term, everything else splits on whitespace. */
export function qTerms(q: string): string[] {
  const terms: string[] = [];
  const re = /"([^"]+)"|(\S+)/g;
  for (let m = re.exec(q); m; m = re.exec(q)) terms.push((m[1] ?? m[2]) as string);
  return terms;
}

/** Keys and scalar values of a JSON value, at any depth. */
export function jsonTexts(v: unknown, out: string[] = []): string[] {
  if (v === null || v === undefined) return out;
  if (Array.isArray(v)) {
    for (const x of v) jsonTexts(x, out);
  } else if (typeof v === 'object') {
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      out.push(k);
      jsonTexts(x, out);
    }
  } else {
    out.push(String(v));
  }
  return out;
}

/** The fields API.md lists for `q`. */
export function searchableTexts(e: InputEvent): string[] {
  const out: string[] = [e.actor.id];
  if (e.actor.username !== undefined) out.push(e.actor.username);
  if (e.actor.displayName !== undefined) out.push(e.actor.displayName);
  out.push(e.action, e.category, e.target.type, e.target.id);
  if (e.eventType !== undefined) out.push(e.eventType);
  if (e.target.name !== undefined) out.push(e.target.name);
  jsonTexts(e.oldValue, out);
  jsonTexts(e.newValue, out);
  if (e.ip !== undefined) out.push(e.ip);
  if (e.userAgent !== undefined) out.push(e.userAgent);
  if (e.reason !== undefined) out.push(e.reason);
  jsonTexts(e.metadata, out);
  return out;
}

export function qMatches(e: InputEvent, q: string): boolean {
  const texts = searchableTexts(e).map((t) => t.toLowerCase());
  return qTerms(q).every((term) => {
    const t = term.toLowerCase();
    return texts.some((x) => x.includes(t));
  });
}

// ---------------------------------------------------------------------------------------------- events and filters

export interface InputEvent {
  id?: string;
  occurredAt?: string;
  actor: { id: string; username?: string; displayName?: string; type?: string };
  action: string;
  eventType?: string;
  category: string;
  target: { type: string; id: string; name?: string };
  oldValue?: unknown;
  newValue?: unknown;
  ip?: string;
  userAgent?: string;
  sessionId?: string;
  requestId?: string;
  reason?: string;
  metadata?: Record<string, unknown>;
}

/** An event we posted, with what the server told us about it. */
export interface Posted {
  input: InputEvent;
  id: string;
  seq: number;
  at: number; // occurredAt in ms since the epoch
}

export type Query = Record<string, string | string[]>;

const list = (v: string | string[] | undefined): string[] | undefined =>
  v === undefined ? undefined : Array.isArray(v) ? v : [v];

export function matches(p: Posted, query: Query): boolean {
  const e = p.input;
  const one = (k: string) => list(query[k]);
  const from = one('from');
  if (from && !from.every((f) => p.at >= Date.parse(f))) return false;
  const to = one('to');
  if (to && !to.every((t) => p.at < Date.parse(t))) return false;
  const user = one('user');
  if (user && !user.some((u) => e.actor.id === u || e.actor.username === u)) return false;
  const action = one('action');
  if (action && !action.includes(e.action)) return false;
  const category = one('category');
  if (category && !category.includes(e.category)) return false;
  const eventType = one('eventType');
  if (eventType && !eventType.includes(e.eventType as string)) return false;
  const targetType = one('targetType');
  if (targetType && !targetType.every((t) => e.target.type === t)) return false;
  const targetId = one('targetId');
  if (targetId && !targetId.every((t) => e.target.id === t)) return false;
  const target = one('target');
  if (
    target &&
    !target.every(
      (t) =>
        e.target.id.toLowerCase() === t.toLowerCase() ||
        (e.target.name ?? '').toLowerCase() === t.toLowerCase(),
    )
  )
    return false;
  const ip = one('ip');
  if (ip && !ip.every((x) => ipMatches(e.ip, x))) return false;
  const sessionId = one('sessionId');
  if (sessionId && !sessionId.every((s) => e.sessionId === s)) return false;
  const q = one('q');
  if (q && !q.every((x) => qMatches(e, x))) return false;
  return true;
}

export function compareAsc(a: Posted, b: Posted): number {
  return a.at - b.at || a.seq - b.seq;
}

/** The ids the API must return for `query`, in order. */
export function expectedIds(all: Posted[], query: Query, order: 'asc' | 'desc' = 'desc'): string[] {
  const hits = all.filter((p) => matches(p, query)).sort(compareAsc);
  if (order === 'desc') hits.reverse();
  return hits.map((p) => p.id);
}

export function toParams(query: Query): URLSearchParams {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) for (const x of list(v) ?? []) p.append(k, x);
  return p;
}

// ---------------------------------------------------------------------------------------------- changes

/** JSON Pointer token escaping (RFC 6901). */
export const ptr = (k: string | number) => `/${String(k).replace(/~/g, '~0').replace(/\//g, '~1')}`;

const isContainer = (v: unknown): v is Record<string, unknown> | unknown[] =>
  typeof v === 'object' && v !== null;

/** Every leaf of v as [pointer, value]. */
export function leaves(v: unknown, prefix = ''): [string, unknown][] {
  if (!isContainer(v)) return [[prefix, v]];
  const entries: [string | number, unknown][] = Array.isArray(v)
    ? v.map((x, i) => [i, x])
    : Object.entries(v);
  return entries.flatMap(([k, x]) => leaves(x, prefix + ptr(k)));
}

/**
 * The contract's `changes`: JSON Pointer paths to the leaves that differ; where one side is missing or null, every
 * leaf of the other side with null opposite. Only defined here for pairs without container-vs-scalar conflicts.
 */
export function expectedChanges(
  oldV: unknown,
  newV: unknown,
  prefix = '',
): { path: string; old: unknown; new: unknown }[] {
  if (oldV === undefined || oldV === null) {
    if (newV === undefined || newV === null) return [];
    return leaves(newV, prefix).map(([path, v]) => ({ path, old: null, new: v }));
  }
  if (newV === undefined || newV === null)
    return leaves(oldV, prefix).map(([path, v]) => ({ path, old: v, new: null }));
  if (isContainer(oldV) && isContainer(newV)) {
    if (Array.isArray(oldV) !== Array.isArray(newV))
      throw new Error('model: array vs object is not modelled');
    const keys = Array.isArray(oldV)
      ? [...Array(Math.max(oldV.length, (newV as unknown[]).length)).keys()].map(String)
      : [...new Set([...Object.keys(oldV), ...Object.keys(newV)])];
    return keys.flatMap((k) =>
      expectedChanges((oldV as any)[k], (newV as any)[k], prefix + ptr(Array.isArray(oldV) ? Number(k) : k)),
    );
  }
  if (isContainer(oldV) || isContainer(newV)) throw new Error('model: container vs scalar is not modelled');
  return oldV === newV ? [] : [{ path: prefix, old: oldV, new: newV }];
}

export function sortChanges<T extends { path: string }>(c: T[]): T[] {
  return [...c].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
