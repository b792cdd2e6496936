import { randomBytes, randomInt } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type AuditClient, type FailureReason, updateContext } from '../../../packages/sdk/src/index.js';
import type { State, User } from './data.js';
import { SIGN_IN_PAGE } from './sign-in-page.js';
import { sameText, totpMatches } from './totp.js';

export interface Session {
  id: string;
  user: User;
  expiresAt: number;
}

const SESSION_MS = 30 * 60_000;

/**
 * Sign-in with a password, password + TOTP or password + an emailed code; sessions in memory (a cookie
 * `sid`). Every outcome goes to the audit log's authentication stream; the answer is sent only once the
 * record is durable.
 */
export function installSignIn(app: FastifyInstance, state: State, audit: AuditClient) {
  const sessions = new Map<string, Session>();
  /** Emailed codes by username; a real platform sends mail, this one shows them at GET /dev/outbox. */
  const outbox = new Map<string, string>();

  const fail = async (reply: FastifyReply, username: string, reason: FailureReason, user?: User) => {
    const { id } = await audit.auth.loginFailed({ username, userId: user?.id, method: user?.method, reason });
    return reply.code(401).send({ error: reason, auditEventId: id });
  };

  app.get('/sign-in', async (_request, reply) => reply.type('text/html').send(SIGN_IN_PAGE));
  app.get('/dev/outbox', async () => Object.fromEntries(outbox));

  app.post('/sign-in', async (request, reply) => {
    const body = (request.body ?? {}) as Record<string, unknown>;
    const username = auditableUsername(body.username);
    if (username === undefined) return reply.code(400).send({ error: 'username is required' });
    const password = typeof body.password === 'string' ? body.password : '';
    const code = typeof body.code === 'string' ? body.code : undefined;
    const user = [...state.users.values()].find((u) => u.username === username);
    if (user === undefined) return fail(reply, username, 'unknown_user');
    if (!sameText(user.password, password)) return fail(reply, username, 'bad_password', user);
    if (user.method === 'password_totp' && user.twoFactor === 'totp') {
      if (code === undefined) return reply.code(401).send({ needs: 'totp' });
      if (!totpMatches(user.totpSecret!, code)) return fail(reply, username, 'bad_totp', user);
    }
    if (user.method === 'password_email_2fa' && user.twoFactor === 'email') {
      if (code === undefined) {
        outbox.set(username, String(randomInt(0, 1_000_000)).padStart(6, '0'));
        return reply.code(401).send({ needs: 'email_code' });
      }
      const sent = outbox.get(username);
      outbox.delete(username);
      if (sent === undefined || !sameText(sent, code)) return fail(reply, username, 'bad_email_code', user);
    }
    const session: Session = {
      id: randomBytes(16).toString('hex'),
      user,
      expiresAt: Date.now() + SESSION_MS,
    };
    updateContext({ actor: actorOf(user), sessionId: session.id });
    const { id } = await audit.auth.loginSucceeded({ method: user.method });
    sessions.set(session.id, session);
    return reply
      .header('set-cookie', `sid=${session.id}; HttpOnly; SameSite=Strict; Path=/`)
      .send({ user: user.username, auditEventId: id });
  });

  app.post('/sign-out', async (request, reply) => {
    const session = await requireSession(request, reply);
    if (session === undefined) return reply;
    const { id } = await audit.auth.logout();
    sessions.delete(session.id);
    return reply.header('set-cookie', 'sid=; Max-Age=0; Path=/').send({ auditEventId: id });
  });

  /** The signed-in session, put into the audit context; else 401 (an expired one is logged as such). */
  async function requireSession(request: FastifyRequest, reply: FastifyReply): Promise<Session | undefined> {
    const sid = sessionCookie(request);
    const session = sid === undefined ? undefined : sessions.get(sid);
    if (session === undefined) {
      await reply.code(401).send({ error: 'sign in first' });
      return undefined;
    }
    updateContext({ actor: actorOf(session.user), sessionId: session.id });
    if (session.expiresAt < Date.now()) {
      sessions.delete(session.id);
      await audit.auth.sessionExpired();
      await reply.code(401).send({ error: 'session expired' });
      return undefined;
    }
    return session;
  }

  /** Ends every session of a user (after a 2FA reset or a deletion), each one logged as revoked. */
  async function revokeSessions(user: User): Promise<void> {
    for (const session of sessions.values())
      if (session.user.id === user.id) {
        await audit.auth.sessionRevoked({ user: authUserOf(user), sessionId: session.id });
        sessions.delete(session.id);
      }
  }

  return { requireSession, revokeSessions };
}

export function sessionCookie(request: { headers: { cookie?: string } }): string | undefined {
  return /(?:^|;\s*)sid=([0-9a-f]{32})/.exec(request.headers.cookie ?? '')?.[1];
}

export const actorOf = (user: User) => ({
  id: user.id,
  username: user.username,
  displayName: user.displayName,
});
const authUserOf = actorOf;

/** The audit service's longest username (what was typed, on a failure). */
const MAX_USERNAME = 256;

/**
 * What was typed as the username, in a form the audit service records: an attempt with a hostile value (an
 * object, NUL, 10,000 characters) is exactly one a brute-force detector must see, so it is recorded as text —
 * JSON for a non-string, control characters as U+FFFD, cut to the service's 256 characters with an ellipsis —
 * instead of being refused by the service and dead-lettered. Undefined when nothing was typed.
 */
export function auditableUsername(raw: unknown): string | undefined {
  if (raw === undefined || raw === null) return undefined;
  const typed = typeof raw === 'string' ? raw : JSON.stringify(raw);
  // Lone surrogates and control characters, which the service refuses, become U+FFFD.
  const text = typed.replace(
    /[\u0000-\u001f\u007f]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g,
    '\ufffd',
  );
  if (text.trim() === '') return undefined;
  const chars = Array.from(text);
  return chars.length <= MAX_USERNAME ? text : `${chars.slice(0, MAX_USERNAME - 1).join('')}…`;
}
