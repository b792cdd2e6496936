import { type TSchema, type TUnsafe, Type } from 'typebox';

/**
 * The message a failed `pattern` gives instead of Ajv's regex dump. An `x-` extension, because OpenAPI allows
 * no other keyword a generator does not know (Redocly refused the former `patternMessage`).
 */
export const PATTERN_MESSAGE = 'x-pattern-message';

/** Printable text: no control characters, so ids and names render and log safely. */
export const Text = (maxLength: number, extra: Record<string, unknown> = {}) =>
  Type.String({
    minLength: 1,
    maxLength,
    pattern: '^[^\\u0000-\\u001f\\u007f]*$',
    [PATTERN_MESSAGE]: 'must not contain control characters',
    ...extra,
  });

/** A name people read (a destination's): printable text that is not only white space. */
export const Name = (maxLength: number) =>
  Text(maxLength, {
    pattern: '^[^\\u0000-\\u001f\\u007f]*[^\\s\\u0000-\\u001f\\u007f][^\\u0000-\\u001f\\u007f]*$',
    [PATTERN_MESSAGE]: 'must not be blank or contain control characters',
  });

/** Free text (reasons, user agents): any characters but NUL. */
export const FreeText = (maxLength: number) =>
  Type.String({ maxLength, pattern: '^[^\\u0000]*$', [PATTERN_MESSAGE]: 'must not contain NUL characters' });

/** A string with one of a fixed set of values, as a JSON Schema `enum` (clearer errors than a union). */
export const StringEnum = <const T extends readonly string[]>(
  values: T,
  options: Record<string, unknown> = {},
) => Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...options }) as TUnsafe<T[number]>;

/**
 * Any JSON object. Not `Type.Record(Type.String(), …)`: its `patternProperties: { "^.*$" }` does not match a
 * key holding a line break, and the response serialiser silently drops properties no schema names — a
 * metadata key "a\nb" was stored and never shown.
 */
export const JsonObject = Type.Unsafe<Record<string, unknown>>({
  type: 'object',
  additionalProperties: true,
  description: 'any JSON object',
});

export const Rfc3339 = Type.String({
  format: 'date-time',
  description: 'RFC 3339 timestamp, e.g. 2026-11-26T09:30:00Z',
  maxLength: 40,
});

export const IpAddress = Type.String({ description: 'IPv4 or IPv6 address', maxLength: 64 });

export const ErrorBody = Type.Object(
  {
    error: Type.Object({
      code: Type.String(),
      message: Type.String(),
      details: Type.Array(Type.Object({ path: Type.String(), message: Type.String() })),
    }),
  },
  { $id: 'ErrorBody', description: 'Every 4xx/5xx answer' },
);

export const AppendResultItem = Type.Object({
  id: Type.String(),
  seq: Type.Integer(),
  receivedAt: Type.String(),
  duplicate: Type.Boolean(),
});

export const AppendResponse = Type.Object({ events: Type.Array(AppendResultItem) });

export const PageParams = {
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
  cursor: Type.Optional(Type.String({ maxLength: 512 })),
  order: Type.Optional(StringEnum(['desc', 'asc'])),
};

/**
 * A query parameter that may be given more than once (`?user=a&user=b`): an array in the document (form,
 * exploded); the HTTP layer reads a single value as an array of one.
 */
export const Repeatable = <T extends TSchema>(item: T) => Type.Array(item, { maxItems: 50 });

/** A duration such as 15m, 1h or 7d, as `window` and `bucket` take it. */
export const Duration = (description: string) =>
  Type.String({
    pattern: '^[0-9]{1,6}(ms|s|m|h|d)$',
    [PATTERN_MESSAGE]: 'must be a duration such as 15m, 1h or 7d (at most 30d)',
    description,
  });

/** The options of a query-string object: every parameter is named, an unknown one is a 400. */
export const QUERY = { additionalProperties: false } as const;
