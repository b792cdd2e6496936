import type { EventColumns } from './entry.js';
import { AuditError } from './errors.js';
import { ipKey } from './ip.js';
import { blindIndex, type Envelope, ERASED, encryptValue, revealValue } from './subject-crypto.js';
import { fold } from './text-fold.js';

/** What prepareEvent needs to encrypt an event's personal fields: keys already resolved for the batch. */
export interface EventShredder {
  /** The actor's subject key (resolved before preparing, since preparing is synchronous). */
  keyFor(actorId: string): { kid: string; key: Buffer };
  /** The tenant's blind-index key. */
  blind: Buffer;
  /** JSON Pointers into the event: `/newValue/…`, `/oldValue/…`, `/metadata/…`, or `/values/…` for both values. */
  paths: readonly string[];
}

/** What a string field shows once its subject is erased (its schema stays a string). */
export const ERASED_TEXT = '[erased]';

const VALUE_ROOTS = new Set(['oldValue', 'newValue', 'metadata', 'values']);

/** Refuses a pointer the shredder cannot apply, at startup rather than at the first event. */
export function checkPersonalPaths(paths: readonly string[]): string[] {
  for (const p of paths) {
    const [root, ...rest] = p.split('/').slice(1);
    if (!p.startsWith('/') || root === undefined || !VALUE_ROOTS.has(root) || rest.length === 0) {
      throw new AuditError(
        'invalid_request',
        `Personal data path ${JSON.stringify(p)} must be a JSON Pointer under /oldValue, /newValue, /values or /metadata`,
      );
    }
  }
  return [...paths];
}

const unescapeToken = (token: string) => token.replaceAll('~1', '/').replaceAll('~0', '~');

/** A copy of `value` with the member at `tokens` encrypted (unchanged when the path is absent). */
function encryptAt(value: unknown, tokens: readonly string[], seal: (v: unknown) => Envelope): unknown {
  if (tokens.length === 0) return seal(value);
  if (typeof value !== 'object' || value === null) return value;
  const [head, ...rest] = tokens as [string, ...string[]];
  if (Array.isArray(value)) {
    const i = Number(head);
    if (!/^\d+$/.test(head) || i >= value.length) return value;
    const copy = [...value];
    copy[i] = encryptAt(copy[i], rest, seal);
    return copy;
  }
  if (!Object.hasOwn(value, head)) return value;
  return { ...value, [head]: encryptAt((value as Record<string, unknown>)[head], rest, seal) };
}

export interface ShreddableEvent {
  changes: { path: string; old: unknown; new: unknown }[];
  actor: { id: string; username?: string; displayName?: string; type: string };
  oldValue: unknown;
  newValue: unknown;
  metadata: Record<string, unknown> | undefined;
  ip: string | undefined;
  userAgent: string | undefined;
}

/**
 * The event's personal fields as envelopes under its actor's subject key, and the filter columns as blind
 * indexes: the clear values reach neither the body, the columns, nor the search strings.
 */
export function shredEvent<T extends ShreddableEvent>(
  e: T,
  columns: EventColumns,
  shredder: EventShredder,
): { content: T; columns: EventColumns } {
  const { kid, key } = shredder.keyFor(e.actor.id);
  const seal = (v: unknown) => encryptValue(key, kid, v);
  const values: Record<'oldValue' | 'newValue' | 'metadata', unknown> = {
    oldValue: e.oldValue,
    newValue: e.newValue,
    metadata: e.metadata,
  };
  for (const p of shredder.paths) {
    const [root, ...rest] = p.split('/').slice(1).map(unescapeToken) as [string, ...string[]];
    const roots = root === 'values' ? (['oldValue', 'newValue'] as const) : [root as keyof typeof values];
    for (const r of roots) values[r] = encryptAt(values[r], rest, seal);
  }
  // A change at, under or above an encrypted value path holds that value: both sides are encrypted.
  const valuePaths = shredder.paths
    .map((p) => p.split('/').slice(1))
    .filter(([root]) => root !== 'metadata')
    .map((tokens) => `/${tokens.slice(1).join('/')}`);
  const overlaps = (path: string) =>
    valuePaths.some((v) => path === v || path.startsWith(`${v}/`) || v.startsWith(`${path}/`) || path === '');
  const changes = e.changes.map((c) =>
    overlaps(c.path)
      ? { path: c.path, old: c.old === null ? null : seal(c.old), new: c.new === null ? null : seal(c.new) }
      : c,
  );
  const actor: Record<string, unknown> = { id: seal(e.actor.id), type: e.actor.type };
  if (e.actor.username !== undefined) actor.username = seal(e.actor.username);
  if (e.actor.displayName !== undefined) actor.displayName = seal(e.actor.displayName);
  const content = {
    ...e,
    actor,
    ...values,
    changes,
    ip: e.ip === undefined ? undefined : seal(e.ip),
    userAgent: e.userAgent === undefined ? undefined : seal(e.userAgent),
  } as unknown as T;
  const b = shredder.blind;
  return {
    content,
    columns: {
      ...columns,
      actorId: blindIndex(b, 'actor', e.actor.id),
      actorUsername: null,
      actorUsernameFolded:
        e.actor.username === undefined ? null : blindIndex(b, 'user', fold(e.actor.username)),
      actorDisplayName: null,
      ipKey: e.ip === undefined ? null : blindIndex(b, 'ip', ipKey(e.ip)!),
    },
  };
}

const TEXT_FIELDS = ['ip', 'userAgent'] as const;
const ACTOR_FIELDS = ['id', 'username', 'displayName'] as const;

/**
 * A stored event body with its envelopes opened (or erased): string fields show ERASED_TEXT, values and
 * metadata `{"erased":true}`. Returns the body unchanged when it holds no envelope.
 */
export function revealEventBody(body: string, keys: ReadonlyMap<string, Buffer | null>): string {
  if (!body.includes('"enc":"v1"')) return body;
  const b = revealValue(JSON.parse(body), keys) as Record<string, unknown>;
  const text = (v: unknown) => (typeof v === 'object' && v !== null ? ERASED_TEXT : v);
  for (const k of TEXT_FIELDS) if (b[k] !== undefined) b[k] = text(b[k]);
  const actor = b.actor as Record<string, unknown> | undefined;
  if (actor) for (const k of ACTOR_FIELDS) if (actor[k] !== undefined) actor[k] = text(actor[k]);
  // An authentication event's user is one envelope (shred-auth-event.ts): erased, only its username shows.
  const user = b.user as Record<string, unknown> | undefined;
  if (user?.erased === true) b.user = { username: ERASED_TEXT };
  return JSON.stringify(b);
}

export { ERASED };
