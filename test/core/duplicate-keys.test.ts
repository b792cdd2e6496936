// The duplicate-name detector of JSON bodies (core/domain/duplicate-keys.ts): the cheap count comparison must be
// exact (no body with a repeated name passes, none without is sent to the full scan), and the full scan must
// name the pointer of the repeated name.
import { describe, expect, it } from 'vitest';
import {
  countKeys,
  countMembers,
  duplicateKeyIn,
  findDuplicateKey,
} from '../../src/core/domain/duplicate-keys.js';

/** What the server's parser reports for this text. */
const check = (text: string) => duplicateKeyIn(Buffer.from(text), JSON.parse(text));

describe('a repeated member name', () => {
  it.each([
    ['{"a":1,"a":2}', '/a'],
    ['{"actor":{"id":"a","id":"b"}}', '/actor/id'],
    ['{"events":[{},{},{},{"actor":{"id":"a","id":"b"}}]}', '/events/3/actor/id'],
    ['[[1,2],[3,{"x":[{"k":1,"k":1}]}]]', '/1/1/x/0/k'],
    ['{"a":{"b":1},"a":{"b":1}}', '/a'],
    ['{"a/b":{"m~n":{"":1,"":2}}}', '/a~1b/m~0n/'],
  ])('%s → %s', (text, pointer) => {
    expect(check(text)).toBe(pointer);
  });

  it('is the same name whatever its escapes', () => {
    expect(check('{"a":1,"\\u0061":2}')).toBe('/a');
    expect(check('{"\\"":1,"\\u0022":2}')).toBe('/"');
    expect(check('{"é":1,"\\u00e9":2}')).toBe('/é');
    expect(check('{"😀":1,"\\ud83d\\ude00":2}')).toBe('/😀');
  });

  it('is found among values that hold quotes, colons, brackets and backslashes', () => {
    const text = '{"a":"x\\":{\\"a\\":1}","b":"\\\\","c":"[:,]{","d":{"q":"\\\\\\"a\\":"},"b":0}';
    expect(check(text)).toBe('/b');
    expect(check(text.replace(',"b":0', ''))).toBeUndefined();
  });

  it('is found across white space and in a name that needs the pointer escaped', () => {
    expect(check('{ "x" : { "a~/" :\n1 ,\r\n\t"a~/"  : 2 } }')).toBe('/x/a~0~1');
  });

  it('is the first in the text when there are several', () => {
    expect(check('{"z":{"q":1,"q":2},"y":1,"y":2}')).toBe('/z/q');
  });

  it('counts __proto__ and constructor as names like any other', () => {
    expect(check('{"__proto__":{},"__proto__":{}}')).toBe('/__proto__');
    expect(check('{"__proto__":{"a":1},"constructor":1}')).toBeUndefined();
  });
});

describe('a body without one', () => {
  it.each([
    '{}',
    '[]',
    '"a:b"',
    '1',
    'null',
    '{"a":{"a":{"a":1}}}',
    '[{"a":1},{"a":1}]',
    '{"a":"a","b":"\\u0061"}',
    '{"t":"2026-01-01T10:00:00Z","ip":"::1","u":"https://x:y@h/"}',
  ])('%s passes', (text) => {
    expect(check(text)).toBeUndefined();
    expect(findDuplicateKey(text)).toBeUndefined();
  });

  it('has as many members in its text as keys in its value', () => {
    const text = '{"a":[{"b":"c:d","e":{}}, "f\\":", {"g":[{"h":null}]}],"i":{"j":"\\\\"}}';
    expect(countMembers(Buffer.from(text))).toBe(7);
    expect(countKeys(JSON.parse(text))).toBe(7);
  });
});

describe('huge bodies', () => {
  it('a 5 MB batch: the duplicate in its last event, and none when it is gone', () => {
    const events = Array.from({ length: 5000 }, (_, i) => ({
      actor: { id: `u${i}`, note: 'x":{"id":1}'.repeat(50) },
      values: Array.from({ length: 20 }, (_, k) => ({ k, v: `${k}:${i}` })),
    }));
    const clean = JSON.stringify({ events });
    expect(clean.length).toBeGreaterThan(5_000_000);
    expect(check(clean)).toBeUndefined();
    const dup = `${clean.slice(0, -3)},"u4999":1,"u4999":2}]}`;
    expect(check(dup)).toBe('/events/4999/u4999');
  });

  it('nesting 100,000 deep does not overflow the stack', () => {
    const deep = `${'{"a":['.repeat(100_000)}{"k":1,"k":2}${']}'.repeat(100_000)}`;
    expect(check(deep)).toBe(`${'/a/0'.repeat(100_000)}/k`);
    const clean = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    expect(check(clean)).toBeUndefined();
  });
});

describe('a polluted Object.prototype', () => {
  it('does not hide a duplicate from the count', () => {
    const proto = Object.prototype as Record<string, unknown>;
    Object.defineProperty(proto, 'polluted', {
      value: 1,
      enumerable: true,
      configurable: true,
      writable: true,
    });
    try {
      // One key too many from the prototype, one too few from the repeat: the counts would be equal.
      expect(check('{"a":1,"a":2}')).toBe('/a');
    } finally {
      delete proto.polluted;
    }
  });
});
