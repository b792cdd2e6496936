/**
 * Case folding for keyword search: Unicode NFC, then lower case, so `JOSÉ`, `José` and a decomposed `José`
 * all fold to the same text. U+001F separates a document's strings, so inside a string it is replaced by
 * U+001E on both the indexed and the searched side.
 */
export const SEARCH_SEPARATOR = '\u001f';

const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;
// Audit events repeat the same strings (actors, keys, categories) endlessly; folding them once pays.
const cache = new Map<string, string>();
const CACHE_LIMIT = 20_000;

export function fold(text: string): string {
  let folded = cache.get(text);
  if (folded !== undefined) return folded;
  if (PRINTABLE_ASCII.test(text)) folded = text.toLowerCase();
  else {
    folded = text.normalize('NFC').toLowerCase();
    if (folded.includes(SEARCH_SEPARATOR)) folded = folded.replaceAll(SEARCH_SEPARATOR, '\u001e');
  }
  if (text.length <= 64) {
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(text, folded);
  }
  return folded;
}
