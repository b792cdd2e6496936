import { describe, expect, it } from 'vitest';
import { alignValues } from '../src/format/aligned-diff.ts';
import { changeSummary, readablePath } from '../src/format/format-value.ts';

const secret = (fingerprint: string) => ({ redacted: true, fingerprint });

describe('side-by-side alignment', () => {
  it('lines up keys of both sides, marks changed paths and the containers above them', () => {
    const rows = alignValues(
      { pacing: { ratio: 2.5, max: 5 }, codecs: ['a', 'b'], password: secret('1') },
      { pacing: { ratio: 3, max: 5 }, codecs: ['a'], password: secret('2'), added: true },
      ['/added', '/codecs/1', '/pacing/ratio', '/password'],
    );
    const byPath = Object.fromEntries(rows.filter((r) => r.kind !== 'close').map((r) => [r.pointer, r]));
    expect(byPath['/pacing']?.mark).toBe('inside');
    expect(byPath['/pacing/ratio']).toMatchObject({
      mark: 'changed',
      old: { text: '2.5' },
      new: { text: '3' },
    });
    expect(byPath['/pacing/max']?.mark).toBeNull();
    expect(byPath['/codecs/1']).toMatchObject({ mark: 'changed', old: { text: '"b"' }, new: null });
    expect(byPath['/added']).toMatchObject({ mark: 'changed', old: null, new: { text: 'true' } });
    expect(byPath['/password']).toMatchObject({ old: { redacted: '1' }, new: { redacted: '2' } });
    expect(JSON.stringify(rows)).not.toContain('fingerprint');
  });

  it('shows a created value on the right only and escapes pointer segments', () => {
    const rows = alignValues(null, { 'a/b': { '~c': 1 } }, ['/a~1b/~0c']);
    expect(rows.map((r) => [r.pointer, r.kind, r.old, r.new?.text])).toEqual([
      ['', 'open', null, '{'],
      ['/a~1b', 'open', null, '{'],
      ['/a~1b/~0c', 'leaf', null, '1'],
      ['/a~1b', 'close', null, '}'],
      ['', 'close', null, '}'],
    ]);
  });
});

describe('change summary', () => {
  const base = { action: 'update', oldValue: { a: 1 }, newValue: { a: 2 } } as never;
  it('says what changed in one line, secrets as changed (redacted)', () => {
    const e = {
      ...(base as object),
      changes: [
        { path: '/a', old: 1, new: 2 },
        { path: '/password', old: secret('1'), new: secret('2') },
        { path: '/x/0', old: 'p', new: null },
      ],
    };
    expect(changeSummary(e as never)).toBe('a: 1 → 2; password: changed (redacted); +1 more');
    expect(readablePath('/pacing/ratio')).toBe('pacing.ratio');
    expect(readablePath('/codecs/2')).toBe('codecs[2]');
  });
});
