import canonicalizeModule from 'canonicalize';

// The package is CommonJS with an ES-style declaration; under NodeNext the callable is either the module
// itself (runtime) or its `default` (types). Resolve it once here.
const serialize = ((canonicalizeModule as unknown as { default?: unknown }).default ??
  canonicalizeModule) as (input: unknown) => string | undefined;

/** RFC 8785 (JCS) canonical JSON: sorted keys, ES number formatting, no whitespace. */
export function canonicalJson(value: unknown): string {
  return serialize(value) ?? 'null';
}
