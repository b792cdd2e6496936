import { type Static, Type } from 'typebox';
import {
  FreeText,
  IpAddress,
  PageParams,
  QUERY,
  Repeatable,
  Rfc3339,
  StringEnum,
  Text,
} from './common-schemas.js';
import { StoredEvent } from './event-schema.js';

export const AUTH_TYPES = [
  'login_success',
  'login_failure',
  'logout',
  'session_expired',
  'session_revoked',
] as const;
export const LOGIN_METHODS = ['password', 'password_totp', 'password_email_2fa'] as const;
export const FAILURE_REASONS = [
  'bad_password',
  'unknown_user',
  'bad_totp',
  'bad_email_code',
  'locked',
  'disabled',
] as const;
export type AuthType = (typeof AUTH_TYPES)[number];

/** An authentication event as a client sends it (POST /v1/auth-events). */
export const AuthEventInput = Type.Object(
  {
    id: Type.Optional(Text(128)),
    type: StringEnum(AUTH_TYPES),
    occurredAt: Type.Optional(Rfc3339),
    user: Type.Object(
      {
        id: Type.Optional(Text(256)),
        username: Text(256, { description: 'what was typed; a failure may name a user that does not exist' }),
        displayName: Type.Optional(Text(256)),
      },
      { additionalProperties: false },
    ),
    method: Type.Optional(StringEnum(LOGIN_METHODS)),
    sessionId: Type.Optional(Text(256)),
    reason: Type.Optional(StringEnum(FAILURE_REASONS)),
    ip: IpAddress,
    userAgent: Type.Optional(FreeText(1024)),
  },
  { additionalProperties: false, $id: 'AuthEventInput' },
);
export type AuthEventInput = Static<typeof AuthEventInput>;

export const StoredAuthEvent = Type.Object(
  {
    id: Type.String(),
    seq: Type.Integer(),
    tenant: Type.String(),
    type: Type.String(),
    occurredAt: Type.String(),
    receivedAt: Type.String(),
    user: Type.Object({
      id: Type.Optional(Type.String()),
      username: Type.String(),
      displayName: Type.Optional(Type.String()),
    }),
    method: Type.Optional(Type.String()),
    sessionId: Type.Optional(Type.String()),
    reason: Type.Optional(Type.String()),
    ip: Type.String(),
    userAgent: Type.Optional(Type.String()),
    hash: Type.Optional(Type.String()),
    prevHash: Type.Optional(Type.String()),
  },
  { $id: 'AuthEvent' },
);
export type StoredAuthEvent = Static<typeof StoredAuthEvent>;

export const AuthEventListQuery = Type.Object(
  {
    from: Type.Optional(Rfc3339),
    to: Type.Optional(Rfc3339),
    user: Type.Optional(Repeatable(Type.String())),
    type: Type.Optional(Repeatable(StringEnum(AUTH_TYPES))),
    method: Type.Optional(Repeatable(StringEnum(LOGIN_METHODS))),
    ip: Type.Optional(Type.String({ description: 'address or CIDR block' })),
    q: Type.Optional(Type.String()),
    ...PageParams,
  },
  QUERY,
);

export const AuthEventPage = Type.Object({
  events: Type.Array(StoredAuthEvent),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
});

export const Session = Type.Object(
  {
    sessionId: Type.String(),
    user: Type.Object({
      id: Type.Optional(Type.String()),
      username: Type.String(),
      displayName: Type.Optional(Type.String()),
    }),
    method: Type.Union([Type.String(), Type.Null()]),
    ip: Type.Union([Type.String(), Type.Null()]),
    userAgent: Type.Union([Type.String(), Type.Null()]),
    loginAt: Type.Union([Type.String(), Type.Null()]),
    endedAt: Type.Union([Type.String(), Type.Null()]),
    // Written as OpenAPI 3.0 has it (the document is 3.0): a nullable enum lists null among its values.
    endReason: Type.Unsafe<'logout' | 'expired' | 'revoked' | null>({
      type: 'string',
      enum: ['logout', 'expired', 'revoked', null],
      nullable: true,
    }),
    durationSeconds: Type.Union([Type.Number(), Type.Null()]),
    active: Type.Boolean(),
    loginMissing: Type.Boolean({ description: 'the session ended but no login_success is on record' }),
  },
  { $id: 'Session' },
);
export type Session = Static<typeof Session>;

export const SessionPage = Type.Object({
  sessions: Type.Array(Session),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
});

/** One session and the administrative actions performed in it (GET /v1/sessions/{sessionId}). */
export const SessionDetail = Type.Intersect([
  Session,
  Type.Object({ actions: Type.Array(StoredEvent), actionsTruncated: Type.Boolean() }),
]);

export const SessionListQuery = Type.Object(
  {
    from: Type.Optional(Rfc3339),
    to: Type.Optional(Rfc3339),
    user: Type.Optional(Repeatable(Type.String())),
    ip: Type.Optional(Type.String({ description: 'address or CIDR block' })),
    active: Type.Optional(StringEnum(['true', 'false'])),
    ...PageParams,
  },
  QUERY,
);

export const FailureGroups = Type.Object({
  groups: Type.Array(
    Type.Object({ key: Type.String(), count: Type.Integer(), firstAt: Type.String(), lastAt: Type.String() }),
  ),
  buckets: Type.Optional(
    Type.Array(
      Type.Object({
        from: Type.String(),
        to: Type.String(),
        groups: Type.Array(Type.Object({ key: Type.String(), count: Type.Integer() })),
      }),
      { description: 'with bucket=…: the window split into consecutive buckets' },
    ),
  ),
});

export const Alert = Type.Object({
  kind: StringEnum(['brute_force', 'password_spraying']),
  subject: Type.String(),
  count: Type.Integer(),
  firstAt: Type.String(),
  lastAt: Type.String(),
  ips: Type.Optional(
    Type.Array(Type.String(), { description: 'brute force: the addresses tried from most, at most 20' }),
  ),
  ipCount: Type.Optional(Type.Integer({ description: 'brute force: how many addresses' })),
  usernames: Type.Optional(
    Type.Array(Type.String(), { description: 'spraying: the usernames tried most, at most 20' }),
  ),
  usernameCount: Type.Optional(Type.Integer({ description: 'spraying: how many usernames' })),
  attemptsQuery: Type.String({ description: 'the query of GET /v1/auth-events that lists every attempt' }),
});
export type Alert = Static<typeof Alert>;

export const AlertPage = Type.Object({
  alerts: Type.Array(Alert),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
});
