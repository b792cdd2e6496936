import type { ProofFile } from '../integrity/verify-inclusion.ts';
import { apiFetch, apiJson, type Params, toQuery } from './client.ts';
import type {
  DestinationAndSecret,
  DestinationCreateBody,
  DestinationReplayBody,
  DestinationRotateBody,
  DestinationTest,
  DestinationUpdateBody,
} from './destination-types.ts';
import type {
  Erasure,
  Erasures,
  LegalHold,
  PurgeRecord,
  PurgeRun,
  RetentionPolicy,
} from './lifecycle-types.ts';
import type {
  ActorSuggestion,
  AlertPage,
  AuditEvent,
  AuthEventPage,
  CatalogCategory,
  Destination,
  EventPage,
  FailureBucket,
  FailureGroup,
  SessionDetail,
  SessionPage,
  StatsGroup,
  TokenInfo,
} from './types.ts';

type Signal = { signal?: AbortSignal };
const seg = encodeURIComponent;

/** Every endpoint the UI uses, one line each; the paths and parameters are those of API.md. */
export const api = {
  events: (token: string, params: Params, o: Signal = {}) =>
    apiJson<EventPage>(token, `/v1/events${toQuery(params)}`, o),
  event: (token: string, id: string, o: Signal = {}) =>
    apiJson<AuditEvent>(token, `/v1/events/${seg(id)}`, o),
  history: (token: string, type: string, id: string, params: Params, o: Signal = {}) =>
    apiJson<EventPage>(token, `/v1/entities/${seg(type)}/${seg(id)}/history${toQuery(params)}`, o),
  stats: (token: string, params: Params, o: Signal = {}) =>
    apiJson<{ groups: StatsGroup[] }>(token, `/v1/stats${toQuery(params)}`, o),
  actors: (token: string, prefix: string, o: Signal = {}) =>
    apiJson<{ actors: ActorSuggestion[] }>(token, `/v1/actors${toQuery({ prefix, limit: 10 })}`, o),
  merkleProof: (token: string, id: string, o: Signal = {}) =>
    apiJson<ProofFile>(token, `/v1/integrity/merkle/proofs/events/${seg(id)}`, o),
  merkleCheckpoint: (token: string, o: Signal = {}) =>
    apiJson<{ treeSize: number; verifierKey: string }>(token, '/v1/integrity/merkle/checkpoint', o),
  exportFile: (token: string, params: Params, o: Signal = {}) =>
    apiFetch(token, `/v1/export${toQuery(params)}`, { ...o, accept: '*/*' }),
  authEvents: (token: string, params: Params, o: Signal = {}) =>
    apiJson<AuthEventPage>(token, `/v1/auth-events${toQuery(params)}`, o),
  sessions: (token: string, params: Params, o: Signal = {}) =>
    apiJson<SessionPage>(token, `/v1/sessions${toQuery(params)}`, o),
  session: (token: string, id: string, o: Signal = {}) =>
    apiJson<SessionDetail>(token, `/v1/sessions/${seg(id)}`, o),
  failures: (token: string, params: Params, o: Signal = {}) =>
    apiJson<{ groups: FailureGroup[]; buckets?: FailureBucket[] }>(
      token,
      `/v1/auth/failures${toQuery(params)}`,
      o,
    ),
  alerts: (token: string, params: Params, o: Signal = {}) =>
    apiJson<AlertPage>(token, `/v1/alerts${toQuery(params)}`, o),
  me: (token: string, o: Signal = {}) => apiJson<TokenInfo>(token, '/v1/me', o),
  catalog: (token: string, o: Signal = {}) =>
    apiJson<{ categories: CatalogCategory[] }>(token, '/v1/catalog', o),
  destinations: (token: string, o: Signal = {}) =>
    apiJson<{ destinations: Destination[] }>(token, '/v1/destinations', o),
  createDestination: (token: string, body: DestinationCreateBody) =>
    apiJson<DestinationAndSecret>(token, '/v1/destinations', { method: 'POST', json: body }),
  updateDestination: (token: string, id: string, body: DestinationUpdateBody) =>
    apiJson<Destination>(token, `/v1/destinations/${seg(id)}`, { method: 'PATCH', json: body }),
  /** pause | resume | test | replay | rotate-secret: POST /v1/destinations/{id}/{verb}. */
  pauseDestination: (token: string, id: string) =>
    apiJson<Destination>(token, `/v1/destinations/${seg(id)}/pause`, { method: 'POST' }),
  resumeDestination: (token: string, id: string) =>
    apiJson<Destination>(token, `/v1/destinations/${seg(id)}/resume`, { method: 'POST' }),
  testDestination: (token: string, id: string) =>
    apiJson<DestinationTest>(token, `/v1/destinations/${seg(id)}/test`, { method: 'POST' }),
  replayDestination: (token: string, id: string, body: DestinationReplayBody) =>
    apiJson<Destination>(token, `/v1/destinations/${seg(id)}/replay`, { method: 'POST', json: body }),
  rotateDestinationSecret: (token: string, id: string, body: DestinationRotateBody) =>
    apiJson<DestinationAndSecret>(token, `/v1/destinations/${seg(id)}/rotate-secret`, {
      method: 'POST',
      json: body,
    }),
  deleteDestination: (token: string, id: string) =>
    apiFetch(token, `/v1/destinations/${seg(id)}`, { method: 'DELETE' }).then(() => undefined),
  policies: (token: string, o: Signal = {}) =>
    apiJson<{ policies: RetentionPolicy[] }>(token, '/v1/retention/policies', o),
  setPolicy: (token: string, body: { stream: string; category?: string; maxAgeDays: number }) =>
    apiJson<RetentionPolicy>(token, '/v1/retention/policies', { method: 'PUT', json: body }),
  holds: (token: string, o: Signal = {}) =>
    apiJson<{ holds: LegalHold[] }>(token, '/v1/legal-holds?all=true', o),
  createHold: (token: string, body: Record<string, string>) =>
    apiJson<LegalHold>(token, '/v1/legal-holds', { method: 'POST', json: body }),
  releaseHold: (token: string, id: string) =>
    apiJson<LegalHold>(token, `/v1/legal-holds/${seg(id)}/release`, { method: 'POST', json: {} }),
  purges: (token: string, o: Signal = {}) => apiJson<{ purges: PurgeRecord[] }>(token, '/v1/purges', o),
  purgeNow: (token: string) => apiJson<PurgeRun>(token, '/v1/purges', { method: 'POST', json: {} }),
  erasures: (token: string, o: Signal = {}) => apiJson<Erasures>(token, '/v1/erasures', o),
  erase: (token: string, actorId: string) =>
    apiJson<Erasure>(token, '/v1/erasures', { method: 'POST', json: { actorId } }),
  /** Checks a token: any answer but 401/403 on a one-row read means it can read the log. */
  probe: (token: string) => apiJson<EventPage>(token, '/v1/events?limit=1', { quiet401: true }),
};
