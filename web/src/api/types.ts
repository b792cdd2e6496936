/**
 * The API's shapes as the UI reads them: the TypeBox schemas the server validates and documents with
 * (src/core/domain/schemas), as types. `import type` only — erased at build, so no server code reaches the
 * bundle (test/ui-architecture.test.ts allows nothing else from outside web/src) — and the UI cannot drift
 * from the API: a field renamed there fails `tsc -p web/tsconfig.json` here.
 */
import type { Static } from 'typebox';
import type {
  AlertPage as AlertPageSchema,
  Alert as AlertSchema,
  AUTH_TYPES,
  AuthEventPage as AuthEventPageSchema,
  FailureGroups,
  SessionDetail as SessionDetailSchema,
  SessionPage as SessionPageSchema,
  Session as SessionSchema,
  StoredAuthEvent,
} from '../../../src/core/domain/schemas/auth-event-schema.ts';
import type {
  ActorSuggestion as ActorSuggestionSchema,
  CatalogCategory as CatalogCategorySchema,
  Me,
} from '../../../src/core/domain/schemas/client-schemas.ts';
import type { ErrorBody } from '../../../src/core/domain/schemas/common-schemas.ts';
import type { DestinationView as DestinationViewSchema } from '../../../src/core/domain/schemas/destination-schema.ts';
import type {
  ACTIONS,
  Change as ChangeSchema,
  EventPage as EventPageSchema,
  StatsResponse,
  StoredEvent,
} from '../../../src/core/domain/schemas/event-schema.ts';

export type Action = (typeof ACTIONS)[number];
export type AuditEvent = Static<typeof StoredEvent>;
export type Actor = AuditEvent['actor'];
export type Change = Static<typeof ChangeSchema>;
export type EventPage = Static<typeof EventPageSchema>;
export type ActorSuggestion = Static<typeof ActorSuggestionSchema>;

export type AuthEventType = (typeof AUTH_TYPES)[number];
export type AuthEvent = Static<typeof StoredAuthEvent>;
export type AuthEventPage = Static<typeof AuthEventPageSchema>;
export type Session = Static<typeof SessionSchema>;
export type SessionPage = Static<typeof SessionPageSchema>;
/** GET /v1/sessions/{id}: the session and the administrative actions performed in it. */
export type SessionDetail = Static<typeof SessionDetailSchema>;
export type FailureGroup = Static<typeof FailureGroups>['groups'][number];
/** GET /v1/auth/failures with `bucket`: the window split into consecutive buckets. */
export type FailureBucket = NonNullable<Static<typeof FailureGroups>['buckets']>[number];
export type Alert = Static<typeof AlertSchema>;
export type AlertPage = Static<typeof AlertPageSchema>;
export type StatsGroup = Static<typeof StatsResponse>['groups'][number];

/** GET /v1/me: the calling token. */
export type TokenInfo = Static<typeof Me>;
/** GET /v1/catalog: the categories events may carry, with labels and the actions each tracks. */
export type CatalogCategory = Static<typeof CatalogCategorySchema>;
export type ApiErrorBody = Static<typeof ErrorBody>;

/** GET /v1/destinations: where the tenant's log is streamed, and how far behind each is. */
export type Destination = Static<typeof DestinationViewSchema>;
