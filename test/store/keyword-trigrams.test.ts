// A keyword is looked up in the chunks by the part of it whose trigrams are rarest in a sample of the log
// (store/sql/keyword-trigrams.ts): any part of a word is in every chunk that holds the word, so the part
// may only cost more chunks, never miss one.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cachedSample, keepSample, rarestPart, Sample } from '../../src/store/sql/keyword-trigrams.js';

/** Text like the synthetic log's: thousands of `tok…x` words, each trigram of `tok` in every one. */
const TOKENS = Array.from({ length: 3000 }, (_, k) => `tok${(k * 7919) % 100_000}x`).join(' ');

describe('rarestPart', () => {
  it('drops a rare word’s common trigrams', () => {
    const sample = new Sample(TOKENS);
    expect(TOKENS).not.toContain('tok1234x');
    expect(rarestPart('tok1234x', sample)).toBe('k1234x');
  });

  it('keeps a word of four trigrams or fewer whole', () => {
    const sample = new Sample(TOKENS);
    for (const word of ['tok12x', 'ab', 'abc', 'abcdef']) expect(rarestPart(word, sample)).toBe(word);
  });

  it('keeps the word when its trigrams are equally rare, or when the part is found more often than it', () => {
    expect(rarestPart('zanzibarvault', new Sample('nothing like it here'))).toBe('zanzibarvault');
    // A rare word's trigrams all equally rare: a part would save nothing worth a superset.
    const rare = new Sample(`${'routine '.repeat(200)}${'zanzibarvault '.repeat(3)}`);
    expect(rarestPart('zanzibarvault', rare)).toBe('zanzibarvault');
    // Its rarest trigrams are those of `vider-`, which `provider-1` holds five times: the word none.
    const sample = new Sample(`${'trunk-provi '.repeat(100)}${'provider-1 '.repeat(5)}`);
    expect(rarestPart('trunk-provider-1', sample)).toBe('trunk-provider-1');
    // Once the word is as common as its part, the part serves.
    const more = new Sample(`${'trunk-provi '.repeat(100)}${'trunk-provider-1 '.repeat(5)}`);
    expect(rarestPart('trunk-provider-1', more)).toBe('vider-');
  });

  it('keeps a word of more than 64 characters whole', () => {
    const long = `tok${'7'.repeat(70)}x`;
    expect(rarestPart(long, new Sample(TOKENS))).toBe(long);
  });

  it('returns a substring of the word of whole code points, whatever the sample', () => {
    // Samples made of pieces of the word and of `tok`-like noise, so that parts are actually chosen; any
    // UTF-16 text, lone surrogates and astral characters included.
    const word = fc.string({ unit: 'binary', minLength: 1, maxLength: 20 });
    let shortened = 0;
    fc.assert(
      fc.property(word, fc.array(fc.nat(), { maxLength: 40 }), fc.nat(300), (w, cuts, noise) => {
        const cps = [...w];
        const pieces = cuts.map((c, i) => cps.slice(c % cps.length, (c % cps.length) + 3 + (i % 4)).join(''));
        const text = `${pieces.join(' ')} ${`${cps.slice(0, 3).join('')} `.repeat(noise)}`;
        const part = rarestPart(w, new Sample(text));
        if (part !== w) shortened++;
        expect(w.includes(part)).toBe(true);
        expect([...part].length).toBeGreaterThanOrEqual(Math.min(cps.length, 6));
        // Cut at code points: a part never splits a surrogate pair the word holds.
        expect([...part].every((ch) => w.includes(ch))).toBe(true);
      }),
      { numRuns: 500 },
    );
    expect(shortened).toBeGreaterThan(20);
  });
});

describe('the sample cache', () => {
  it('serves a tenant’s sample for a minute', () => {
    const sample = new Sample('text');
    keepSample('cache-tenant', sample, 1000);
    expect(cachedSample('cache-tenant', 1000 + 59_000)).toBe(sample);
    expect(cachedSample('cache-tenant', 1000 + 60_000)).toBeUndefined();
    expect(cachedSample('another-tenant', 1000)).toBeUndefined();
  });
});
