import type { AuditEvent, Change } from '../api/types.ts';

export interface RedactedMarker {
  redacted: true;
  fingerprint: string;
}

export function isRedacted(v: unknown): v is RedactedMarker {
  return (
    typeof v === 'object' &&
    v !== null &&
    (v as { redacted?: unknown }).redacted === true &&
    typeof (v as { fingerprint?: unknown }).fingerprint === 'string'
  );
}

/** `Carrier: trunk-provider-1` — the target's name when it has one, else its id. */
export function targetLabel(target: AuditEvent['target']): string {
  return `${target.type}: ${target.name || target.id}`;
}

/** A leaf value in one short line: strings quoted, null as ∅, objects as compact JSON, secrets hidden. */
export function shortValue(v: unknown, max = 40): string {
  if (v === null || v === undefined) return '∅';
  if (isRedacted(v)) return '(redacted)';
  const text = typeof v === 'string' ? `"${v}"` : JSON.stringify(v);
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/**
 * `/pacing/ratio` → `pacing.ratio`; `/codecs/2` → `codecs[2]`. A key the dotted form would misread — one
 * holding a dot, a bracket, a quote or a space, or an empty one — is quoted: `/a.b` → `["a.b"]` (not `a.b`,
 * which is `/a/b`), `/arr[0]` → `["arr[0]"]`, `/` → `[""]`.
 */
export function readablePath(pointer: string): string {
  if (pointer === '') return '(value)';
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replaceAll('~1', '/').replaceAll('~0', '~'))
    .map((s, i) =>
      /^\d+$/.test(s) ? `[${s}]` : PLAIN_KEY.test(s) ? (i === 0 ? s : `.${s}`) : `[${JSON.stringify(s)}]`,
    )
    .join('');
}

/** A key the dotted form shows as it is: no dot or bracket (nor one that looks like it), quote or space. */
const PLAIN_KEY = /^[^.[\]"'\s\u2024\uFE52\uFF0E\u3002\uFF3B\uFF3D]+$/u;

/** One change in words: `maxChannels: 60 → 120`, `password: changed (redacted)`. */
export function describeChange(c: Change): string {
  const path = readablePath(c.path);
  if (isRedacted(c.old) || isRedacted(c.new)) return `${path}: changed (redacted)`;
  return `${path}: ${shortValue(c.old)} → ${shortValue(c.new)}`;
}

/** The one-line summary of the table: what changed, at most two changes and a count of the rest. */
export function changeSummary(e: AuditEvent): string {
  const changes = e.changes ?? [];
  if (changes.length === 0) return e.action === 'delete' ? 'Deleted' : 'No field changes';
  if (e.oldValue === null || e.oldValue === undefined) {
    const fields = changes.map((c) => readablePath(c.path));
    const verb = e.action === 'create' ? 'Created with' : 'Set';
    return `${verb} ${fields.slice(0, 3).join(', ')}${fields.length > 3 ? ` +${fields.length - 3} more` : ''}`;
  }
  if (e.newValue === null || e.newValue === undefined) return `Deleted (${changes.length} fields)`;
  const shown = changes.slice(0, 2).map(describeChange).join('; ');
  return changes.length > 2 ? `${shown}; +${changes.length - 2} more` : shown;
}

/** The actor as a person reads it: display name, then username or id. */
export function actorNames(actor: AuditEvent['actor']): { primary: string; secondary: string } {
  const handle = actor.username || actor.id;
  return { primary: actor.displayName || handle, secondary: actor.displayName ? handle : '' };
}
