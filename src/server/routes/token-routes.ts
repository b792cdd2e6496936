import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { ErrorBody, PATTERN_MESSAGE, QUERY, StringEnum } from '../../core/domain/schemas/common-schemas.js';
import { SCOPES, TENANT_PATTERN, TENANT_RULE } from '../../core/domain/tokens.js';
import { VIEWER_TTL } from '../../core/services/access-control.js';
import type { AuditLog } from '../../core/services/audit-log.js';

const TokenView = Type.Object({
  id: Type.String(),
  tenant: Type.String(),
  name: Type.Union([Type.String(), Type.Null()]),
  scopes: Type.Array(Type.String()),
  kind: Type.String(),
  createdAt: Type.String(),
  revokedAt: Type.Union([Type.String(), Type.Null()]),
  expiresAt: Type.Union([Type.String(), Type.Null()]),
  /** The token that minted this one (viewer tokens), else null. */
  parentId: Type.Union([Type.String(), Type.Null()]),
});
const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody };

/** A tenant name as tokens have them: anything else is a 400 naming `/tenant` (an empty one was a 403). */
const TenantName = (description: string) =>
  Type.String({ pattern: TENANT_PATTERN.source, description, [PATTERN_MESSAGE]: TENANT_RULE });

/**
 * API tokens (scope admin: of its own tenant, or any tenant's from the operator's, access-control.ts) and short-lived viewer tokens, which the auth
 * plugin keeps to GET routes: a viewer token mints nothing.
 */
export async function tokenRoutes(app: FastifyInstance, { log }: { log: AuditLog }): Promise<void> {
  app.post(
    '/v1/tokens',
    {
      config: { scope: 'admin' },
      schema: {
        operationId: 'createToken',
        summary: 'Create a token; the secret is in this answer only',
        tags: ['tokens'],
        body: Type.Object(
          {
            tenant: Type.Optional(TenantName("default: the calling token's tenant")),
            scopes: Type.Array(StringEnum(SCOPES), { minItems: 1 }),
            name: Type.Optional(Type.Union([Type.String({ maxLength: 128 }), Type.Null()])),
          },
          { additionalProperties: false },
        ),
        response: { 201: Type.Object({ id: Type.String(), token: Type.String() }), ...errors },
      },
    },
    async (request, reply) => {
      const body = (request.body ?? {}) as { tenant?: unknown; scopes?: unknown; name?: unknown };
      const issued = await log.access.createToken(
        { tenant: body.tenant ?? request.principal.tenant, scopes: body.scopes, name: body.name },
        request.acting(),
        request.principal,
      );
      return reply.code(201).send({ id: issued.record.id, token: issued.token });
    },
  );

  app.get(
    '/v1/tokens',
    {
      config: { scope: 'admin' },
      schema: {
        operationId: 'listTokens',
        summary: 'List tokens (never their secrets), with the viewer tokens that still work',
        tags: ['tokens'],
        querystring: Type.Object({ tenant: Type.Optional(TenantName('only this tenant')) }, QUERY),
        response: { 200: Type.Object({ tokens: Type.Array(TokenView) }), ...errors },
      },
    },
    async (request) => ({
      tokens: await log.access.listTokens((request.query as { tenant?: string }).tenant, request.principal),
    }),
  );

  app.delete(
    '/v1/tokens/:id',
    {
      config: { scope: 'admin' },
      schema: {
        operationId: 'revokeToken',
        summary: 'Revoke a token and the viewer tokens it minted; they stop working at once',
        tags: ['tokens'],
        params: Type.Object({ id: Type.String() }),
        response: { 204: Type.Null(), ...errors, 404: ErrorBody },
      },
    },
    async (request, reply) => {
      await log.access.revokeToken(
        (request.params as { id: string }).id,
        request.acting(),
        request.principal,
      );
      return reply.code(204).send();
    },
  );

  app.post(
    '/v1/viewer-sessions',
    {
      config: { scope: ['read', 'admin'] },
      schema: {
        operationId: 'createViewerSession',
        summary: 'Mint a short-lived read-only token of this tenant for the embedded UI',
        tags: ['tokens'],
        body: Type.Object(
          {
            ttlSeconds: Type.Optional(
              Type.Integer({
                minimum: VIEWER_TTL.minSeconds,
                maximum: VIEWER_TTL.maxSeconds,
                default: VIEWER_TTL.defaultSeconds,
              }),
            ),
          },
          {
            additionalProperties: false,
            description: 'optional: no body mints a token of the default lifetime',
          },
        ),
        response: { 201: Type.Object({ token: Type.String(), expiresAt: Type.String() }), ...errors },
      },
    },
    async (request, reply) => {
      const body = (request.body ?? {}) as { ttlSeconds?: unknown };
      return reply
        .code(201)
        .send(await log.access.createViewerToken(request.principal, body.ttlSeconds, request.acting()));
    },
  );
}
