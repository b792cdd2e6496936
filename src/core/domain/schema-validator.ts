import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import type { ErrorDetail } from './errors.js';
import { pointerToken } from './inspect-json.js';
import { PATTERN_MESSAGE } from './schemas/common-schemas.js';
import { parseRfc3339 } from './time.js';

/**
 * Compiles the TypeBox schemas (plain JSON Schema) with Ajv and turns its errors into `{ path, message }`
 * details whose paths are JSON Pointers into the request, e.g. `/events/7/actor/id`.
 */
let ajv: Ajv | undefined; // made on first use: its meta-schemas cost every command that validates nothing

/**
 * The formats and the `x-pattern-message` extension every Ajv over these schemas needs (the core's, and the
 * HTTP layer's for query strings and bodies), so `date-time` means RFC 3339 as the core parses it.
 */
export function addAuditKeywords(instance: Ajv): Ajv {
  instance.addFormat('date-time', { type: 'string', validate: (s: string) => parseRfc3339(s) !== null });
  instance.addKeyword({ keyword: PATTERN_MESSAGE, schemaType: 'string' });
  return instance;
}

const compiled = new WeakMap<object, ValidateFunction>();

export function compileSchema(schema: object): ValidateFunction {
  let fn = compiled.get(schema);
  if (!fn) {
    ajv ??= addAuditKeywords(new Ajv({ allErrors: true, strict: false, verbose: true, coerceTypes: false }));
    fn = ajv.compile(schema);
    compiled.set(schema, fn);
  }
  return fn;
}

const MAX_DETAILS = 50;

export function schemaErrors(validate: ValidateFunction, value: unknown, basePath = ''): ErrorDetail[] {
  if (validate(value)) return [];
  return errorDetails(validate.errors ?? [], basePath);
}

/** Ajv's errors as `{ path, message }` details, without repeats, at most 50. */
export function errorDetails(errors: readonly ErrorObject[], basePath = ''): ErrorDetail[] {
  const details: ErrorDetail[] = [];
  const seen = new Set<string>();
  const unions = constantUnions(errors, basePath);
  for (const e of errors) {
    // A union of constants (TypeBox Union of Literals) names the values it takes, once: Ajv says `must be
    // equal to constant` per branch, then `must match a schema in anyOf`.
    if (e.keyword === 'const' && unions.has(basePath + e.instancePath)) continue;
    const d = toDetail(e, basePath);
    const key = `${d.path}\u0000${d.message}`;
    if (!seen.has(key)) {
      seen.add(key);
      details.push(d);
    }
    if (details.length >= MAX_DETAILS) break;
  }
  return details;
}

/** Where an `anyOf` whose every branch is a constant failed. */
function constantUnions(errors: readonly ErrorObject[], basePath: string): Set<string> {
  const paths = new Set<string>();
  for (const e of errors) if (constants(e)) paths.add(basePath + e.instancePath);
  return paths;
}

/** The values of an `anyOf` error's branches when each is a constant (Ajv's `verbose` gives the schema). */
function constants(e: ErrorObject): unknown[] | undefined {
  const branches = e.keyword === 'anyOf' ? (e.schema as unknown) : undefined;
  if (!Array.isArray(branches) || !branches.every((b) => b !== null && typeof b === 'object' && 'const' in b))
    return undefined;
  return branches.map((b: { const: unknown }) => b.const);
}

const shown = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));

function toDetail(e: ErrorObject, basePath: string): ErrorDetail {
  const at = basePath + e.instancePath;
  switch (e.keyword) {
    case 'required':
      return { path: `${at}/${pointerToken(String(e.params.missingProperty))}`, message: 'is required' };
    case 'additionalProperties':
      return {
        path: `${at}/${pointerToken(String(e.params.additionalProperty))}`,
        message: 'is not an allowed field',
      };
    case 'const':
      return { path: at, message: `must be ${shown(e.params.allowedValue)}` };
    case 'anyOf': {
      const values = constants(e);
      if (values) return { path: at, message: `must be one of: ${values.map(shown).join(', ')}` };
      break;
    }
    case 'enum':
      return { path: at, message: `must be one of: ${(e.params.allowedValues as unknown[]).join(', ')}` };
    case 'pattern': {
      const custom = (e.parentSchema as Record<string, string> | undefined)?.[PATTERN_MESSAGE];
      return { path: at, message: custom ?? 'has characters that are not allowed' };
    }
    case 'format':
      return {
        path: at,
        message:
          e.params.format === 'date-time' ? 'must be an RFC 3339 date-time' : `must be ${e.params.format}`,
      };
  }
  return { path: at, message: (e.message ?? 'is not valid').replace(/^must NOT/, 'must not') };
}
