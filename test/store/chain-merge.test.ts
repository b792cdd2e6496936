import { describe, expect, it } from 'vitest';
import { mergeChainRows, type RawChainRow } from '../../src/store/sql/chain-merge.js';

const row = (seq: number, tag = ''): RawChainRow => [seq, 0, `body${seq}${tag}`, 'p', 'h', `id${seq}${tag}`];

describe('mergeChainRows', () => {
  it('merges both streams of a seq range in seq order, with each row’s stream and id', () => {
    const page = mergeChainRows([row(1), row(2), row(6)], [row(3), row(4), row(5)]);
    expect(page.map((r) => [r.seq, r.stream, r.id])).toEqual([
      [1, 'event', 'id1'],
      [2, 'event', 'id2'],
      [3, 'auth', 'id3'],
      [4, 'auth', 'id4'],
      [5, 'auth', 'id5'],
      [6, 'event', 'id6'],
    ]);
  });

  it('keeps every row sharing a seq (a forged duplicate), in either stream, events first', () => {
    const page = mergeChainRows([row(1), row(3), row(3, 'forged')], [row(2), row(3, 'forged-auth')]);
    expect(page.map((r) => [r.seq, r.id])).toEqual([
      [1, 'id1'],
      [2, 'id2'],
      [3, 'id3'],
      [3, 'id3forged'],
      [3, 'id3forged-auth'],
    ]);
  });
});
