import type { FastifySchema, RouteOptions } from 'fastify';
import { type Catalog, categoryKeys } from '../core/domain/catalog.js';
import { ErrorBody } from '../core/domain/schemas/common-schemas.js';

/** Why each shared error status happens, as the document's response description. */
const SHARED_ERRORS = {
  400: 'A parameter or the body is not valid (`invalid_query`, `invalid_request`, `invalid_event`)',
  401: 'No token, or an unknown, revoked or expired one (`unauthorized`)',
  403: 'The token lacks the scope, or a viewer token tries to write (`forbidden`)',
  404: 'Not found (`not_found`)',
  409: 'An id was sent again with other content (`idempotency_conflict`)',
  413: 'The body, an event or a value is too large (`payload_too_large`)',
  415: 'The body is not JSON (`unsupported_media_type`)',
  429: 'Too many wrong secrets from this address; retry after `Retry-After` seconds (`rate_limited`)',
  500: 'A broken chain (`chain_broken`) or a bug (`internal`)',
  503: 'The store cannot serve (`store_unavailable`) or the server is stopping (`shutting_down`); retry after `Retry-After`',
} as const;

type Status = keyof typeof SHARED_ERRORS;

const errorResponse = (status: Status) => ({
  ...ErrorBody,
  $id: undefined,
  description: SHARED_ERRORS[status],
});

/**
 * `@fastify/swagger`'s per-route transform: what every route shares is added to the document here, so that a
 * route declares only what its handler answers. 400 everywhere (every route checks its parameters' text); 401,
 * 403 and 429 where it needs a token (public routes carry `security: []`); 413 and 415 with a body; 500 and
 * 503 everywhere (the shutdown gate and a store that is away answer any route). A 405 belongs to no operation: it
 * answers a method the path does not have (docs/api.md).
 */
export function documentRoute({
  schema,
  url,
  route,
}: {
  schema: FastifySchema;
  url: string;
  route: RouteOptions;
}): { schema: FastifySchema; url: string } {
  const isPublic = route.config?.scope === 'public';
  const response: Record<string, unknown> = {};
  const declared = (schema.response ?? {}) as Record<string, unknown>;
  for (const [status, s] of Object.entries(declared)) {
    const shared = SHARED_ERRORS[Number(status) as Status];
    response[status] = s === ErrorBody && shared ? errorResponse(Number(status) as Status) : s;
  }
  const add = (status: Status) => {
    response[status] ??= errorResponse(status);
  };
  // Any route: a query parameter or path segment with NUL or ill-formed Unicode (plugins/url-text.ts).
  add(400);
  if (!isPublic) for (const status of [401, 403, 429] as const) add(status);
  if (schema.body) for (const status of [413, 415] as const) add(status);
  add(500);
  add(503);
  return { schema: { ...schema, response, ...(isPublic ? { security: [] } : {}) }, url };
}

interface OpenApiObject {
  components?: { schemas?: Record<string, { properties?: Record<string, Record<string, unknown>> }> };
  paths?: Record<string, Record<string, OperationObject>>;
}
interface OperationObject {
  parameters?: { name: string; schema?: Record<string, unknown> }[];
  requestBody?: { required?: boolean; content?: Record<string, { schema?: Record<string, unknown> }> };
}

/** Shared schemas keep their `$id` as their name in the document (`EventInput`, not `def-0`). */
export const namedComponents = {
  buildLocalReference: (json: { $id?: unknown }, _base: unknown, _fragment: unknown, i: number) =>
    typeof json.$id === 'string' ? json.$id : `def-${i}`,
};

/**
 * The whole document's finishing touches: the deployment's category catalog as the `category` enum (of
 * events sent and of the filter), which the core checks against the same catalog; `ip` of events sent as
 * an IPv4 or IPv6 address, the rule the core's ip.ts applies (there, not in the schema, so that its error names
 * the field once); a body with no required field is optional (a viewer session without one).
 */
export function documentDeployment(catalog: Catalog): (document: object) => object {
  const keys = categoryKeys(catalog);
  return (document) => {
    const doc = (document as { openapiObject: OpenApiObject }).openapiObject;
    for (const schema of Object.values(doc.components?.schemas ?? {})) {
      const { category, ip } = schema.properties ?? {};
      if (category?.type === 'string') category.enum = keys;
      if (ip?.type === 'string') ip.anyOf = [{ format: 'ipv4' }, { format: 'ipv6' }];
    }
    for (const path of Object.values(doc.paths ?? {})) {
      for (const operation of Object.values(path)) {
        for (const p of operation.parameters ?? []) {
          const items = p.schema?.items as Record<string, unknown> | undefined;
          if (p.name === 'category' && items?.type === 'string') items.enum = keys;
        }
        const body = operation.requestBody;
        const schema = body?.content?.['application/json']?.schema;
        if (body && schema?.type === 'object' && !schema.required) body.required = false;
      }
    }
    return doc;
  };
}
