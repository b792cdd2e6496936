import { useSyncExternalStore } from 'react';

/**
 * A minimal history router: the URL is the state. Pages read `useLocation()`, change it with `navigate()`;
 * back and forward fire popstate, which re-renders every subscriber.
 */

const listeners = new Set<() => void>();

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  window.addEventListener('popstate', listener);
  return () => {
    listeners.delete(listener);
    window.removeEventListener('popstate', listener);
  };
}

function snapshot(): string {
  return window.location.pathname + window.location.search;
}

export interface AppLocation {
  path: string;
  search: URLSearchParams;
  href: string;
}

let cachedHref = '';
let cached: AppLocation = { path: '/', search: new URLSearchParams(), href: '/' };

function toLocation(href: string): AppLocation {
  if (href !== cachedHref) {
    const url = new URL(href, window.location.origin);
    cachedHref = href;
    cached = { path: url.pathname, search: url.searchParams, href };
  }
  return cached;
}

export function useLocation(): AppLocation {
  return toLocation(useSyncExternalStore(subscribe, snapshot));
}

/** Goes to `href` (same origin); `replace` edits the current history entry instead of adding one. */
export function navigate(href: string, options: { replace?: boolean } = {}): void {
  if (href === snapshot()) return;
  if (options.replace) window.history.replaceState(null, '', href);
  else window.history.pushState(null, '', href);
  for (const l of listeners) l();
}

/** Matches `/audit/history/:type/:id`-style patterns; returns decoded parameters or null. */
export function matchPath(pattern: string, path: string): Record<string, string> | null {
  const p = pattern.split('/');
  const s = path.split('/');
  if (p.length !== s.length) return null;
  const out: Record<string, string> = {};
  for (let i = 0; i < p.length; i++) {
    const part = p[i]!;
    const value = s[i]!;
    if (part.startsWith(':')) {
      if (value === '') return null;
      try {
        out[part.slice(1)] = decodeURIComponent(value);
      } catch {
        return null;
      }
    } else if (part !== value) return null;
  }
  return out;
}
