import { describe, expect, it } from 'vitest';
import { diffValues } from '../../src/core/domain/diff.js';

describe('diffValues', () => {
  it('lists changed leaves as JSON Pointers', () => {
    expect(
      diffValues(
        { pacing: { ratio: 2.5, mode: 'predictive' } },
        { pacing: { ratio: 3, mode: 'predictive' } },
      ),
    ).toEqual([{ path: '/pacing/ratio', old: 2.5, new: 3 }]);
  });

  it('compares arrays by index', () => {
    const old = {
      options: [
        { digit: '1', action: 'queue:sales' },
        { digit: '2', action: 'queue:support' },
        { digit: '3', action: 'x' },
      ],
    };
    const next = structuredClone(old);
    next.options[2]!.action = 'voicemail';
    expect(diffValues(old, next)).toEqual([{ path: '/options/2/action', old: 'x', new: 'voicemail' }]);
  });

  it('lists every leaf of the other side when one side is null', () => {
    expect(diffValues(null, { a: 1, b: { c: [true, 'x'] } })).toEqual([
      { path: '/a', old: null, new: 1 },
      { path: '/b/c/0', old: null, new: true },
      { path: '/b/c/1', old: null, new: 'x' },
    ]);
    expect(diffValues({ a: 1 }, undefined)).toEqual([{ path: '/a', old: 1, new: null }]);
  });

  it('reports an object replaced by a scalar at its own path', () => {
    expect(diffValues({ a: { b: 1 } }, { a: 5 })).toEqual([{ path: '/a', old: { b: 1 }, new: 5 }]);
  });

  it('escapes ~ and / in keys (RFC 6901)', () => {
    expect(diffValues({ 'a/b': 1, 'c~d': 1 }, { 'a/b': 2, 'c~d': 2 })).toEqual([
      { path: '/a~1b', old: 1, new: 2 },
      { path: '/c~0d', old: 1, new: 2 },
    ]);
  });

  it('treats a redacted secret as one leaf', () => {
    const a = { apiKey: { redacted: true, fingerprint: 'aaaaaaaaaaaaaaaa' } };
    const b = { apiKey: { redacted: true, fingerprint: 'bbbbbbbbbbbbbbbb' } };
    expect(diffValues(a, b)).toEqual([{ path: '/apiKey', old: a.apiKey, new: b.apiKey }]);
    expect(diffValues(a, structuredClone(a))).toEqual([]);
  });

  it('does not depend on key order', () => {
    expect(diffValues({ b: 1, a: 1 }, { a: 2, b: 2 })).toEqual(diffValues({ a: 1, b: 1 }, { b: 2, a: 2 }));
  });

  it('handles scalars at the root and unchanged values', () => {
    expect(diffValues('x', 'y')).toEqual([{ path: '', old: 'x', new: 'y' }]);
    expect(diffValues({ a: [1, 2] }, { a: [1, 2] })).toEqual([]);
    expect(diffValues({ a: [1, 2, 3] }, { a: [1] })).toEqual([
      { path: '/a/1', old: 2, new: null },
      { path: '/a/2', old: 3, new: null },
    ]);
  });
});
