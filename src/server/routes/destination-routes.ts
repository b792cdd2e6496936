import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { ErrorBody } from '../../core/domain/schemas/common-schemas.js';
import {
  DestinationCreate,
  DestinationReplay,
  DestinationRotate,
  DestinationTestResult,
  DestinationUpdate,
  DestinationView,
  DestinationWithSecret,
} from '../../core/domain/schemas/destination-schema.js';
import type { AuditLog } from '../../core/services/audit-log.js';

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 429: ErrorBody, 503: ErrorBody };
const withId = { ...errors, 404: ErrorBody };
const Params = Type.Object({ id: Type.String() }, { additionalProperties: false });
const NoQuery = Type.Object({}, { additionalProperties: false });

/**
 * Stream destinations of the caller's tenant (scope admin): the log sent to webhooks and syslog receivers,
 * at least once and in order. Every change is recorded as an `auditlog.destination_*` event.
 */
export async function destinationRoutes(app: FastifyInstance, { log }: { log: AuditLog }): Promise<void> {
  const d = log.destinations;
  const id = (request: { params: unknown }) => (request.params as { id: string }).id;

  app.post(
    '/v1/destinations',
    {
      config: { scope: 'admin' },
      schema: {
        operationId: 'createDestination',
        summary: "Create a destination; a webhook's signing secret is in this answer only",
        tags: ['destinations'],
        querystring: NoQuery,
        body: DestinationCreate,
        response: { 201: DestinationWithSecret, ...errors },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await d.create(request.principal.tenant, request.body, request.acting())),
  );

  app.get(
    '/v1/destinations',
    {
      config: { scope: 'admin' },
      schema: {
        operationId: 'listDestinations',
        summary: "List the tenant's destinations with their delivery status",
        tags: ['destinations'],
        querystring: NoQuery,
        response: { 200: Type.Object({ destinations: Type.Array(DestinationView) }), ...errors },
      },
    },
    async (request) => ({ destinations: await d.list(request.principal.tenant) }),
  );

  app.get(
    '/v1/destinations/:id',
    {
      config: { scope: 'admin' },
      schema: {
        operationId: 'getDestination',
        summary: 'One destination with its delivery status',
        tags: ['destinations'],
        params: Params,
        querystring: NoQuery,
        response: { 200: DestinationView, ...withId },
      },
    },
    async (request) => d.get(request.principal.tenant, id(request)),
  );

  app.patch(
    '/v1/destinations/:id',
    {
      config: { scope: 'admin' },
      schema: {
        operationId: 'updateDestination',
        summary: 'Change the settings or the filter of a destination',
        tags: ['destinations'],
        params: Params,
        querystring: NoQuery,
        body: DestinationUpdate,
        response: { 200: DestinationView, ...withId },
      },
    },
    async (request) => d.update(request.principal.tenant, id(request), request.body, request.acting()),
  );

  app.delete(
    '/v1/destinations/:id',
    {
      config: { scope: 'admin' },
      schema: {
        operationId: 'deleteDestination',
        summary: 'Delete a destination; delivery to it stops',
        tags: ['destinations'],
        params: Params,
        querystring: NoQuery,
        response: { 204: Type.Null(), ...withId },
      },
    },
    async (request, reply) => {
      await d.delete(request.principal.tenant, id(request), request.acting());
      return reply.code(204).send();
    },
  );

  for (const [verb, operationId, summary] of [
    ['pause', 'pauseDestination', 'Pause delivery; entries wait, none is skipped'],
    ['resume', 'resumeDestination', 'Resume delivery where it stopped, at once'],
  ] as const) {
    app.post(
      `/v1/destinations/:id/${verb}`,
      {
        config: { scope: 'admin' },
        schema: {
          operationId,
          summary,
          tags: ['destinations'],
          params: Params,
          querystring: NoQuery,
          response: { 200: DestinationView, ...withId },
        },
      },
      async (request) => d[verb](request.principal.tenant, id(request), request.acting()),
    );
  }

  app.post(
    '/v1/destinations/:id/replay',
    {
      config: { scope: 'admin' },
      schema: {
        operationId: 'replayDestination',
        summary: 'Deliver again from a seq or from a time (receivers dedupe on the entry ids)',
        tags: ['destinations'],
        params: Params,
        querystring: NoQuery,
        body: DestinationReplay,
        response: { 200: DestinationView, ...withId },
      },
    },
    async (request) => d.replay(request.principal.tenant, id(request), request.body, request.acting()),
  );

  app.post(
    '/v1/destinations/:id/test',
    {
      config: { scope: 'admin' },
      schema: {
        operationId: 'testDestination',
        summary: 'Send one test entry now and tell whether the receiver took it',
        tags: ['destinations'],
        params: Params,
        querystring: NoQuery,
        response: { 200: DestinationTestResult, ...withId },
      },
    },
    async (request) => d.testSend(request.principal.tenant, id(request)),
  );

  app.post(
    '/v1/destinations/:id/rotate-secret',
    {
      config: { scope: 'admin' },
      schema: {
        operationId: 'rotateDestinationSecret',
        summary:
          'New signing keys for a webhook; the new secret is in this answer only, the old keys sign too during the overlap',
        tags: ['destinations'],
        params: Params,
        querystring: NoQuery,
        body: DestinationRotate,
        response: { 200: DestinationWithSecret, ...withId },
      },
    },
    async (request) => d.rotateSecret(request.principal.tenant, id(request), request.body, request.acting()),
  );
}
