/**
 * Entries stored before the diff read own keys only can hold a bare `undefined` in their body: where a key
 * such as `constructor` met the other value's inherited property, the diff reported Object's constructor,
 * which the canonical serialiser wrote as `undefined`. Those bytes are sealed in the chain (and `verify` of
 * the store still passes); readers see `null` there, so one such entry never blinds a page or an export.
 */
const STRING_OR_UNDEFINED = /"(?:[^"\\]|\\.)*"|undefined/g;

/** The stored body as JSON text: itself, unless it is such a legacy body. */
export function storedBodyText(body: string): string {
  if (!body.includes('undefined')) return body;
  return body.replace(STRING_OR_UNDEFINED, (token) => (token === 'undefined' ? 'null' : token));
}
