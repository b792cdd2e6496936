import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { RawQuery } from '../../core/domain/event-query.js';
import { AppendResponse, ErrorBody } from '../../core/domain/schemas/common-schemas.js';
import {
  EventInput,
  EventListQuery,
  EventPage,
  StatsQuery,
  StatsResponse,
  StoredEvent,
} from '../../core/domain/schemas/event-schema.js';
import type { AuditLog } from '../../core/services/audit-log.js';

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody };

/** Administrative events: ingest, list, one by id, entity history, stats. */
export async function eventsRoutes(app: FastifyInstance, { log }: { log: AuditLog }): Promise<void> {
  app.post(
    '/v1/events',
    {
      config: { scope: 'ingest' },
      schema: {
        summary: 'Record one event or a batch of up to 1000 (all or nothing)',
        tags: ['events'],
        body: Type.Union([
          EventInput,
          Type.Object({ events: Type.Array(EventInput, { minItems: 1, maxItems: 1000 }) }),
        ]),
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
        summary: 'Every event of one entity, oldest first',
        tags: ['events'],
        params: Type.Object({ targetType: Type.String(), targetId: Type.String() }),
        querystring: EventListQuery,
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
        summary: 'Actors whose id, username or display name starts with a prefix (for suggestions)',
        tags: ['events'],
        querystring: Type.Object({
          prefix: Type.Optional(Type.String()),
          limit: Type.Optional(Type.Integer()),
        }),
        response: {
          200: Type.Object({
            actors: Type.Array(
              Type.Object({
                id: Type.String(),
                username: Type.Union([Type.String(), Type.Null()]),
                displayName: Type.Union([Type.String(), Type.Null()]),
              }),
            ),
          }),
          ...errors,
        },
      },
    },
    async (request) => {
      const q = request.query as { prefix?: string; limit?: string };
      const limit = Number(q.limit ?? 20);
      return {
        actors: await log.actors(
          request.principal.tenant,
          q.prefix ?? '',
          Number.isFinite(limit) ? limit : 20,
        ),
      };
    },
  );
}
