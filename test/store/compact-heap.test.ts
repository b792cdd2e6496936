import v8 from 'node:v8';
import { describe, expect, it } from 'vitest';
import { compactHeap } from '../../src/store/threads/compact-heap.js';

const newSpace = () => v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')!.space_size;

describe('compactHeap', () => {
  it('hands a grown young generation back down to its initial size', async () => {
    // Objects that live across scavenges make V8 grow the young generation (to 2 × 16 MB by default).
    let keep: object[] = [];
    for (let i = 0; i < 3_000_000 && newSpace() < 8 * 2 ** 20; i++) {
      keep.push({ i, text: `row ${i}` });
      if (keep.length > 200_000) keep = [];
    }
    keep = [];
    const grown = newSpace();
    expect(grown).toBeGreaterThanOrEqual(8 * 2 ** 20);
    await compactHeap();
    expect(newSpace()).toBeLessThanOrEqual(2 * 2 ** 20);
    expect(keep).toEqual([]);
  });
});
