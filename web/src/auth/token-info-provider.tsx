import { createContext, type ReactNode, useContext, useEffect, useState } from 'react';
import { api } from '../api/endpoints.ts';
import type { TokenInfo } from '../api/types.ts';

const TokenInfoContext = createContext<TokenInfo | undefined>(undefined);

/** After the expiry has passed and the token still works (clocks differ), look again this much later. */
const RECHECK_MS = 30_000;
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

/**
 * What the signed-in token is (GET /v1/me): tenant, scopes, kind and expiry. The UI shows the tenant and
 * the real end of a viewer session, and disables what the token may not do instead of failing on click.
 * When the expiry passes the token is checked once more, so a reader who is only looking is signed out
 * with the reason (by the 401) at the time the session ends, not on their next click.
 */
export function TokenInfoProvider({ token, children }: { token: string; children: ReactNode }) {
  const [info, setInfo] = useState<TokenInfo>();

  useEffect(() => {
    const controller = new AbortController();
    setInfo(undefined);
    // A 401 signs out through the client's listener; any other failure (an older server without
    // /v1/me, a network hiccup) leaves `info` unknown and the UI as it was without it.
    api.me(token, { signal: controller.signal }).then(setInfo, () => undefined);
    return () => controller.abort();
  }, [token]);

  useEffect(() => {
    const expires = info?.expiresAt ? Date.parse(info.expiresAt) : Number.NaN;
    if (Number.isNaN(expires)) return;
    let timer = 0;
    // Until the expiry, then every RECHECK_MS while the server still accepts the token (clocks differ).
    const schedule = () => {
      const wait = expires - Date.now();
      timer = window.setTimeout(check, wait > 0 ? Math.min(MAX_TIMEOUT_MS, wait + 500) : RECHECK_MS);
    };
    // A 401 signs out with the reason (the client's listener); any other answer: look again later.
    const check = () => void api.me(token).then(schedule, schedule);
    schedule();
    return () => window.clearTimeout(timer);
  }, [info, token]);

  return <TokenInfoContext.Provider value={info}>{children}</TokenInfoContext.Provider>;
}

/** The signed-in token's description; undefined while it loads or when the server cannot say. */
export function useTokenInfo(): TokenInfo | undefined {
  return useContext(TokenInfoContext);
}

/** Whether the token has `scope`: true or false once known, undefined while unknown. */
export function useHasScope(scope: string): boolean | undefined {
  const info = useTokenInfo();
  return info ? info.scopes.includes(scope) : undefined;
}
