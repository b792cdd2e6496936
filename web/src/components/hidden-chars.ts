/**
 * Characters that could disguise a stored value by drawing as nothing (or by moving text): controls, format
 * characters (bidi overrides and isolates — a "Trojan source" RTL override makes `exe.txt` read `txt.exe` —,
 * zero-width characters, the soft hyphen, tag characters), every other default-ignorable code point (Hangul
 * fillers, variation selectors, U+034F), the line and paragraph separators and the Braille blank. Tab and line
 * feed stay text; a variation selector after an emoji (a keycap's digit too), and tag characters after a black
 * flag (a subdivision flag), are part of it. `jane.admin` with any of these must not read as
 * `jane.admin`.
 */
export const HIDDEN =
  /(?!\t|\n|\uFE0E|\uFE0F|[\u{E0020}-\u{E007F}])[\p{Cc}\p{Cf}\p{Default_Ignorable_Code_Point}\u2028\u2029\u2800]|(?<!\p{Extended_Pictographic})(?:\uFE0E|\uFE0F)(?!\u20E3)|(?<!\u{1F3F4}[\u{E0020}-\u{E007F}]*)[\u{E0020}-\u{E007F}]/gu;

/** The same set without the global flag, for a test that keeps no lastIndex state between calls. */
export const HAS_HIDDEN = new RegExp(HIDDEN.source, 'u');

/** `U+202E` for a hidden character. */
export const codeOf = (c: string) => `U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
