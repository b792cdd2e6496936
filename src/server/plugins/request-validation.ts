import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import type { FastifyInstance } from 'fastify';
import { type TSchema, Type } from 'typebox';
import { AuditError, type ErrorDetail } from '../../core/domain/errors.js';
import { addAuditKeywords, errorDetails } from '../../core/domain/schema-validator.js';
import { LIMITS } from '../../core/domain/schemas/event-schema.js';

/**
 * Marks a body schema the core validates itself (events and authentication events): Fastify documents it but
 * lets the body through untouched. The core's validator MUST stay for those bodies: it is the one every client
 * goes through (HTTP, `auditlog import`, the library), and it does what a schema cannot — one bounded walk over
 * hostile values (size, depth, lone surrogates, NUL, inexact numbers), reserved types, the category catalog,
 * the future-skew rule — naming each problem by its JSON Pointer into the batch (`/events/7/actor/id`).
 */
export const CORE_VALIDATED = 'x-validated-by-core';

/** The body of an ingest route: one item or `{ events: [1–1000 items] }`, checked by the core. */
export const coreValidatedBatch = (item: TSchema) =>
  Type.Union(
    [
      item,
      Type.Object(
        { events: Type.Array(item, { minItems: 1, maxItems: LIMITS.eventsPerBatch }) },
        { additionalProperties: false },
      ),
    ],
    { [CORE_VALIDATED]: true },
  );

/**
 * Fastify's request validation, from the routes' TypeBox schemas: query strings and path parameters (coerced
 * as text, so `limit=1.5` or `limit=AAA` is a 400 `invalid_query` naming `/limit`, and a parameter the
 * schema does not name is refused) and the bodies the core does not validate itself (a 400
 * `invalid_request`). Validation only gates: the handler receives the request as it came, and the core
 * parses the text (the CLI hands it the same strings).
 */
export function installRequestValidation(app: FastifyInstance): void {
  const options = {
    allErrors: true,
    strict: false,
    verbose: true,
    useDefaults: false,
    removeAdditional: false,
  };
  const textAjv = addAuditKeywords(new Ajv({ ...options, coerceTypes: 'array' }));
  const bodyAjv = addAuditKeywords(new Ajv({ ...options, coerceTypes: false }));
  // Fastify hands a request without a body to validation as null, like a JSON `null`. A body always comes
  // with its Content-Type, so one without is absent: an empty object to the schema (which names the fields
  // it needs); event bodies are left as they are, for the core to refuse.
  app.addHook('preValidation', async (request) => {
    const schema = request.routeOptions.schema?.body as Record<string, unknown> | undefined;
    const absent = request.body == null && request.headers['content-type'] === undefined;
    if (absent && schema && !schema[CORE_VALIDATED]) request.body = {};
  });
  app.setValidatorCompiler(({ schema, httpPart }) => {
    const isBody = httpPart === 'body';
    if (isBody && (schema as Record<string, unknown>)[CORE_VALIDATED]) return (value) => ({ value });
    // Compiled on a route's first request, not at start: compiling every route's schemas took most of a
    // server's start (the CLI and the tests start many). The OpenAPI tests send every route a request.
    let validate: ValidateFunction | undefined;
    return (value: unknown) => {
      validate ??= (isBody ? bodyAjv : textAjv).compile(schema);
      // Coercion writes into what it checks: a shallow copy keeps the request's own values as sent.
      const checked = isBody || value === null || typeof value !== 'object' ? value : { ...value };
      if (validate(checked)) return { value };
      const errors = validate.errors ?? [];
      return { error: isBody ? bodyError(errors) : parameterError(errors, httpPart === 'params') };
    };
  });
}

function bodyError(errors: ErrorObject[]): AuditError {
  return new AuditError('invalid_request', 'The request body is not valid', errorDetails(errors));
}

/** Query and path parameters are flat: a detail names the parameter (`/user`, not `/user/3`). */
function parameterError(errors: ErrorObject[], inPath: boolean): AuditError {
  const details: ErrorDetail[] = [];
  for (const d of errorDetails(errors)) {
    const name = d.path.split('/')[1] ?? '';
    const message = d.message === 'is not an allowed field' ? 'is not a known parameter' : d.message;
    if (!details.some((x) => x.path === `/${name}`)) details.push({ path: `/${name}`, message });
  }
  const first = details[0] ?? { path: '/', message: 'is not valid' };
  const what = inPath ? 'Path parameter' : 'Query parameter';
  return new AuditError('invalid_query', `${what} ${first.path.slice(1)}: ${first.message}`, details);
}
