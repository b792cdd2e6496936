import { isRedactedMarker } from './redact.js';
import { isEnvelope } from './subject-crypto.js';
import { fold } from './text-fold.js';

/**
 * Keyword search matches a case-insensitive literal substring of any searchable field. This module lists an
 * entry's searchable strings, folded and without duplicates; the stores index them and check matches
 * against them. Keys and values of nested objects count, at any depth; redacted secrets contribute only
 * their key.
 */
export class SearchStrings {
  readonly #seen = new Set<string>();

  add(value: string | number | boolean | null | undefined): this {
    if (value === null || value === undefined || value === '') return this;
    this.#seen.add(fold(String(value)));
    return this;
  }

  /** Every key and every scalar leaf of a JSON value. */
  addJson(value: unknown, depth = 0): this {
    if (value === null || value === undefined) return this;
    if (typeof value !== 'object') return this.add(value as string | number | boolean);
    // An envelope (crypto-shredded personal value) contributes nothing: its bytes are not words.
    if (depth > 64 || isRedactedMarker(value) || isEnvelope(value)) return this;
    if (Array.isArray(value)) {
      for (const item of value) this.addJson(item, depth + 1);
      return this;
    }
    for (const k in value) {
      this.add(k);
      this.addJson((value as Record<string, unknown>)[k], depth + 1);
    }
    return this;
  }

  toArray(): string[] {
    return [...this.#seen];
  }
}

/**
 * Splits a `q` parameter into terms: whitespace separates words, `"a quoted phrase"` is one term (an
 * unclosed quote runs to the end). Every character is literal.
 */
export function parseKeywordQuery(q: string): string[] {
  const terms: string[] = [];
  let i = 0;
  while (i < q.length) {
    const c = q[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === '"') {
      const end = q.indexOf('"', i + 1);
      const phrase = end === -1 ? q.slice(i + 1) : q.slice(i + 1, end);
      if (phrase.trim() !== '') terms.push(fold(phrase));
      i = end === -1 ? q.length : end + 1;
      continue;
    }
    let j = i;
    while (j < q.length && !/\s/.test(q[j]!)) j++;
    terms.push(fold(q.slice(i, j)));
    i = j;
  }
  return [...new Set(terms)];
}
