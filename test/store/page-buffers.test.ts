// The buffers a thread hands its pages over in (store/threads/page-buffers.ts): reused once handed back,
// and only whole buffers or page views ever moved to another thread.
import { describe, expect, it } from 'vitest';
import { givePageBuffer, movable, spareCount, takePageBuffer } from '../../src/store/threads/page-buffers.js';

describe('page buffers', () => {
  it('serves a page from a buffer handed back, when it is large enough', () => {
    const first = takePageBuffer(70_000);
    expect(first.byteLength).toBe(70_000);
    const buffer = first.buffer;
    givePageBuffer(buffer);
    expect(spareCount()).toBe(1);
    expect(takePageBuffer(200_000).buffer).not.toBe(buffer); // too small for it
    const again = takePageBuffer(72_000);
    expect(again.buffer).toBe(buffer);
    expect(again.byteLength).toBe(72_000);
    expect(spareCount()).toBe(0);
  });

  it('zeroes what a reused buffer held past the new page, and gives an empty page no buffer', () => {
    const first = takePageBuffer(5000);
    first.fill(7);
    givePageBuffer(first.buffer);
    expect(takePageBuffer(0).buffer.byteLength).toBe(0);
    expect(spareCount()).toBe(1);
    const again = takePageBuffer(1000);
    expect(again.buffer).toBe(first.buffer);
    expect(new Uint8Array(again.buffer).subarray(1000).every((b) => b === 0)).toBe(true);
  });

  it('keeps a few spares, none empty and none huge', () => {
    givePageBuffer(new ArrayBuffer(0));
    givePageBuffer(new ArrayBuffer(8 * 1024 * 1024));
    expect(spareCount()).toBe(0);
    for (let i = 0; i < 10; i++) givePageBuffer(new ArrayBuffer(64 * 1024));
    expect(spareCount()).toBe(4);
    for (let i = 0; i < 4; i++) takePageBuffer(1);
    expect(spareCount()).toBe(0);
  });

  it('moves whole buffers and page views, never a view into a shared pool', () => {
    expect(movable(new Uint8Array(10))).toBe(true);
    expect(movable(takePageBuffer(10))).toBe(true);
    const pooled = Buffer.from('a small string, from Node’s shared pool');
    expect(pooled.byteLength).toBeLessThan(pooled.buffer.byteLength);
    expect(movable(pooled)).toBe(false);
    expect(movable(new Uint8Array(new ArrayBuffer(100), 0, 50))).toBe(false);
    expect(movable(new Uint8Array(new ArrayBuffer(100), 10))).toBe(false);
    expect(movable('bytes')).toBe(false);
  });
});
