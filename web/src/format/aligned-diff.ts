import { isRedacted } from './format-value.ts';

/**
 * Lines up an old and a new JSON value for a side-by-side view: one row per key or array item present on
 * either side, in the old value's order with new keys after, so the two columns always align. Rows are
 * marked with the changed paths the server computed (`changes`), not re-diffed here.
 */

export type Side = { text: string; redacted?: string } | null;

export interface DiffRow {
  pointer: string;
  depth: number;
  /** The key or index label, '' for the root and for closing brackets. */
  label: string;
  kind: 'open' | 'close' | 'leaf';
  old: Side;
  new: Side;
  /** `changed`: the path is in `changes`; `inside`: a change lies below this container. */
  mark: 'changed' | 'inside' | null;
}

const MAX_ROWS = 4000;

function container(v: unknown): 'object' | 'array' | null {
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'object' && v !== null && !isRedacted(v)) return 'object';
  return null;
}

function leafText(v: unknown): Side {
  if (v === undefined) return null;
  if (isRedacted(v)) return { text: '(redacted)', redacted: v.fingerprint };
  return { text: JSON.stringify(v) ?? String(v) };
}

const escapeKey = (key: string) => key.replaceAll('~', '~0').replaceAll('/', '~1');

export function alignValues(oldValue: unknown, newValue: unknown, changedPaths: string[]): DiffRow[] {
  const changed = new Set(changedPaths);
  const rows: DiffRow[] = [];
  const markOf = (pointer: string): DiffRow['mark'] => {
    if (changed.has(pointer)) return 'changed';
    for (const p of changed) if (p.startsWith(`${pointer}/`)) return 'inside';
    return null;
  };

  const walk = (pointer: string, label: string, depth: number, o: unknown, n: unknown) => {
    if (rows.length >= MAX_ROWS) return;
    const ko = container(o);
    const kn = container(n);
    const kind = ko && (kn === ko || n === undefined) ? ko : kn && o === undefined ? kn : null;
    if (!kind) {
      rows.push({
        pointer,
        depth,
        label,
        kind: 'leaf',
        old: leafText(o),
        new: leafText(n),
        mark: markOf(pointer),
      });
      return;
    }
    const [openText, closeText] = kind === 'array' ? ['[', ']'] : ['{', '}'];
    const side = (v: unknown, text: string): Side => (v === undefined ? null : { text });
    rows.push({
      pointer,
      depth,
      label,
      kind: 'open',
      old: side(o, openText),
      new: side(n, openText),
      mark: markOf(pointer),
    });
    const keys: string[] = [];
    if (kind === 'array') {
      const len = Math.max(Array.isArray(o) ? o.length : 0, Array.isArray(n) ? n.length : 0);
      for (let i = 0; i < len; i++) keys.push(String(i));
    } else {
      for (const k of Object.keys((o as object | undefined) ?? {})) keys.push(k);
      for (const k of Object.keys((n as object | undefined) ?? {})) if (!keys.includes(k)) keys.push(k);
    }
    for (const k of keys) {
      const child = (v: unknown) => (v === undefined ? undefined : (v as Record<string, unknown>)[k]);
      // An empty key is shown quoted: a blank label reads as no field at all.
      const label = kind === 'array' ? `[${k}]` : k === '' ? '""' : k;
      walk(`${pointer}/${escapeKey(k)}`, label, depth + 1, child(o), child(n));
    }
    rows.push({
      pointer,
      depth,
      label: '',
      kind: 'close',
      old: side(o, closeText),
      new: side(n, closeText),
      mark: null,
    });
  };

  walk('', '', 0, nullToUndefined(oldValue), nullToUndefined(newValue));
  return rows;
}

/** A missing old value (a create) or new value (a delete) has no column content at all. */
function nullToUndefined(v: unknown): unknown {
  return v === null ? undefined : v;
}

export function isTruncated(rows: DiffRow[]): boolean {
  return rows.length >= MAX_ROWS;
}
