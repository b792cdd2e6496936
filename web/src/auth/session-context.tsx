import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import { onUnauthorized } from '../api/client.ts';
import { clearSession, readSession, type StoredSession, saveSession, wasEmbedded } from './token-store.ts';

interface SessionValue {
  session: StoredSession | null;
  /** Why the reader was signed out (expired viewer token, revoked token), shown on the sign-in page. */
  notice: string | null;
  signIn: (token: string) => void;
  signOut: (notice?: string) => void;
}

const SessionContext = createContext<SessionValue | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [session, setSession] = useState<StoredSession | null>(() => readSession());
  const [notice, setNotice] = useState<string | null>(null);

  const signOut = useCallback((message?: string) => {
    clearSession();
    setSession(null);
    setNotice(message ?? null);
  }, []);

  const signIn = useCallback((token: string) => {
    const s: StoredSession = { token, embedded: false, expiresAt: null };
    saveSession(s);
    setSession(s);
    setNotice(null);
  }, []);

  useEffect(() => {
    onUnauthorized(() =>
      signOut(
        wasEmbedded()
          ? 'The viewer session has expired. Reload the page in your platform to open the log again.'
          : 'The token is no longer accepted (expired or revoked). Sign in again.',
      ),
    );
  }, [signOut]);

  const value = useMemo(() => ({ session, notice, signIn, signOut }), [session, notice, signIn, signOut]);
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionValue {
  const v = useContext(SessionContext);
  if (!v) throw new Error('useSession outside SessionProvider');
  return v;
}

/** The token of the signed-in reader; pages render only when there is one. */
export function useToken(): string {
  const { session } = useSession();
  if (!session) throw new Error('useToken without a session');
  return session.token;
}
