/** The shapes of API.md, as the UI reads them. Every field that a client may omit is optional here. */

export type Action = 'create' | 'update' | 'delete';

export interface Actor {
  id: string;
  username?: string;
  displayName?: string;
  type?: string;
}

export interface Change {
  path: string;
  old: unknown;
  new: unknown;
}

export interface AuditEvent {
  id: string;
  seq: number;
  tenant: string;
  occurredAt: string;
  receivedAt: string;
  actor: Actor;
  action: string;
  eventType: string;
  category: string;
  target: { type: string; id: string; name?: string };
  oldValue: unknown;
  newValue: unknown;
  changes: Change[];
  ip?: string;
  userAgent?: string;
  sessionId?: string;
  requestId?: string;
  reason?: string;
  metadata?: Record<string, unknown>;
}

export interface EventPage {
  events: AuditEvent[];
  nextCursor: string | null;
  /** With afterSeq: every entry up to this seq has been considered. */
  highSeq?: number;
}

export interface ActorSuggestion {
  id: string;
  username: string | null;
  displayName: string | null;
}

export type AuthEventType =
  | 'login_success'
  | 'login_failure'
  | 'logout'
  | 'session_expired'
  | 'session_revoked';

export interface AuthEvent {
  id: string;
  seq?: number;
  occurredAt: string;
  type: AuthEventType | string;
  user: { id?: string; username: string; displayName?: string };
  method?: string;
  sessionId?: string;
  reason?: string;
  ip: string;
  userAgent?: string;
}

export interface AuthEventPage {
  events: AuthEvent[];
  nextCursor: string | null;
}

export interface Session {
  sessionId: string;
  user: { id?: string; username: string; displayName?: string };
  method: string | null;
  ip: string | null;
  userAgent: string | null;
  /** Null when the session ended but its login_success is not on record. */
  loginAt: string | null;
  endedAt: string | null;
  endReason: 'logout' | 'expired' | 'revoked' | null;
  durationSeconds: number | null;
  /** Still open (added by the server; older servers: endedAt === null). */
  active?: boolean;
  loginMissing?: boolean;
}

export interface SessionPage {
  sessions: Session[];
  nextCursor: string | null;
}

export interface SessionDetail extends Session {
  actions: AuditEvent[];
  /** More actions than the server lists here (page them with GET /v1/events?sessionId=…). */
  actionsTruncated?: boolean;
}

export interface FailureGroup {
  key: string;
  count: number;
  firstAt: string;
  lastAt: string;
}

/** GET /v1/auth/failures with `bucket`: the window split into consecutive buckets. */
export interface FailureBucket {
  from: string;
  to: string;
  groups: { key: string; count: number }[];
}

export interface Alert {
  kind: 'brute_force' | 'password_spraying' | string;
  subject: string;
  count: number;
  firstAt: string;
  lastAt: string;
  /** Brute force: the addresses tried from most (at most 20), and how many there are. */
  ips?: string[];
  ipCount?: number;
  /** Password spraying: the usernames tried most (at most 20), and how many there are. */
  usernames?: string[];
  usernameCount?: number;
  /** The query of GET /v1/auth-events (and of the sign-in events page) listing the alert's attempts. */
  attemptsQuery?: string;
}

export interface AlertPage {
  alerts: Alert[];
  nextCursor: string | null;
}

export interface StatsGroup {
  key: string;
  label?: string;
  count: number;
}

/** GET /v1/me: the calling token. */
export interface TokenInfo {
  tokenId: string;
  tenant: string;
  name: string | null;
  scopes: string[];
  kind: 'api' | 'bootstrap' | 'viewer' | string;
  expiresAt: string | null;
}

/** GET /v1/catalog: the categories events may carry, with labels and the actions each tracks. */
export interface CatalogCategory {
  key: string;
  label: string;
  description: string;
  actions: { eventType: string; label: string; action: string; targetType: string }[];
}

export interface ApiErrorBody {
  error: { code: string; message: string; details?: { path: string; message: string }[] };
}

/** GET /v1/destinations: where the tenant's log is streamed, and how far behind each is. */
export interface Destination {
  id: string;
  name: string;
  kind: 'webhook' | 'syslog' | 'nats' | string;
  format: string;
  url?: string;
  host?: string;
  port?: number;
  tls?: boolean;
  servers?: string;
  subject?: string;
  state: 'active' | 'paused';
  pausedReason: string | null;
  status: {
    deliveredSeq: number;
    deliveredAt: string | null;
    headSeq: number;
    eventsBehind: number;
    secondsBehind: number;
    lastError: string | null;
    failures: number;
    nextAttemptAt: string | null;
  };
}
