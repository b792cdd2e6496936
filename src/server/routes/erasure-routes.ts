import type { FastifyInstance } from 'fastify';
import { ErrorBody } from '../../core/domain/schemas/common-schemas.js';
import { ErasureList, ErasureRequest, ErasureView } from '../../core/domain/schemas/erasure-schema.js';
import type { AuditLog } from '../../core/services/audit-log.js';

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 503: ErrorBody };

/**
 * Erasure of a data subject of the token's tenant (scope admin) by crypto-shredding (docs/lifecycle.md):
 * the core destroys the key and writes the `auditlog.subject_erased` event.
 */
export async function erasureRoutes(app: FastifyInstance, { log }: { log: AuditLog }): Promise<void> {
  app.post(
    '/v1/erasures',
    {
      config: { scope: 'admin' },
      schema: {
        operationId: 'eraseSubject',
        summary: 'Erase a data subject: destroy its key, so its personal fields read as erased',
        tags: ['lifecycle'],
        body: ErasureRequest,
        response: { 201: ErasureView, ...errors, 404: ErrorBody },
      },
    },
    async (request, reply) => {
      const { actorId } = request.body as { actorId: string };
      const result = await log.erasure.erase(request.principal.tenant, actorId, request.acting());
      return reply.code(201).send(result);
    },
  );

  app.get(
    '/v1/erasures',
    {
      config: { scope: 'admin' },
      schema: {
        operationId: 'listErasures',
        summary: "The tenant's erasures, newest first",
        tags: ['lifecycle'],
        response: { 200: ErasureList, ...errors },
      },
    },
    async (request) => ({
      enabled: log.erasure.enabled,
      erasures: await log.erasure.list(request.principal.tenant),
    }),
  );
}
