// canonicalJson writes what the `canonicalize` package (the RFC 8785 reference it replaced on the hot path)
// writes, for every value, byte for byte: the hash chain of every stored entry depends on it.
import canonicalizeModule from 'canonicalize';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../src/core/domain/canonical-json.js';

const reference = ((canonicalizeModule as unknown as { default?: unknown }).default ??
  canonicalizeModule) as (input: unknown) => string | undefined;

/** The reference's text, or its error message; `canonicalJson` writes `null` where it writes nothing. */
function outcome(write: (v: unknown) => string | undefined, value: unknown): string {
  try {
    return write(value) ?? 'null';
  } catch (error) {
    return `throws ${(error as Error).message}`;
  }
}

const keys = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 6 }),
  fc.constantFrom(
    '__proto__',
    'constructor',
    '0',
    '1',
    '2',
    '10',
    '01',
    '-1',
    '1.5',
    '4294967295',
    'a',
    'B',
    'é',
    '\ud800',
    '😀',
  ),
  fc.nat({ max: 40 }).map(String),
);
const scalars = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 8 }),
  fc.double(),
  fc.integer(),
  fc.constantFrom(0, -0, 1e21, 1e-7, 5e-324, Number.MAX_VALUE, Number.NaN, Number.POSITIVE_INFINITY),
  fc.boolean(),
  fc.constant(null),
);
class Point {
  constructor(
    readonly y = 1,
    readonly x = 2,
  ) {}
}
/** What JSON.stringify would write otherwise than JCS: the fast path hands these to the reference. */
const oddities = fc.oneof(
  fc.sparseArray(fc.integer(), { maxLength: 4 }),
  fc.date({ noInvalidDate: true }),
  fc.bigInt(),
  fc.constantFrom(
    () => 1,
    Symbol('s'),
    new Point(),
    Object.assign([1], { toJSON: () => ({ b: 1, a: 2 }) }),
    Object.setPrototypeOf({ b: 1, a: 2 }, null),
    Buffer.from('ab'),
    new Map([['b', 1]]),
    new String('ab'),
    new Number(5),
    Object.setPrototypeOf([2, 1], null),
  ),
);
/** Objects built by JSON.parse (any key order, `__proto__` an own key) and by code (undefined members). */
const values = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, scalars, tie('array'), tie('object'), tie('parsed'), oddities),
  array: fc.array(fc.oneof(tie('value'), fc.constant(undefined)), { maxLength: 5 }),
  object: fc
    .array(fc.tuple(keys, fc.oneof(tie('value'), fc.constant(undefined))), { maxLength: 6 })
    .map((entries) => {
      const o: Record<string, unknown> = {};
      for (const [k, v] of entries)
        Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
      return o;
    }),
  parsed: fc
    .array(fc.tuple(keys, fc.oneof(fc.string({ maxLength: 4 }), fc.integer())), { maxLength: 6 })
    .map((entries) =>
      JSON.parse(`{${entries.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(',')}}`),
    ),
})).value;

describe('canonicalJson', () => {
  it('writes exactly what the reference RFC 8785 serializer writes, or throws what it throws', () => {
    fc.assert(
      fc.property(values, (value) => {
        expect(outcome(canonicalJson, value)).toBe(outcome(reference, value));
      }),
      { numRuns: 3000 },
    );
  });

  it('sorts keys by UTF-16 code units (a surrogate pair before U+E000), array-index keys included', () => {
    const parsed = JSON.parse(
      '{"b":1,"10":2,"a":{"z":null,"2":[3,{"y":1,"x":2}]},"__proto__":"p","\ud83d\ude00":0,"\ue000":0}',
    );
    expect(canonicalJson(parsed)).toBe(
      '{"10":2,"__proto__":"p","a":{"2":[3,{"x":2,"y":1}],"z":null},"b":1,"😀":0,"\ue000":0}',
    );
    expect(canonicalJson(parsed)).toBe(reference(parsed));
    expect(Object.keys(parsed)).toContain('__proto__');
  });

  it('leaves the value it is given unchanged', () => {
    const value = { b: [{ d: 1, c: 2 }], a: 'x' };
    const before = JSON.stringify(value);
    canonicalJson(value);
    expect(JSON.stringify(value)).toBe(before);
  });

  it('refuses what JSON cannot carry, like the reference', () => {
    expect(() => canonicalJson({ a: Number.NaN })).toThrow('NaN is not allowed');
    expect(() => canonicalJson([Number.NEGATIVE_INFINITY])).toThrow('Infinity is not allowed');
    expect(canonicalJson(undefined)).toBe('null');
    expect(canonicalJson({ a: undefined, b: [undefined] })).toBe('{"b":[null]}');
  });
});
