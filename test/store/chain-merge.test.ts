import { describe, expect, it } from 'vitest';
import { mergeChainRows, type RawChainRow } from '../../src/store/chain-merge.js';

const row = (seq: number, tag = ''): RawChainRow => [seq, 0, `body${seq}${tag}`, 'p', 'h'];

describe('mergeChainRows', () => {
  it('merges both streams in seq order and stops at `limit`', () => {
    const page = mergeChainRows([row(1), row(2), row(6)], [row(3), row(4), row(5)], 3);
    expect(page.map((r) => [r.seq, r.stream])).toEqual([
      [1, 'event'],
      [2, 'event'],
      [3, 'auth'],
    ]);
  });

  it('stops where a stream that filled its limit ends, since the other may continue beyond', () => {
    const page = mergeChainRows([row(1), row(5)], [row(2)], 2);
    expect(page.map((r) => r.seq)).toEqual([1, 2]);
  });

  it('keeps rows sharing a seq (a forged duplicate) on one page, so paging by seq never skips one', () => {
    const page = mergeChainRows([row(1), row(2), row(3)], [row(3, 'forged'), row(4)], 3);
    expect(page.map((r) => r.seq)).toEqual([1, 2, 3, 3]);
    expect(page.map((r) => r.body)).toContain('body3forged');
  });
});
