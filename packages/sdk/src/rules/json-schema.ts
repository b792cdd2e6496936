import type { ErrorDetail } from '../../../../src/core/domain/errors.js';
import { pointerToken } from '../../../../src/core/domain/inspect-json.js';
import { parseRfc3339 } from '../../../../src/core/domain/time.js';
import type { JsonSchema } from './schemas.js';

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
 * Paths are built only for a problem: every record() runs this, and most events have none.
 */
export function schemaProblems(schema: JsonSchema, value: unknown, path = ''): ErrorDetail[] {
  const out: ErrorDetail[] = [];
  check(schema, value, path, [], out);
  return out;
}

function check(schema: JsonSchema, value: unknown, base: string, keys: string[], out: ErrorDetail[]): void {
  known(schema);
  // Paths are built only for a problem: most events have none.
  const problem = (message: string, key?: string) => report(out, base, keys, message, key);
  if (schema.type === 'object') {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      problem('must be object');
      return;
    }
    const record = value as Record<string, unknown>;
    // A member whose value is undefined is absent, as in Ajv's code and in JSON.
    for (const field of schema.required ?? []) if (record[field] === undefined) problem('is required', field);
    for (const field in record) {
      if (!Object.hasOwn(record, field)) continue;
      const v = record[field];
      if (v === undefined) continue;
      // Own properties only: `constructor` or `__proto__` in an event is an unknown field, not Object's.
      const sub =
        schema.properties && Object.hasOwn(schema.properties, field) ? schema.properties[field] : undefined;
      if (sub) {
        keys.push(field);
        check(sub, v, base, keys, out);
        keys.pop();
      } else if (schema.additionalProperties === false) problem('is not an allowed field', field);
    }
    return;
  }
  if (schema.type === 'string') {
    if (typeof value !== 'string') {
      problem('must be string');
      return;
    }
    // Code points, counted only when the UTF-16 length leaves the answer open (it is between one and two
    // units each).
    const { minLength: min, maxLength: max } = schema;
    if (min !== undefined && value.length < 2 * min && codePoints(value) < min)
      problem(`must not have fewer than ${min} characters`);
    if (max !== undefined && value.length > max && codePoints(value) > max)
      problem(`must not have more than ${max} characters`);
    if (schema.pattern !== undefined && !regex(schema.pattern).test(value))
      problem(schema['x-pattern-message'] ?? 'has characters that are not allowed');
    if (schema.format === 'date-time' && parseRfc3339(value) === null)
      problem('must be an RFC 3339 date-time');
  }
  if (schema.enum && !schema.enum.includes(value as string))
    problem(`must be one of: ${schema.enum.join(', ')}`);
}

function report(out: ErrorDetail[], base: string, keys: string[], message: string, key?: string): void {
  let path = base;
  for (const k of keys) path += `/${pointerToken(k)}`;
  out.push({ path: key === undefined ? path : `${path}/${pointerToken(key)}`, message });
}

const checked = new WeakSet<JsonSchema>();

/** A schema with a keyword this check does not know is refused, once per schema object. */
function known(schema: JsonSchema): void {
  if (checked.has(schema)) return;
  for (const key of Object.keys(schema))
    if (!KNOWN.has(key)) throw new Error(`the SDK's schema check does not know the keyword ${key}`);
  checked.add(schema);
}

function codePoints(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    // A high surrogate followed by a low one is one code point; a lone surrogate counts as one.
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    n++;
  }
  return n;
}

function regex(pattern: string): RegExp {
  let re = patterns.get(pattern);
  if (!re) {
    re = new RegExp(pattern, 'u');
    patterns.set(pattern, re);
  }
  return re;
}
