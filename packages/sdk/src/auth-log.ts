import { currentContext } from './context.js';
import type { AuthRecordInput } from './prepare.js';
import type { AuthEventInput, FailureReason, LoginMethod } from './types.js';

type AuthUser = AuthEventInput['user'];

/** Who signed in or out: given, or the current context's actor. */
interface Who {
  user?: AuthUser;
  sessionId?: string;
  /** Given here, or the context's (outside a request: a job, a test, a queue consumer). */
  ip?: string;
  userAgent?: string;
}

export interface AuthLogHelpers {
  loginSucceeded(input: Who & { method: LoginMethod }): Promise<{ id: string }>;
  /** `username` is what was typed; it may name no existing user. */
  loginFailed(input: {
    username: string;
    userId?: string;
    method?: LoginMethod;
    reason: FailureReason;
    ip?: string;
    userAgent?: string;
  }): Promise<{ id: string }>;
  logout(input?: Who): Promise<{ id: string }>;
  sessionExpired(input?: Who): Promise<{ id: string }>;
  sessionRevoked(input?: Who): Promise<{ id: string }>;
}

/** The authentication log in one line per case; ip, user agent and session come from the context. */
export function authLogHelpers(
  recordAuth: (event: AuthRecordInput) => Promise<{ id: string }>,
): AuthLogHelpers {
  const of = (type: AuthEventInput['type'], who: Who = {}, extra: Partial<AuthRecordInput> = {}) =>
    recordAuth({
      type,
      user: who.user ?? contextUser(),
      sessionId: who.sessionId,
      ip: who.ip,
      userAgent: who.userAgent,
      ...extra,
    });
  return {
    loginSucceeded: (input) => of('login_success', input, { method: input.method }),
    loginFailed: (input) =>
      recordAuth({
        type: 'login_failure',
        user:
          input.userId === undefined
            ? { username: input.username }
            : { id: input.userId, username: input.username },
        method: input.method,
        reason: input.reason,
        ip: input.ip,
        userAgent: input.userAgent,
      }),
    logout: (input) => of('logout', input),
    sessionExpired: (input) => of('session_expired', input),
    sessionRevoked: (input) => of('session_revoked', input),
  };
}

function contextUser(): AuthUser {
  const actor = currentContext()?.actor;
  if (actor === undefined) throw new TypeError('auth log: no user — pass `user` or set the context actor');
  return { id: actor.id, username: actor.username ?? actor.id, displayName: actor.displayName };
}
