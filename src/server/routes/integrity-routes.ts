import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { ErrorBody } from '../../core/domain/schemas/common-schemas.js';
import type { AuditLog } from '../../core/services/audit-log.js';

const Checkpoint = Type.Object({
  tenant: Type.String(),
  seq: Type.Integer(),
  hash: Type.String(),
  signedAt: Type.String(),
  keyId: Type.String(),
  signature: Type.String({
    description: 'base64 Ed25519 over the RFC 8785 JSON of tenant, seq, hash, signedAt, keyId',
  }),
  publicKey: Type.String({ description: 'PEM (SPKI) of the signing key' }),
});
const errors = { 401: ErrorBody, 403: ErrorBody };

/** Tamper evidence: signed checkpoints of the tenant's hash chain and the keys that sign them. */
export async function integrityRoutes(app: FastifyInstance, { log }: { log: AuditLog }): Promise<void> {
  app.get(
    '/v1/integrity/checkpoints/latest',
    {
      config: { scope: 'read' },
      schema: {
        operationId: 'getLatestCheckpoint',
        summary:
          'A signed checkpoint covering the newest entry (signed now when entries arrived since the last)',
        tags: ['integrity'],
        response: { 200: Checkpoint, ...errors, 404: ErrorBody },
      },
    },
    async (request) => log.integrity.latestCheckpoint(request.principal.tenant),
  );

  app.get(
    '/v1/integrity/keys',
    {
      config: { scope: 'read' },
      schema: {
        operationId: 'listSigningKeys',
        summary: 'Every public key that has signed checkpoints (rotation keeps old keys)',
        tags: ['integrity'],
        response: {
          200: Type.Object({
            keys: Type.Array(
              Type.Object({
                keyId: Type.String(),
                publicKey: Type.String(),
                createdAt: Type.String(),
                current: Type.Boolean(),
              }),
            ),
          }),
          ...errors,
        },
      },
    },
    async () => log.integrity.keys(),
  );
}
