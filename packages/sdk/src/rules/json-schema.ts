import type { ErrorDetail } from './errors.js';
import { pointerToken } from './inspect-json.js';
import type { JsonSchema } from './schemas.js';
import { parseRfc3339 } from './time.js';

/** The keywords the server's event schemas use; a schema with another one is refused, not half-checked. */
const KNOWN = new Set([
  'type',
  'required',
  'properties',
  'additionalProperties',
  'minLength',
  'maxLength',
  'pattern',
  'x-pattern-message',
  'format',
  'enum',
  'description',
  '$id',
]);

const patterns = new Map<string, RegExp>();

/**
 * The subset of JSON Schema the event schemas are written in, checked as the server's Ajv checks it (lengths
 * in code points, patterns in unicode mode, `date-time` as RFC 3339), so the SDK needs no schema library.
 */
export function schemaProblems(schema: JsonSchema, value: unknown, path = ''): ErrorDetail[] {
  for (const key of Object.keys(schema))
    if (!KNOWN.has(key)) throw new Error(`the SDK's schema check does not know the keyword ${key}`);
  const out: ErrorDetail[] = [];
  if (schema.type === 'object') {
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      return [{ path, message: 'must be object' }];
    const record = value as Record<string, unknown>;
    // A member whose value is undefined is absent, as in Ajv's code and in JSON.
    for (const field of schema.required ?? [])
      if (record[field] === undefined)
        out.push({ path: `${path}/${pointerToken(field)}`, message: 'is required' });
    for (const [field, v] of Object.entries(record)) {
      if (v === undefined) continue;
      const sub = schema.properties?.[field];
      const at = `${path}/${pointerToken(field)}`;
      if (sub) out.push(...schemaProblems(sub, v, at));
      else if (schema.additionalProperties === false)
        out.push({ path: at, message: 'is not an allowed field' });
    }
    return out;
  }
  if (schema.type === 'string') {
    if (typeof value !== 'string') return [{ path, message: 'must be string' }];
    const length = [...value].length;
    if (schema.minLength !== undefined && length < schema.minLength)
      out.push({ path, message: `must not have fewer than ${schema.minLength} characters` });
    if (schema.maxLength !== undefined && length > schema.maxLength)
      out.push({ path, message: `must not have more than ${schema.maxLength} characters` });
    if (schema.pattern !== undefined && !regex(schema.pattern).test(value))
      out.push({ path, message: schema['x-pattern-message'] ?? 'has characters that are not allowed' });
    if (schema.format === 'date-time' && parseRfc3339(value) === null)
      out.push({ path, message: 'must be an RFC 3339 date-time' });
  }
  if (schema.enum && !schema.enum.includes(value as string))
    out.push({ path, message: `must be one of: ${schema.enum.join(', ')}` });
  return out;
}

function regex(pattern: string): RegExp {
  let re = patterns.get(pattern);
  if (!re) {
    re = new RegExp(pattern, 'u');
    patterns.set(pattern, re);
  }
  return re;
}
