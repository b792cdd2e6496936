/**
 * The token lives in sessionStorage only: it dies with the tab, is never written to localStorage, and never
 * appears in a URL the server or a Referer could see. Embed mode hands it over in the URL fragment
 * (`#token=…`), which browsers never send to servers; `adoptFragmentToken` moves it into sessionStorage and
 * strips it from the address bar before anything renders. Where the browser refuses sessionStorage (an
 * iframe of another site with third-party storage blocked), memory serves instead (see tab-storage.ts).
 */

import { tabStorage } from './tab-storage.ts';

const KEY = 'auditlog.token';
const EMBED_KEY = 'auditlog.embedded';

export interface StoredSession {
  token: string;
  /** Set when a host platform passed a short-lived viewer token. */
  embedded: boolean;
  expiresAt: string | null;
}

export function readSession(): StoredSession | null {
  const raw = tabStorage().getItem(KEY);
  if (!raw) return null;
  try {
    const s = JSON.parse(raw) as StoredSession;
    return typeof s.token === 'string' && s.token !== '' ? s : null;
  } catch {
    return null;
  }
}

export function saveSession(session: StoredSession): void {
  tabStorage().setItem(KEY, JSON.stringify(session));
  if (session.embedded) tabStorage().setItem(EMBED_KEY, '1');
}

export function clearSession(): void {
  tabStorage().removeItem(KEY);
}

/** Whether this tab was opened by a host platform (kept after the token expires, to word the message). */
export function wasEmbedded(): boolean {
  return tabStorage().getItem(EMBED_KEY) === '1';
}

/**
 * Takes `#token=…[&expiresAt=…]` from the current URL into sessionStorage and removes the fragment with
 * history.replaceState, so it is neither kept in history nor bookmarked. Returns true when one was found.
 */
export function adoptFragmentToken(): boolean {
  const hash = window.location.hash;
  if (!hash.startsWith('#') || !hash.includes('token=')) return false;
  const params = new URLSearchParams(hash.slice(1));
  const token = params.get('token');
  const { pathname, search } = window.location;
  window.history.replaceState(window.history.state, '', pathname + search);
  if (!token) return false;
  saveSession({ token, embedded: true, expiresAt: params.get('expiresAt') });
  return true;
}
