import { Type } from 'typebox';
import { AUTH_TYPES } from './auth-event-schema.js';
import { Name, PATTERN_MESSAGE, StringEnum, Text } from './common-schemas.js';
import { EVENT_TYPE_MAX_LENGTH, EVENT_TYPE_PATTERN } from './event-schema.js';

export const DESTINATION_KINDS = ['webhook', 'syslog', 'nats'] as const;
export type DestinationKind = (typeof DESTINATION_KINDS)[number];

/** What one delivered entry looks like: the API's JSON, OCSF, or (syslog only) CEF. */
export const PAYLOAD_FORMATS = ['json', 'ocsf', 'cef'] as const;
export type PayloadFormat = (typeof PAYLOAD_FORMATS)[number];

/** Which entries a destination receives: `admin` (administrative events) and/or `auth` (sign-ins). */
export const DESTINATION_STREAMS = ['admin', 'auth'] as const;

export const DestinationFilter = Type.Object(
  {
    streams: Type.Optional(Type.Array(StringEnum(DESTINATION_STREAMS), { uniqueItems: true })),
    categories: Type.Optional(Type.Array(Text(64), { maxItems: 50 })),
    // An event type as events are stored with one (dotted lowercase), or a sign-in's type: a typo names none.
    eventTypes: Type.Optional(
      Type.Array(
        Type.String({
          maxLength: EVENT_TYPE_MAX_LENGTH,
          pattern: `^(${EVENT_TYPE_PATTERN}|${AUTH_TYPES.join('|')})$`,
          [PATTERN_MESSAGE]: `must be an event type (dotted lowercase, e.g. user.role_changed) or one of ${AUTH_TYPES.join(', ')}`,
        }),
        { maxItems: 50 },
      ),
    ),
  },
  { additionalProperties: false },
);

/** The settings a destination may be created or updated with; which fields apply depends on `kind`. */
const settingsFields = {
  name: Name(128),
  format: StringEnum(PAYLOAD_FORMATS),
  /** webhook */
  url: Type.String({ minLength: 1, maxLength: 2048 }),
  /** syslog */
  host: Text(253),
  port: Type.Integer({ minimum: 1, maximum: 65535 }),
  tls: Type.Boolean(),
  /** syslog over TLS: the CA certificate(s), PEM, that the receiver's certificate must chain to (default: the system's). */
  caPem: Type.String({ maxLength: 65536 }),
  /** syslog: the longest message (bytes) the receiver takes whole; a longer one is truncated, never split. */
  maxMessageSize: Type.Integer({ minimum: 2048, maximum: 1_048_576 }),
  /** nats: comma-separated server URLs, and the subject a JetStream stream takes */
  servers: Text(1024),
  subject: Text(255),
  filter: DestinationFilter,
  batchSize: Type.Integer({ minimum: 1, maximum: 1000 }),
};

export const DestinationUpdate = Type.Partial(Type.Object(settingsFields), { additionalProperties: false });

export const DestinationCreate = Type.Object(
  { kind: StringEnum(DESTINATION_KINDS), ...DestinationUpdate.properties, name: settingsFields.name },
  { additionalProperties: false },
);

/** Replay: deliver again from this seq, or from the first entry received at or after this time. */
export const DestinationReplay = Type.Object(
  {
    fromSeq: Type.Optional(Type.Integer({ minimum: 1 })),
    fromTime: Type.Optional(Type.String({ format: 'date-time' })),
  },
  { additionalProperties: false },
);

/** Secret rotation: how long the replaced keys keep signing alongside the new ones (default 3600 s). */
export const DestinationRotate = Type.Object(
  { overlapSeconds: Type.Optional(Type.Integer({ minimum: 0, maximum: 86400 })) },
  { additionalProperties: false },
);
export const DEFAULT_ROTATION_OVERLAP_S = 3600;

const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);

export const DestinationStatus = Type.Object({
  /** Every matching entry up to this seq has been delivered (0: none yet). */
  deliveredSeq: Type.Integer(),
  deliveredAt: Nullable(Type.String()),
  headSeq: Type.Integer(),
  /** Entries (of either stream, matching or not) recorded after deliveredSeq. */
  eventsBehind: Type.Integer(),
  /** How long ago the oldest undelivered entry was received; 0 when caught up. */
  secondsBehind: Type.Number(),
  lastError: Nullable(Type.String()),
  /** Consecutive failed attempts; a destination is paused after too many. */
  failures: Type.Integer(),
  nextAttemptAt: Nullable(Type.String()),
});

export const DestinationView = Type.Object({
  id: Type.String(),
  tenant: Type.String(),
  name: Type.String(),
  kind: Type.String(),
  format: Type.String(),
  url: Type.Optional(Type.String()),
  host: Type.Optional(Type.String()),
  port: Type.Optional(Type.Integer()),
  tls: Type.Optional(Type.Boolean()),
  caPem: Type.Optional(Type.String()),
  maxMessageSize: Type.Optional(Type.Integer()),
  servers: Type.Optional(Type.String()),
  subject: Type.Optional(Type.String()),
  filter: DestinationFilter,
  batchSize: Type.Integer(),
  state: StringEnum(['active', 'paused'] as const),
  pausedReason: Nullable(Type.String()),
  /** Webhook: the Ed25519 public key (`whpk_…`) that verifies `v1a` signatures; never a secret. */
  publicKey: Type.Optional(Type.String()),
  /** SHA-256 prefix of the signing secret, to tell which one a receiver holds; the secret itself is never shown. */
  secretFingerprint: Nullable(Type.String()),
  createdAt: Type.String(),
  updatedAt: Type.String(),
  status: DestinationStatus,
});

/** What creating a webhook or rotating its secret answers: the signing secret, in this answer only. */
export const DestinationWithSecret = Type.Object({
  destination: DestinationView,
  secret: Type.Optional(Type.String()),
});

/** A test send: whether the receiver took the one made-up entry, or its error. */
export const DestinationTestResult = Type.Object({
  delivered: Type.Boolean(),
  error: Type.Union([Type.String(), Type.Null()]),
  ms: Type.Integer(),
});
