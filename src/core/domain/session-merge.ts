import type { AuthColumns } from './entry.js';

/** One login session as the store keeps it: derived from the authentication events that name it. */
export interface SessionRow {
  sessionId: string;
  userId: string | null;
  username: string | null;
  usernameFolded: string | null;
  displayName: string | null;
  method: string | null;
  ip: string | null;
  ipKey: string | null;
  userAgent: string | null;
  loginMs: number | null;
  endedMs: number | null;
  endReason: 'logout' | 'expired' | 'revoked' | null;
  /** The order sessions are listed in: the login time, or the end time when no login is on record. */
  sortMs: number;
}

const END_REASONS: Record<string, SessionRow['endReason']> = {
  logout: 'logout',
  session_expired: 'expired',
  session_revoked: 'revoked',
};

/**
 * Folds one authentication event into its session. Order-independent, so events may arrive in any order
 * and more than once: the earliest login wins, the earliest end wins, and a session that only has an end
 * keeps the end event's user until a login arrives. Failures do not make sessions.
 */
export function mergeSession(
  current: SessionRow | undefined,
  event: AuthColumns & { occurredMs: number },
): SessionRow | undefined {
  if (event.sessionId === null || event.type === 'login_failure') return current;
  const s: SessionRow = current
    ? { ...current }
    : {
        sessionId: event.sessionId,
        userId: null,
        username: null,
        usernameFolded: null,
        displayName: null,
        method: null,
        ip: null,
        ipKey: null,
        userAgent: null,
        loginMs: null,
        endedMs: null,
        endReason: null,
        sortMs: event.occurredMs,
      };
  const takeUser = () => {
    s.userId = event.userId;
    s.username = event.username;
    s.usernameFolded = event.usernameFolded;
    s.displayName = event.displayName;
  };
  if (event.type === 'login_success') {
    if (s.loginMs === null || event.occurredMs < s.loginMs) {
      s.loginMs = event.occurredMs;
      takeUser();
      s.method = event.method;
      s.ip = event.ip;
      s.ipKey = event.ipKey;
      s.userAgent = event.userAgent;
    }
  } else {
    const reason = END_REASONS[event.type];
    if (reason !== undefined && (s.endedMs === null || event.occurredMs < s.endedMs)) {
      s.endedMs = event.occurredMs;
      s.endReason = reason;
    }
    if (s.loginMs === null && s.username === null) {
      takeUser();
      s.ip = event.ip;
      s.ipKey = event.ipKey;
      s.userAgent = event.userAgent;
    }
  }
  s.sortMs = s.loginMs ?? s.endedMs ?? event.occurredMs;
  return s;
}
