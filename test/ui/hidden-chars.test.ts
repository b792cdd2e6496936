import { describe, expect, it } from 'vitest';
import { codeOf, HIDDEN } from '../../web/src/components/hidden-chars.js';

const hidden = (text: string) => [...text.matchAll(HIDDEN)].map((m) => codeOf(m[0]));

describe('characters the UI shows as U+XXXX chips', () => {
  it('every character that draws as nothing, so that jane.admin + it never reads as jane.admin', () => {
    const invisible = [
      0x00ad, 0x034f, 0x115f, 0x1160, 0x17b4, 0x17b5, 0x180e, 0x2028, 0x2029, 0x206a, 0x206f, 0x3164, 0xfe00,
      0xfe0f, 0xffa0, 0xfff9, 0xfffb, 0xe0001, 0xe0041, 0x1d173, 0x200b, 0x200d, 0x202e, 0x2066, 0xfeff,
      0x0000, 0x001b, 0x007f, 0x0085,
    ];
    for (const cp of invisible) {
      const c = String.fromCodePoint(cp);
      expect(hidden(`jane.admin${c}`), codeOf(c)).toEqual([codeOf(c)]);
    }
  });

  it('text, tabs, line feeds, accents, scripts and emoji (with their variation selector) stay text', () => {
    expect(hidden('tab\there\nnext line, José, 東京, مرحبا, ❤️, 👍🏽, ☺︎')).toEqual([]);
    // A keycap (digit, U+FE0F, U+20E3) and a subdivision flag (black flag, tag letters, cancel tag) are emoji.
    expect(hidden('1\uFE0F\u20E3 🏴\u{E0067}\u{E0062}\u{E0065}\u{E006E}\u{E0067}\u{E007F}')).toEqual([]);
    // …but a selector after a plain digit, or tag letters after a name, hide: admin1 + U+FE0F is no admin1.
    expect(hidden('admin1\uFE0F')).toEqual(['U+FE0F']);
    expect(hidden('jane\u{E0041}\u2800')).toEqual(['U+E0041', 'U+2800']);
    // An emoji's ZWJ sequence shows its joiners, as before: a joiner hides in a name too.
    expect(hidden('👩‍💻')).toEqual(['U+200D']);
  });
});
