import { type Static, Type } from 'typebox';
import {
  FreeText,
  IpAddress,
  JsonObject,
  PATTERN_MESSAGE,
  PageParams,
  QUERY,
  Repeatable,
  Rfc3339,
  StringEnum,
  Text,
} from './common-schemas.js';

/** The limits of docs/api.md, in one place: the validator, the HTTP layer and the docs read them from here. */
export const LIMITS = {
  eventsPerBatch: 1000,
  eventBytes: 256 * 1024,
  valueBytes: 64 * 1024,
  metadataBytes: 16 * 1024,
  requestBytes: 8 * 1024 * 1024,
  futureSkewMs: 5 * 60 * 1000,
} as const;

export const Actor = Type.Object(
  {
    id: Text(256),
    username: Type.Optional(Text(256)),
    displayName: Type.Optional(Text(256)),
    type: Type.Optional(StringEnum(['user', 'service', 'system'])),
  },
  { additionalProperties: false },
);

export const Target = Type.Object(
  { type: Text(128), id: Text(256), name: Type.Optional(Text(256)) },
  { additionalProperties: false },
);

export const ACTIONS = ['create', 'update', 'delete'] as const;
export const Action = StringEnum(ACTIONS);

/** An administrative event as a client sends it (POST /v1/events). */
/** An administrative event type: dotted lower case (a regular expression, unanchored), at most 128 long. */
export const EVENT_TYPE_PATTERN = '[a-z0-9_]+(\\.[a-z0-9_]+)+';
export const EVENT_TYPE_MAX_LENGTH = 128;

export const EventInput = Type.Object(
  {
    id: Type.Optional(Text(128)),
    occurredAt: Type.Optional(Rfc3339),
    actor: Actor,
    action: Action,
    eventType: Type.Optional(
      Type.String({
        maxLength: EVENT_TYPE_MAX_LENGTH,
        pattern: `^${EVENT_TYPE_PATTERN}$`,
        [PATTERN_MESSAGE]: 'must be dotted lowercase with at least one dot, e.g. user.role_changed',
      }),
    ),
    category: Text(64),
    target: Target,
    oldValue: Type.Optional(Type.Unknown()),
    newValue: Type.Optional(Type.Unknown()),
    ip: Type.Optional(IpAddress),
    userAgent: Type.Optional(FreeText(1024)),
    sessionId: Type.Optional(Text(256)),
    requestId: Type.Optional(Text(256)),
    reason: Type.Optional(FreeText(4096)),
    metadata: Type.Optional(JsonObject),
  },
  { additionalProperties: false, $id: 'EventInput' },
);
export type EventInput = Static<typeof EventInput>;

export const Change = Type.Object({ path: Type.String(), old: Type.Unknown(), new: Type.Unknown() });
export type Change = Static<typeof Change>;

/** An administrative event as stored and returned. */
export const StoredEvent = Type.Object(
  {
    id: Type.String(),
    seq: Type.Integer(),
    tenant: Type.String(),
    occurredAt: Type.String(),
    receivedAt: Type.String(),
    actor: Type.Object({
      id: Type.String(),
      username: Type.Optional(Type.String()),
      displayName: Type.Optional(Type.String()),
      type: Type.String(),
    }),
    action: Type.String(),
    eventType: Type.String(),
    category: Type.String(),
    target: Type.Object({ type: Type.String(), id: Type.String(), name: Type.Optional(Type.String()) }),
    oldValue: Type.Unknown(),
    newValue: Type.Unknown(),
    changes: Type.Array(Change),
    ip: Type.Optional(Type.String()),
    userAgent: Type.Optional(Type.String()),
    sessionId: Type.Optional(Type.String()),
    requestId: Type.Optional(Type.String()),
    reason: Type.Optional(Type.String()),
    metadata: Type.Optional(JsonObject),
    hash: Type.Optional(Type.String({ description: 'present in verifiable exports' })),
    prevHash: Type.Optional(Type.String({ description: 'present in verifiable exports' })),
  },
  { $id: 'Event' },
);
export type StoredEvent = Static<typeof StoredEvent>;

export const EventFilterParams = {
  from: Type.Optional(Rfc3339),
  to: Type.Optional(Rfc3339),
  user: Type.Optional(Repeatable(Type.String())),
  action: Type.Optional(Repeatable(Action)),
  category: Type.Optional(Repeatable(Type.String())),
  eventType: Type.Optional(Repeatable(Type.String())),
  targetType: Type.Optional(Type.String()),
  targetId: Type.Optional(Type.String()),
  target: Type.Optional(Type.String()),
  ip: Type.Optional(Type.String({ description: 'address or CIDR block' })),
  sessionId: Type.Optional(Type.String()),
  q: Type.Optional(Type.String({ maxLength: 1024 })),
};

export const EventListQuery = Type.Object(
  {
    ...EventFilterParams,
    ...PageParams,
    afterSeq: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: 999_999_999_999_999,
        description:
          'only events recorded after this seq, oldest first (live views); not with cursor or order',
      }),
    ),
  },
  QUERY,
);

/** An entity's history pages like the event list, oldest first; no live view (`afterSeq`). */
export const HistoryQuery = Type.Object({ ...EventFilterParams, ...PageParams }, QUERY);

/** Exports stream every match: no page parameters. */
export const ExportQuery = Type.Object(
  {
    format: Type.Optional(StringEnum(['csv', 'ndjson'])),
    order: Type.Optional(StringEnum(['asc', 'desc'])),
    ...EventFilterParams,
  },
  QUERY,
);

export const EventPage = Type.Object({
  events: Type.Array(StoredEvent),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
  highSeq: Type.Optional(
    Type.Integer({
      description: 'with afterSeq: every entry up to this seq has been considered; poll from here',
    }),
  ),
});

export const StatsGroupBy = StringEnum(['action', 'category', 'user', 'eventType', 'day']);
export type StatsGroupBy = Static<typeof StatsGroupBy>;

export const StatsQuery = Type.Object({ ...EventFilterParams, groupBy: StatsGroupBy }, QUERY);
export const StatsResponse = Type.Object({
  groups: Type.Array(
    Type.Object({ key: Type.String(), label: Type.Optional(Type.String()), count: Type.Integer() }),
  ),
});
