import { canonicalJson } from './canonical-json.js';
import type { AuthColumns } from './entry.js';
import { ERASED_TEXT, type EventShredder } from './shred-event.js';
import { blindIndex, encryptValue, isEnvelope, revealValue } from './subject-crypto.js';
import { fold } from './text-fold.js';

/**
 * Crypto-shredding of the authentication log (docs/lifecycle.md#the-authentication-log). The subject of a
 * sign-in event is its user id — the same subject, and so the same key, as administrative events whose actor
 * id is that id — or, for a failure that names no user id, its folded username.
 */
export function authSubject(user: { id?: string; username: string }): string {
  return user.id ?? usernameSubject(user.username);
}

/** The subject of sign-ins naming only this username; the NUL (never in an id) keeps it apart from ids. */
export function usernameSubject(username: string): string {
  return `\u0000username\u0000${fold(username)}`;
}

/** What an auth event holds in clear before shredding (the content prepareAuthEvent hashes). */
export interface ShreddableAuthEvent {
  user: { id?: string; username: string; displayName?: string };
  ip: string;
  userAgent: string | undefined;
}

/**
 * The event's user (one envelope for id, username and display name), IP and user agent encrypted under the
 * subject's key. The filter columns become blind indexes (user id, folded username, IP key); the columns
 * shown by derived reads (username, IP, user agent of failures and sessions) hold the same envelopes as
 * canonical JSON text, so grouping uses the blind columns and display opens the envelope.
 */
export function shredAuthEvent<T extends ShreddableAuthEvent>(
  e: T,
  columns: AuthColumns,
  shredder: EventShredder,
  foldedUsername: string,
  ipKey: string,
): { content: T; columns: AuthColumns } {
  const { kid, key } = shredder.keyFor(authSubject(e.user));
  const user = encryptValue(key, kid, e.user);
  const ip = encryptValue(key, kid, e.ip);
  const userAgent = e.userAgent === undefined ? undefined : encryptValue(key, kid, e.userAgent);
  const b = shredder.blind;
  return {
    content: { ...e, user, ip, userAgent } as unknown as T,
    columns: {
      ...columns,
      userId: e.user.id === undefined ? null : blindIndex(b, 'actor', e.user.id),
      username: canonicalJson(user),
      usernameFolded: blindIndex(b, 'user', foldedUsername),
      displayName: null,
      ip: canonicalJson(ip),
      ipKey: blindIndex(b, 'ip', ipKey),
      userAgent: userAgent === undefined ? null : canonicalJson(userAgent),
    },
  };
}

/** The key id of a column holding an envelope as JSON text, else undefined (a clear value). */
export function sealedKid(text: string | null | undefined): string | undefined {
  if (!text?.startsWith('{')) return undefined;
  try {
    const v = JSON.parse(text) as unknown;
    return isEnvelope(v) ? v.kid : undefined;
  } catch {
    return undefined;
  }
}

/** A column's text opened: the clear value, ERASED_TEXT once erased, or the text itself when clear. */
export function openSealedText(
  text: string,
  keys: ReadonlyMap<string, Buffer | null>,
): { value: unknown; erased: boolean } {
  if (sealedKid(text) === undefined) return { value: text, erased: false };
  const v = revealValue(JSON.parse(text), keys);
  const erased = typeof v === 'object' && v !== null && (v as { erased?: unknown }).erased === true;
  return { value: erased ? ERASED_TEXT : v, erased };
}

/** The username a sealed user column (or a clear username) shows. */
export function openSealedUser(
  text: string,
  keys: ReadonlyMap<string, Buffer | null>,
): { id?: string; username: string; displayName?: string } {
  const { value, erased } = openSealedText(text, keys);
  if (erased) return { username: ERASED_TEXT };
  if (typeof value === 'string') return { username: value };
  return value as { id?: string; username: string; displayName?: string };
}
