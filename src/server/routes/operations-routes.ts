import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import { Type } from 'typebox';

/** Liveness and Prometheus metrics; no tenant data, so no token. */
export async function operationsRoutes(
  app: FastifyInstance,
  { registry }: { registry: Registry },
): Promise<void> {
  app.get(
    '/healthz',
    {
      config: { scope: 'public' },
      schema: {
        summary: 'Liveness',
        tags: ['operations'],
        response: { 200: Type.Object({ status: Type.String() }) },
      },
    },
    async () => ({ status: 'ok' }),
  );
  app.get(
    '/metrics',
    { config: { scope: 'public' }, schema: { summary: 'Prometheus metrics', tags: ['operations'] } },
    async (_request, reply) => reply.type(registry.contentType).send(await registry.metrics()),
  );
}
