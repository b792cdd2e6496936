import type { FastifyInstance } from 'fastify';
import { CatalogResponse, Me } from '../../core/domain/schemas/client-schemas.js';
import { ErrorBody } from '../../core/domain/schemas/common-schemas.js';
import { SCOPES } from '../../core/domain/tokens.js';
import type { AuditLog } from '../../core/services/audit-log.js';

const errors = { 401: ErrorBody, 403: ErrorBody };

/** What a client (the UI) needs to know about itself and the deployment: its token, the category catalog. */
export async function sessionInfoRoutes(app: FastifyInstance, { log }: { log: AuditLog }): Promise<void> {
  app.get(
    '/v1/me',
    {
      // Any valid token may ask what it is.
      config: { scope: [...SCOPES] },
      schema: {
        operationId: 'getMe',
        summary: 'The calling token: tenant, scopes, kind and expiry',
        tags: ['tokens'],
        response: { 200: Me, ...errors },
      },
    },
    async (request) => {
      const p = request.principal;
      return {
        tokenId: p.tokenId,
        tenant: p.tenant,
        name: p.name,
        scopes: [...p.scopes],
        kind: p.kind,
        expiresAt: p.expiresMs === null ? null : new Date(p.expiresMs).toISOString(),
      };
    },
  );

  app.get(
    '/v1/catalog',
    {
      config: { scope: [...SCOPES] },
      schema: {
        operationId: 'getCatalog',
        summary: 'The categories events may carry, with labels and the actions each tracks',
        tags: ['events'],
        response: { 200: CatalogResponse, ...errors },
      },
    },
    async () => ({ categories: log.catalog }),
  );
}
