// The SDK's conversion of an event to what the service will read (packages/sdk/src/wire.ts): values JSON
// cannot carry are named by their pointers, and a shared object that is no circle still goes as copies.
import { describe, expect, it } from 'vitest';
import { wire } from '../../packages/sdk/src/wire.js';

describe('wire', () => {
  it('sends an object that appears twice (not inside itself) as two copies, also on the careful path', () => {
    const shared = { a: 1, b: null };
    const { value, problems } = wire({ oldValue: shared, newValue: { x: shared, y: [shared] } });
    expect(problems).toEqual([]);
    expect(value).toEqual({ oldValue: shared, newValue: { x: shared, y: [shared] } });
  });

  it('names a circle where it closes, and a BigInt, and goes on past them', () => {
    const top: Record<string, unknown> = { n: 1 };
    top.list = [top, 2];
    const { value, problems } = wire({ newValue: top, metadata: { big: 1n, ok: true } });
    expect(problems).toEqual([
      { path: '/newValue/list/0', message: expect.stringMatching(/circular/) },
      { path: '/metadata/big', message: expect.stringMatching(/BigInt/) },
    ]);
    expect(value).toEqual({ newValue: { n: 1, list: [null, 2] }, metadata: { big: null, ok: true } });
  });
});
