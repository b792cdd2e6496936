import type { AuthType } from './schemas/auth-event-schema.js';

/** How one sign-in type reads in OCSF (Authentication 3002) and CEF; docs/streaming.md has the table. */
export interface AuthMapping {
  /** OCSF activity: 1 Logon (a sign-in attempt), 2 Logoff (a session that ended, however). */
  activityId: 1 | 2;
  /** OCSF status of that activity: 1 Success, 2 Failure. */
  statusId: 1 | 2;
  /** OCSF status_detail when the event has no reason of its own: how the session ended. */
  detail?: string;
  /** CEF name. */
  name: string;
  /** CEF outcome: of a sign-in attempt or a sign-out; none for a session ended by expiry or revocation. */
  outcome?: 'success' | 'failure';
}

// Expiry and revocation end a session (OCSF 1.3 Logoff: "a logon session was terminated"); they are no
// sign-in, so reading them as Logon or outcome=success would tell a SIEM someone signed in.
export const AUTH_MAPPING: Record<AuthType, AuthMapping> = {
  login_success: { activityId: 1, statusId: 1, name: 'Sign-in', outcome: 'success' },
  login_failure: { activityId: 1, statusId: 2, name: 'Failed sign-in', outcome: 'failure' },
  logout: { activityId: 2, statusId: 1, name: 'Sign-out', outcome: 'success' },
  session_expired: { activityId: 2, statusId: 1, detail: 'session expired', name: 'Session expired' },
  session_revoked: { activityId: 2, statusId: 1, detail: 'session revoked', name: 'Session revoked' },
};

export function authMapping(type: string): AuthMapping {
  const m = AUTH_MAPPING[type as AuthType];
  // The schema admits only the types above; a stored type it no longer knows must not pass for a sign-in.
  return m ?? { activityId: 2, statusId: 1, detail: type, name: type };
}
