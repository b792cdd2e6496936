import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { RawQuery } from '../../core/domain/event-query.js';
import {
  AlertPage,
  AuthEventInput,
  AuthEventListQuery,
  AuthEventPage,
  FailureGroups,
  SessionDetail,
  SessionListQuery,
  SessionPage,
} from '../../core/domain/schemas/auth-event-schema.js';
import {
  AppendResponse,
  Duration,
  ErrorBody,
  PageParams,
  QUERY,
  Rfc3339,
  StringEnum,
} from '../../core/domain/schemas/common-schemas.js';
import type { AuditLog } from '../../core/services/audit-log.js';
import { coreValidatedBatch } from '../plugins/request-validation.js';

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody };

/** The authentication log: sign-ins and sign-outs, sessions, failed attempts and attack alerts. */
export async function authEventsRoutes(app: FastifyInstance, { log }: { log: AuditLog }): Promise<void> {
  app.post(
    '/v1/auth-events',
    {
      config: { scope: 'ingest' },
      schema: {
        operationId: 'recordAuthEvents',
        summary: 'Record one authentication event or a batch of up to 1000 (all or nothing)',
        tags: ['authentication'],
        body: coreValidatedBatch(AuthEventInput),
        response: { 201: AppendResponse, ...errors, 409: ErrorBody, 413: ErrorBody },
      },
    },
    async (request, reply) =>
      reply.code(201).send({ events: await log.auth.append(request.principal.tenant, request.body) }),
  );

  app.get(
    '/v1/auth-events',
    {
      config: { scope: 'read' },
      schema: {
        operationId: 'listAuthEvents',
        summary: 'Query authentication events',
        tags: ['authentication'],
        querystring: AuthEventListQuery,
        response: { 200: AuthEventPage, ...errors },
      },
    },
    async (request) => log.auth.list(request.principal.tenant, request.query as RawQuery),
  );

  app.get(
    '/v1/sessions',
    {
      config: { scope: 'read' },
      schema: {
        operationId: 'listSessions',
        summary: 'Login sessions with duration and end reason',
        tags: ['authentication'],
        querystring: SessionListQuery,
        response: { 200: SessionPage, ...errors },
      },
    },
    async (request) => log.auth.sessions(request.principal.tenant, request.query as RawQuery),
  );

  app.get(
    '/v1/sessions/:sessionId',
    {
      config: { scope: 'read' },
      schema: {
        operationId: 'getSession',
        summary: 'One session and the administrative actions performed in it',
        tags: ['authentication'],
        params: Type.Object({ sessionId: Type.String() }),
        response: {
          200: SessionDetail,
          ...errors,
          404: ErrorBody,
        },
      },
    },
    async (request) =>
      log.auth.session(request.principal.tenant, (request.params as { sessionId: string }).sessionId),
  );

  app.get(
    '/v1/auth/failures',
    {
      config: { scope: 'read' },
      schema: {
        operationId: 'getAuthFailures',
        summary: 'Failed logins in a window, grouped by username or IP',
        tags: ['authentication'],
        querystring: Type.Object(
          {
            window: Type.Optional(Duration('the window ending at `to`, e.g. 15m, 1h, 7d (at most 30d)')),
            groupBy: Type.Optional(StringEnum(['user', 'ip'])),
            to: Type.Optional(Rfc3339),
            bucket: Type.Optional(Duration('e.g. 1h: also split the window into at most 1000 buckets')),
          },
          QUERY,
        ),
        response: { 200: FailureGroups, ...errors },
      },
    },
    async (request) => log.auth.failures(request.principal.tenant, request.query as RawQuery),
  );

  app.get(
    '/v1/alerts',
    {
      config: { scope: 'read' },
      schema: {
        operationId: 'listAlerts',
        summary: 'Brute-force and password-spraying alerts (default: the last 24 hours), a page at a time',
        tags: ['authentication'],
        querystring: Type.Object(
          {
            from: Type.Optional(Rfc3339),
            to: Type.Optional(Rfc3339),
            limit: PageParams.limit,
            cursor: PageParams.cursor,
          },
          QUERY,
        ),
        response: { 200: AlertPage, ...errors },
      },
    },
    async (request) => log.auth.alerts(request.principal.tenant, request.query as RawQuery),
  );
}
