import type { AuthEventInput } from '../../core/domain/schemas/auth-event-schema.js';
import type { DemoSession } from './demo-events.js';
import { demoAgents, USER_AGENTS_POOL } from './demo-people.js';
import { Random } from './random.js';

/**
 * The authentication history around the demo's admin work: each admin session starts with a login (by
 * password, password + TOTP or password + email code, sometimes after a typo) and ends by logout, expiry or
 * revocation; agents sign in for their shifts; and, in the last day, a brute-force burst against one admin
 * and a password-spraying run from one address, for the alerts to find.
 */
const METHODS = [
  ['password_totp', 6],
  ['password_email_2fa', 3],
  ['password', 1],
] as const;
const TYPOS = ['bad_password', 'bad_password', 'bad_totp', 'bad_email_code'] as const;

export function adminSessionAuthEvents(s: DemoSession, rng: Random, endMs: number): AuthEventInput[] {
  const user = { id: s.admin.id, username: s.admin.username, displayName: s.admin.displayName };
  const method = rng.weighted(METHODS);
  const base = { user, ip: s.ip, userAgent: s.admin.userAgent };
  const out: AuthEventInput[] = [];
  if (rng.chance(0.08)) {
    out.push({
      ...base,
      type: 'login_failure',
      method,
      reason: rng.pick(TYPOS),
      occurredAt: iso(s.loginMs - rng.int(5_000, 40_000)),
    });
  }
  out.push({ ...base, type: 'login_success', method, sessionId: s.sessionId, occurredAt: iso(s.loginMs) });
  const after = s.lastMs + rng.int(30_000, 1_800_000);
  if (after >= endMs) return out; // still signed in
  const kind = rng.weighted([
    ['logout', 14],
    ['session_expired', 4],
    ['session_revoked', 1],
  ] as const);
  out.push({ ...base, type: kind, sessionId: s.sessionId, occurredAt: iso(after) });
  return out;
}

/** Agents' shifts: a login at shift start and a logout (or expiry) some eight hours later. */
export function* agentShiftAuthEvents(
  count: number,
  startMs: number,
  endMs: number,
  seed: number,
): Generator<AuthEventInput> {
  const rng = new Random(seed + 7);
  const agents = demoAgents(400, new Random(seed));
  const span = endMs - startMs;
  for (let i = 0; i < count; i++) {
    const username = rng.pick(agents);
    const loginMs = Math.floor(startMs + (i / count) * span);
    const user = { id: `agent_${username}`, username, displayName: username.replace('.', ' ') };
    const ip = `10.40.${rng.int(0, 15)}.${rng.int(2, 250)}`;
    const base = { user, ip, userAgent: rng.pick(USER_AGENTS_POOL) };
    const sessionId = `sess_agent_${rng.hex(14)}`;
    const method = rng.weighted(METHODS);
    if (rng.chance(0.05)) {
      yield {
        ...base,
        type: 'login_failure',
        method,
        reason: rng.pick(TYPOS),
        occurredAt: iso(loginMs - 20_000),
      };
    }
    yield { ...base, type: 'login_success', method, sessionId, occurredAt: iso(loginMs) };
    const endAt = loginMs + rng.int(7 * 3_600_000, 9 * 3_600_000);
    if (endAt < endMs) {
      yield {
        ...base,
        type: rng.chance(0.85) ? 'logout' : 'session_expired',
        sessionId,
        occurredAt: iso(endAt),
      };
    }
  }
}

/** One brute-force burst and one spraying run within the last day before `endMs`. */
export function attackAuthEvents(endMs: number, targetUsername: string): AuthEventInput[] {
  const rng = new Random(99);
  const out: AuthEventInput[] = [];
  const bruteStart = endMs - 6 * 3_600_000;
  for (let i = 0; i < 24; i++) {
    out.push({
      type: 'login_failure',
      user: { username: targetUsername },
      reason: i === 23 ? 'locked' : 'bad_password',
      ip: i % 3 === 0 ? '198.51.100.23' : '198.51.100.24',
      userAgent: 'python-requests/2.32',
      occurredAt: iso(bruteStart + i * rng.int(5_000, 15_000)),
    });
  }
  const sprayStart = endMs - 3 * 3_600_000;
  const guesses = [
    'admin',
    'root',
    'support',
    'test',
    'operator',
    'manager',
    'sales',
    'billing',
    'backup',
    'guest',
  ];
  const names = [...guesses, 'jane.admin', 'jose.alvarez', 'li.wei', 'tom.berg', 'noah.kim'];
  names.forEach((username, i) => {
    out.push({
      type: 'login_failure',
      user: { username },
      reason: guesses.includes(username) ? 'unknown_user' : 'bad_password',
      ip: '203.0.113.250',
      userAgent: 'Mozilla/5.0 (compatible; scanner)',
      occurredAt: iso(sprayStart + i * 20_000),
    });
  });
  return out;
}

const iso = (ms: number) => new Date(ms).toISOString();
