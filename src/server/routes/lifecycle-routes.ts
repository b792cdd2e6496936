import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { LegalHold, RetentionPolicy } from '../../core/domain/retention.js';
import { ErrorBody } from '../../core/domain/schemas/common-schemas.js';
import {
  HoldView,
  Nullable,
  PolicyView,
  PurgeRunView,
  PurgeView,
  Stream,
} from '../../core/domain/schemas/lifecycle-schema.js';
import { formatTimestamp } from '../../core/domain/time.js';
import type { AuditLog } from '../../core/services/audit-log.js';

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 503: ErrorBody };
const closed = { additionalProperties: false } as const;

/**
 * Data lifecycle of the token's tenant (scope admin): retention policies, legal holds, purges and their
 * signed records (docs/lifecycle.md). Every change is an audit event, written by the core.
 */
export async function lifecycleRoutes(app: FastifyInstance, { log }: { log: AuditLog }): Promise<void> {
  app.get(
    '/v1/retention/policies',
    {
      config: { scope: 'admin' },
      schema: {
        operationId: 'listRetentionPolicies',
        summary: "The tenant's retention policies",
        tags: ['lifecycle'],
        response: { 200: Type.Object({ policies: Type.Array(PolicyView) }), ...errors },
      },
    },
    async (request) => ({
      policies: (await log.lifecycle.policies(request.principal.tenant)).map(policyView),
    }),
  );

  app.put(
    '/v1/retention/policies',
    {
      config: { scope: 'admin' },
      schema: {
        operationId: 'setRetentionPolicy',
        summary: 'Create or replace the policy of a stream (and category)',
        tags: ['lifecycle'],
        body: Type.Object(
          {
            stream: Type.Optional(Stream),
            category: Type.Optional(Nullable(Type.String())),
            maxAgeDays: Type.Integer({ minimum: 1, maximum: 36_500 }),
          },
          closed,
        ),
        response: { 200: PolicyView, ...errors },
      },
    },
    async (request) =>
      policyView(await log.lifecycle.setPolicy(request.principal.tenant, request.body, request.acting())),
  );

  app.delete(
    '/v1/retention/policies',
    {
      config: { scope: 'admin' },
      schema: {
        operationId: 'deleteRetentionPolicy',
        summary: 'Delete the policy of a stream (and category)',
        tags: ['lifecycle'],
        querystring: Type.Object(
          { stream: Type.Optional(Stream), category: Type.Optional(Type.String()) },
          closed,
        ),
        response: { 204: Type.Null(), ...errors, 404: ErrorBody },
      },
    },
    async (request, reply) => {
      const q = request.query as { stream?: string; category?: string };
      await log.lifecycle.deletePolicy(
        request.principal.tenant,
        q.stream ?? 'event',
        q.category ?? null,
        request.acting(),
      );
      return reply.code(204).send();
    },
  );

  app.get(
    '/v1/legal-holds',
    {
      config: { scope: 'admin' },
      schema: {
        operationId: 'listLegalHolds',
        summary: "The tenant's active legal holds (all=true: released ones too), newest first",
        tags: ['lifecycle'],
        querystring: Type.Object(
          { all: Type.Optional(Type.Union([Type.Literal('true'), Type.Literal('false')])) },
          closed,
        ),
        response: { 200: Type.Object({ holds: Type.Array(HoldView) }), ...errors },
      },
    },
    async (request) => {
      const all = (request.query as { all?: string }).all === 'true';
      return { holds: (await log.lifecycle.holds(request.principal.tenant, all)).map(holdView) };
    },
  );

  app.post(
    '/v1/legal-holds',
    {
      config: { scope: 'admin' },
      schema: {
        operationId: 'createLegalHold',
        summary: 'Hold every entry matching all the criteria given through every purge, until released',
        tags: ['lifecycle'],
        body: Type.Object(
          {
            reason: Type.String({ minLength: 1, maxLength: 500 }),
            actorId: Type.Optional(Type.String()),
            targetType: Type.Optional(Type.String()),
            targetId: Type.Optional(Type.String()),
            category: Type.Optional(Type.String()),
            from: Type.Optional(Type.String({ format: 'date-time' })),
            to: Type.Optional(Type.String({ format: 'date-time' })),
          },
          closed,
        ),
        response: { 201: HoldView, ...errors },
      },
    },
    async (request, reply) => {
      const hold = await log.lifecycle.createHold(request.principal.tenant, request.body, request.acting());
      return reply.code(201).send(holdView(hold));
    },
  );

  app.post(
    '/v1/legal-holds/:id/release',
    {
      config: { scope: 'admin' },
      schema: {
        operationId: 'releaseLegalHold',
        summary: 'Release a hold: the next purge may remove what it kept',
        tags: ['lifecycle'],
        params: Type.Object({ id: Type.String() }, closed),
        response: { 200: HoldView, ...errors, 404: ErrorBody },
      },
    },
    async (request) =>
      holdView(
        await log.lifecycle.releaseHold(
          request.principal.tenant,
          (request.params as { id: string }).id,
          request.acting(),
        ),
      ),
  );

  app.get(
    '/v1/purges',
    {
      config: { scope: 'admin' },
      schema: {
        operationId: 'listPurges',
        summary: "The tenant's signed purge records, oldest first",
        tags: ['lifecycle'],
        response: { 200: Type.Object({ purges: Type.Array(PurgeView) }), ...errors },
      },
    },
    async (request) => ({ purges: await log.lifecycle.purgeHistory(request.principal.tenant) }),
  );

  app.post(
    '/v1/purges',
    {
      config: { scope: 'admin' },
      schema: {
        operationId: 'runPurge',
        summary: "Purge the tenant's expired, unheld entries now (a server also purges on a schedule)",
        tags: ['lifecycle'],
        response: { 200: PurgeRunView, ...errors },
      },
    },
    async (request) => {
      const report = await log.lifecycle.purge({ tenant: request.principal.tenant, by: request.acting() });
      const t = report.tenants[0];
      return {
        purged: report.purged,
        held: report.held,
        anchor: t?.anchor ?? null,
        steps: t?.purges.length ?? 0,
      };
    },
  );
}

function policyView(p: RetentionPolicy) {
  return {
    stream: p.stream,
    category: p.category,
    maxAgeDays: p.maxAgeDays,
    updatedAt: formatTimestamp(p.updatedMs),
  };
}

function holdView(h: LegalHold) {
  const time = (ms: number | null) => (ms === null ? null : formatTimestamp(ms));
  return {
    id: h.id,
    reason: h.reason,
    actorId: h.actorId,
    targetType: h.targetType,
    targetId: h.targetId,
    category: h.category,
    from: time(h.fromMs),
    to: time(h.toMs),
    createdAt: formatTimestamp(h.createdMs),
    createdBy: h.createdBy,
    releasedAt: time(h.releasedMs),
    releasedBy: h.releasedBy,
  };
}
