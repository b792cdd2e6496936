/**
 * The events this SDK sends, written out so that the package stands alone (no schema library at run time).
 * They mirror the server's TypeBox schemas (src/core/domain/schemas/) field for field:
 * test/sdk/types-match.test.ts fails `npm run lint` and the suite when the two drift apart.
 */

export const ACTIONS = ['create', 'update', 'delete'] as const;
export type Action = (typeof ACTIONS)[number];

/** The default catalog's categories (GET /v1/catalog); a deployment may configure others. */
export const CATEGORIES = [
  'users',
  'campaigns',
  'settings',
  'telephony',
  'ai',
  'security',
  'bulk',
  'inbound',
] as const;
export type Category = (typeof CATEGORIES)[number];

/** The default catalog's event types a platform may send (the `auditlog.*` ones are the log's own). */
export const EVENT_TYPES = {
  users: [
    'user.created',
    'user.updated',
    'user.deleted',
    'user.role_changed',
    'user.2fa_reset',
    'user.bulk_provisioned',
  ],
  campaigns: [
    'campaign.created',
    'campaign.updated',
    'campaign.activated',
    'campaign.deactivated',
    'campaign.pacing_adjusted',
    'campaign.deleted',
  ],
  settings: [
    'settings.branding_updated',
    'settings.email_updated',
    'settings.storage_updated',
    'settings.security_updated',
  ],
  telephony: [
    'carrier.created',
    'carrier.updated',
    'carrier.deleted',
    'did.created',
    'did.updated',
    'did.deleted',
    'extension.updated',
    'trunk_group.updated',
  ],
  ai: ['ai.provider_updated', 'ai.model_selected', 'ai.api_key_updated'],
  security: [
    'security.2fa_reset',
    'security.password_changed',
    'security.session_revoked',
    'security.policy_changed',
  ],
  bulk: ['bulk.leads_updated', 'bulk.leads_imported', 'bulk.leads_merged'],
  inbound: ['queue.updated', 'ivr.menu_updated', 'moh.updated'],
} as const satisfies Record<Category, readonly string[]>;
export type EventType = (typeof EVENT_TYPES)[Category][number];

export const AUTH_TYPES = [
  'login_success',
  'login_failure',
  'logout',
  'session_expired',
  'session_revoked',
] as const;
export type AuthType = (typeof AUTH_TYPES)[number];
export const LOGIN_METHODS = ['password', 'password_totp', 'password_email_2fa'] as const;
export type LoginMethod = (typeof LOGIN_METHODS)[number];
export const FAILURE_REASONS = [
  'bad_password',
  'unknown_user',
  'bad_totp',
  'bad_email_code',
  'locked',
  'disabled',
] as const;
export type FailureReason = (typeof FAILURE_REASONS)[number];

export interface Actor {
  id: string;
  username?: string;
  displayName?: string;
  type?: 'user' | 'service' | 'system';
}

export interface Target {
  type: string;
  id: string;
  name?: string;
}

/** An administrative event as POST /v1/events takes it. */
export interface AuditEventInput {
  id?: string;
  occurredAt?: string;
  actor: Actor;
  action: Action;
  /** Dotted lowercase with at least one dot; one of EVENT_TYPES or your own. */
  eventType?: string;
  /** One of CATEGORIES, or a key of your deployment's catalog. */
  category: string;
  target: Target;
  oldValue?: unknown;
  newValue?: unknown;
  ip?: string;
  userAgent?: string;
  sessionId?: string;
  requestId?: string;
  reason?: string;
  metadata?: Record<string, unknown>;
}

/** An authentication event as POST /v1/auth-events takes it. */
export interface AuthEventInput {
  id?: string;
  type: AuthType;
  occurredAt?: string;
  user: { id?: string; username: string; displayName?: string };
  method?: LoginMethod;
  sessionId?: string;
  reason?: FailureReason;
  ip: string;
  userAgent?: string;
}

/** What `record()` takes: the request context fills in what is left out (actor, ip, user agent, ids). */
export type RecordInput = Omit<AuditEventInput, 'actor'> & { actor?: Actor };
