import v8 from 'node:v8';
import { describe, expect, it } from 'vitest';
import { compactHeap, compactIfGrown, HEAP_SLACK_BYTES } from '../../src/store/threads/compact-heap.js';

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

  it('collects, between export pages, once the heap has grown past its slack, and not before', async () => {
    const used = () => v8.getHeapStatistics().used_heap_size;
    await compactHeap();
    const floor = used();
    // Live across scavenges, then dropped: promoted garbage that only a full collection frees.
    let promoted: string[][] = [];
    for (let i = 0; promoted.length < 4 && used() < floor + HEAP_SLACK_BYTES / 2; i++) {
      promoted.push(Array.from({ length: 20_000 }, (_, k) => `row ${i} ${k}`));
    }
    promoted = [];
    const under = used();
    expect(under).toBeLessThan(floor + HEAP_SLACK_BYTES);
    // Within its slack: no collection started (the heap alone cannot tell: V8 may collect on its own).
    expect(compactIfGrown()).toBe(false);
    let more: string[][] = [];
    while (used() < floor + 2 * HEAP_SLACK_BYTES)
      more.push(Array.from({ length: 20_000 }, (_, k) => `x ${k}`));
    more = [];
    expect(compactIfGrown()).toBe(true);
    // The collection runs in the background: on a loaded machine it took longer than a fixed 50 ms.
    await expect.poll(used, { timeout: 5000, interval: 50 }).toBeLessThan(floor + HEAP_SLACK_BYTES);
    expect(promoted.length + more.length).toBe(0);
  });
});
