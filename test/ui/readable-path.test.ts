import { describe, expect, it } from 'vitest';
import { readablePath } from '../../web/src/format/format-value.js';

describe('a change path as the UI writes it', () => {
  it('reads as dotted names and indexes, and no two pointers read alike', () => {
    const cases: [string, string][] = [
      ['/pacing/ratio', 'pacing.ratio'],
      ['/codecs/2', 'codecs[2]'],
      ['/a/b', 'a.b'],
      ['/a.b', '["a.b"]'],
      ['/arr/0', 'arr[0]'],
      ['/arr[0]', '["arr[0]"]'],
      ['/', '[""]'],
      ['/permissions.admin', '["permissions.admin"]'],
      ['/permissions/admin', 'permissions.admin'],
      ['/a b/c', '["a b"].c'],
      ['/x~1y', 'x/y'],
      ['/permissions\u2024admin', '["permissions\u2024admin"]'],
      ['/permissions\uFF0Eadmin', '["permissions\uFF0Eadmin"]'],
      ['', '(value)'],
    ];
    for (const [pointer, shown] of cases) expect(readablePath(pointer), pointer).toBe(shown);
    expect(new Set(cases.map(([p]) => readablePath(p))).size).toBe(cases.length);
  });
});
