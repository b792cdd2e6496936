import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../src/core/domain/canonical-json.js';
import { diffValues } from '../../src/core/domain/diff.js';
import { inspectJson } from '../../src/core/domain/inspect-json.js';
import { jsonValue, propertyOptions } from '../property/arbitraries.js';

const LIMITS = { maxDepth: 64, maxBytes: 1 << 30 };

describe('inspectJson', () => {
  it('measures exactly the UTF-8 bytes of JSON.stringify and finds nothing wrong in a valid value', () => {
    fc.assert(
      fc.property(jsonValue, (v) => {
        const walk = inspectJson(v, '', LIMITS);
        expect(walk.bytes).toBe(Buffer.byteLength(JSON.stringify(v)));
        expect(walk.problems).toEqual([]);
        expect(walk.tooDeep || walk.tooLarge).toBe(false);
      }),
      propertyOptions(2000),
    );
  });

  it('stops at maxBytes, so a huge value costs no more than the limit', () => {
    const huge = Array.from({ length: 1_000_000 }, () => ({ k: 'v' }));
    const walk = inspectJson(huge, '/newValue', { maxDepth: 64, maxBytes: 64 * 1024 });
    expect(walk.tooLarge).toBe(true);
    expect(walk.bytes).toBeLessThan(64 * 1024 + 100);
  });

  it('stops at maxDepth without recursing further', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(inspectJson(deep, '', LIMITS).tooDeep).toBe(true);
    expect(inspectJson([[[1]]], '', { maxDepth: 3, maxBytes: 100 }).tooDeep).toBe(false);
    expect(inspectJson([[[[1]]]], '', { maxDepth: 3, maxBytes: 100 }).tooDeep).toBe(true);
  });

  it('names every value a reader would not get back as sent', () => {
    const value = JSON.parse(
      '{"a":"x\\u0000","b":"\\ud800","c\\udc00":1,"d":[1e999,9007199254740993,9007199254740991,-0]}',
    );
    expect(inspectJson(value, '/v', LIMITS).problems).toEqual([
      { path: '/v/a', message: 'must not contain NUL characters (U+0000)' },
      { path: '/v/b', message: 'must be well-formed Unicode: it holds a lone UTF-16 surrogate' },
      { path: '/v', message: 'has a key that is not well-formed Unicode (a lone UTF-16 surrogate)' },
      { path: '/v/d/0', message: 'must be a finite number' },
      {
        path: '/v/d/1',
        message:
          'is an integer beyond ±9007199254740991 (2^53 − 1), which JSON readers cannot keep exactly; send it as a string',
      },
    ]);
  });

  it('calls what JSON cannot carry not JSON (library callers)', () => {
    const problems = inspectJson({ f: () => 1, d: new Date(0), b: 1n, u: [undefined] }, '', LIMITS).problems;
    expect(problems.map((p) => p.path)).toEqual(['/f', '/d', '/b', '/u/0']);
  });
});

describe('diffValues on hostile keys', () => {
  it('lists only JSON: its changes survive canonical JSON; a value against itself has none', () => {
    fc.assert(
      fc.property(jsonValue, jsonValue, (a, b) => {
        const changes = diffValues(a, b);
        expect(JSON.parse(canonicalJson(changes))).toEqual(JSON.parse(JSON.stringify(changes)));
        expect(canonicalJson(diffValues(a, a))).toBe('[]');
      }),
      propertyOptions(1000),
    );
  });
});
