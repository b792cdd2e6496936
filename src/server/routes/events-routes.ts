import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { RawQuery } from '../../core/domain/event-query.js';
import { ActorList } from '../../core/domain/schemas/client-schemas.js';
import { AppendResponse, ErrorBody, QUERY } from '../../core/domain/schemas/common-schemas.js';
import {
  EventInput,
  EventListQuery,
  EventPage,
  HistoryQuery,
  StatsQuery,
  StatsResponse,
  StoredEvent,
} from '../../core/domain/schemas/event-schema.js';
import type { AuditLog } from '../../core/services/audit-log.js';
import { coreValidatedBatch } from '../plugins/request-validation.js';

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody };

/** Administrative events: ingest, list, one by id, entity history, stats. */
export async function eventsRoutes(app: FastifyInstance, { log }: { log: AuditLog }): Promise<void> {
  app.post(
    '/v1/events',
    {
      config: { scope: 'ingest' },
      schema: {
        operationId: 'recordEvents',
        summary: 'Record one event or a batch of up to 1000 (all or nothing)',
        tags: ['events'],
        body: coreValidatedBatch(EventInput),
        response: { 201: AppendResponse, ...errors, 409: ErrorBody, 413: ErrorBody },
      },
    },
    async (request, reply) => {
      const events = await log.appendEvents(request.principal.tenant, request.body);
      return reply.code(201).send({ events });
    },
  );

  app.get(
    '/v1/events',
    {
      config: { scope: 'read' },
      schema: {
        operationId: 'listEvents',
        summary: 'Query events: filters, keyword search, keyset pages',
        tags: ['events'],
        querystring: EventListQuery,
        response: { 200: EventPage, ...errors },
      },
    },
    async (request) => log.listEvents(request.principal.tenant, request.query as RawQuery),
  );

  app.get(
    '/v1/events/:id',
    {
      config: { scope: 'read' },
      schema: {
        operationId: 'getEvent',
        summary: 'One event',
        tags: ['events'],
        params: Type.Object({ id: Type.String() }),
        response: { 200: StoredEvent, ...errors, 404: ErrorBody },
      },
    },
    async (request) => log.getEvent(request.principal.tenant, (request.params as { id: string }).id),
  );

  app.get(
    '/v1/entities/:targetType/:targetId/history',
    {
      config: { scope: 'read' },
      schema: {
        operationId: 'getEntityHistory',
        summary: 'Every event of one entity, oldest first',
        tags: ['events'],
        params: Type.Object({ targetType: Type.String(), targetId: Type.String() }),
        querystring: HistoryQuery,
        response: { 200: EventPage, ...errors },
      },
    },
    async (request) => {
      const { targetType, targetId } = request.params as { targetType: string; targetId: string };
      return log.entityHistory(request.principal.tenant, targetType, targetId, request.query as RawQuery);
    },
  );

  app.get(
    '/v1/stats',
    {
      config: { scope: 'read' },
      schema: {
        operationId: 'getStats',
        summary: 'Counts of matching events grouped by action, category, user, eventType or day',
        tags: ['events'],
        querystring: StatsQuery,
        response: { 200: StatsResponse, ...errors },
      },
    },
    async (request) => log.stats(request.principal.tenant, request.query as RawQuery),
  );

  app.get(
    '/v1/actors',
    {
      config: { scope: 'read' },
      schema: {
        operationId: 'listActors',
        summary: 'Actors whose id, username or display name starts with a prefix (for suggestions)',
        tags: ['events'],
        querystring: Type.Object(
          {
            prefix: Type.Optional(Type.String({ maxLength: 256 })),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
          },
          QUERY,
        ),
        response: {
          200: ActorList,
          ...errors,
        },
      },
    },
    async (request) => {
      // Validated above: limit is an integer from 1 to 100 in text.
      const q = request.query as { prefix?: string; limit?: string };
      return { actors: await log.actors(request.principal.tenant, q.prefix ?? '', Number(q.limit ?? 20)) };
    },
  );
}
