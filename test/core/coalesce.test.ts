import { describe, expect, it } from 'vitest';
import { chunkWritten, coalesce } from '../../src/core/services/export-stream.js';

async function collect(parts: AsyncIterable<string | Uint8Array>): Promise<string[]> {
  const out: string[] = [];
  for await (const chunk of parts)
    out.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString());
  return out;
}

async function* source<T>(parts: T[], gapMs = 0): AsyncGenerator<T> {
  for (const part of parts) {
    if (gapMs > 0) await new Promise((r) => setTimeout(r, gapMs));
    yield part;
  }
}

describe('coalesce (export chunks)', () => {
  it('joins parts into chunks of at least `size`, keeps every character in order, flushes the rest', async () => {
    const parts = Array.from({ length: 25 }, (_, i) => `line ${i}\n`);
    const chunks = await collect(coalesce(source(parts), 40, 60_000));
    expect(chunks.join('')).toBe(parts.join(''));
    expect(chunks.length).toBeGreaterThan(1);
    for (const chunk of chunks.slice(0, -1)) expect(chunk.length).toBeGreaterThanOrEqual(40);
    expect(await collect(coalesce(source([]), 40))).toEqual([]);
  });

  it('does not hold a part back once it has waited longer than maxDelayMs', async () => {
    // 30 ms between parts, 5 ms allowed: a part goes out with the next one, not after 64 KB.
    const chunks = await collect(coalesce(source(['a', 'b', 'c', 'd', 'e'], 30), 64 * 1024, 5));
    expect(chunks).toEqual(['ab', 'cd', 'e']);
  });

  it('reuses a chunk’s buffer once it is written, and only then', async () => {
    const parts = Array.from({ length: 60 }, (_, i) => `${String(i).padStart(9, '0')}\n`);
    const seen = new Set<ArrayBufferLike>();
    let chunks = 0;
    for await (const chunk of coalesce(source(parts), 100, 60_000)) {
      chunks++;
      seen.add(chunk.buffer);
      if (chunks % 2 === 0) chunkWritten(chunk); // every other chunk is written before the next is made
    }
    expect(chunks).toBe(6);
    expect(seen.size).toBe(4); // chunks 3 and 5 reuse the buffers of 2 and 4, written before them
  });

  it('copies bytes in as they fit, across chunks, with strings between them, every byte in order', async () => {
    const page = new TextEncoder().encode(`${'é'.repeat(150)}\n`.repeat(3)); // 903 bytes, a split 'é' inside
    const parts: (string | Uint8Array)[] = ['head\n', page, 'bridge\n', page.subarray(0, 301), 'end\n'];
    const chunks: Buffer[] = [];
    for await (const chunk of coalesce(source(parts), 100, 60_000)) chunks.push(Buffer.from(chunk));
    const expected = Buffer.concat(
      parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : Buffer.from(p))),
    );
    expect(Buffer.concat(chunks).equals(expected)).toBe(true);
    // At most two chunks' worth (200 bytes) each: a page is not one oversized chunk.
    for (const chunk of chunks) expect(chunk.length).toBeLessThanOrEqual(200);
    expect(chunks.length).toBeGreaterThanOrEqual(Math.ceil(expected.length / 200));
  });
});
