// Crypto-shredding's subject keys in a store: created once per subject (the first writer wins, in batches),
// found by key id, and erased with the subject's actor suggestions; the erasure key file is written once.
import { describe, expect, it } from 'vitest';
import { storePerFile } from './store-under-test.js';

const sut = storePerFile();
const store = () => sut().store;
const candidate = (ref: string, kid: string) => ({ ref, kid, wrapped: `wrapped-${kid}`, createdMs: 1 });

describe('subject keys', () => {
  it('keep the first key of a subject, answer in the order asked, and stay within their tenant', async () => {
    const s = store().subjects;
    expect(await s.getOrCreate('sk-a', [candidate('r1', 'k1'), candidate('r2', 'k2')])).toEqual([
      { kid: 'k1', wrapped: 'wrapped-k1' },
      { kid: 'k2', wrapped: 'wrapped-k2' },
    ]);
    expect(await s.getOrCreate('sk-a', [candidate('r3', 'k3'), candidate('r1', 'k9')])).toEqual([
      { kid: 'k3', wrapped: 'wrapped-k3' },
      { kid: 'k1', wrapped: 'wrapped-k1' },
    ]);
    expect(await s.getOrCreate('sk-a', [])).toEqual([]);
    expect((await s.byKids('sk-a', ['k1', 'k3', 'k9'])).map((k) => k.kid).sort()).toEqual(['k1', 'k3']);
    expect(await s.byKids('sk-b', ['k1'])).toEqual([]);
    expect(await s.find('sk-a', 'r2')).toEqual({ kid: 'k2', wrapped: 'wrapped-k2' });
  });

  it('are erased once, with the actor suggestions of the subject; other subjects keep theirs', async () => {
    const s = store().subjects;
    await s.getOrCreate('sk-e', [
      candidate('gone', 'kg'),
      candidate('gone-name', 'kn'),
      candidate('kept', 'kk'),
    ]);
    // Several references at once (a subject and the usernames it signed in with); absent ones are skipped.
    expect(await s.erase('sk-e', ['gone', 'nobody', 'gone-name'], 'bi:gone')).toEqual({
      kids: ['kg', 'kn'],
      actorRows: 0,
    });
    expect(await s.erase('sk-e', ['gone', 'gone-name'], 'bi:gone')).toBeUndefined();
    expect(await s.byKids('sk-e', ['kg', 'kn', 'kk'])).toEqual([{ kid: 'kk', wrapped: 'wrapped-kk' }]);
  });

  it('keep the erasure key in a file written once', async () => {
    const first = await store().saveErasureKey('c2VjcmV0LW9uZQ==');
    expect(first).toBe('c2VjcmV0LW9uZQ==');
    expect(await store().saveErasureKey('b3RoZXI=')).toBe('c2VjcmV0LW9uZQ==');
    expect(await store().loadErasureKey()).toBe('c2VjcmV0LW9uZQ==');
  });
});
