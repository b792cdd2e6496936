import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import { Type } from 'typebox';
import type { Store } from '../../core/ports/store.js';
import { RETRY_AFTER_SECONDS } from '../plugins/error-handler.js';

/**
 * Health and Prometheus metrics; no tenant data, so no token. `/healthz` is readiness: 503 with the reason
 * while the store cannot serve (the database is away, the disk is full), 200 again once it has recovered by
 * itself. `/livez` only says the process answers: a liveness probe on /healthz would have an orchestrator
 * restart every node at once during a database restart, which recovery needs no restart for.
 */
export async function operationsRoutes(
  app: FastifyInstance,
  { registry, store }: { registry: Registry; store: Store },
): Promise<void> {
  app.get(
    '/healthz',
    {
      config: { scope: 'public' },
      schema: {
        operationId: 'getReadiness',
        summary: 'Readiness: whether the store can serve now',
        tags: ['operations'],
        response: {
          200: Type.Object({ status: Type.Literal('ok') }),
          503: Type.Object({ status: Type.Literal('unavailable'), reason: Type.String() }),
        },
      },
    },
    async (_request, reply) => {
      const health = await store.health();
      if (health.ready) return { status: 'ok' as const };
      return reply
        .code(503)
        .header('retry-after', String(RETRY_AFTER_SECONDS))
        .send({ status: 'unavailable' as const, reason: health.reason });
    },
  );
  app.get(
    '/livez',
    {
      config: { scope: 'public' },
      schema: {
        operationId: 'getLiveness',
        summary: 'Liveness: the process answers',
        tags: ['operations'],
        response: { 200: Type.Object({ status: Type.Literal('ok') }) },
      },
    },
    async () => ({ status: 'ok' as const }),
  );
  app.get(
    '/metrics',
    {
      config: { scope: 'public' },
      schema: {
        operationId: 'getMetrics',
        summary: 'Prometheus metrics',
        tags: ['operations'],
        response: {
          200: {
            description: 'Prometheus text exposition format',
            content: { 'text/plain': { schema: Type.String() } },
          },
        },
      },
    },
    async (_request, reply) => reply.type(registry.contentType).send(await registry.metrics()),
  );
}
