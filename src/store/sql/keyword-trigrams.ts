import type { Plan } from './query-plan.js';
import type { SqlDialect } from './sql-dialect.js';

/**
 * A keyword's chunk lookup by the part of it whose trigrams are rarest. FTS5 matches a phrase by reading
 * the doclist, positions included, of every trigram in it: a rare word made of common trigrams (`tok6828x`
 * among thousands of `tok…x` words; a rare hostname, a UUID of hex digits) costs the doclists of its most
 * common ones. Measured at 1M skewed events: `"tok1234x"` 4.5 ms, `"k1234x"` 1.35 ms, the same 15 chunks.
 * A chunk holding the word holds any part of it, so a part finds a superset of the word's chunks, and the
 * rows read from them are checked for the whole word as before.
 *
 * How common a trigram is, is estimated from a sample of the log's newest search text: the tenant's own
 * vocabulary, read once a minute.
 */

/** The trigrams a part keeps: 4, so 6 characters — still specific for a word that was rare. */
const KEPT = 4;
/** Longer keywords are asked whole: counting each of their trigrams in the sample would cost more. */
const LONGEST = 64;
/** Whether a keyword of `n` code points may be asked by a part: more than KEPT trigrams, at most LONGEST. */
const partable = (n: number) => n - 2 > KEPT && n <= LONGEST;
/**
 * A part is used only when the whole word's trigrams occur GAIN times more often in the sample, and those
 * it drops at least DROPPED times: a word whose trigrams are all rare costs little whole.
 */
const GAIN = 2;
const DROPPED = 64;
/** Counting stops here: past it, a trigram is common whatever its exact count (and counting costs). */
const COUNT_CAP = 1000;

/** A sample of search text, with the occurrences counted in it so far (each scan costs ~50 µs). */
export class Sample {
  readonly #counts = new Map<string, number>();
  constructor(readonly text: string) {}

  occurrences(part: string): number {
    let n = this.#counts.get(part);
    if (n === undefined) {
      n = 0;
      for (let i = this.text.indexOf(part); i !== -1 && n < COUNT_CAP; i = this.text.indexOf(part, i + 1))
        n++;
      if (this.#counts.size < 10_000) this.#counts.set(part, n);
    }
    return n;
  }
}

/**
 * The run of KEPT consecutive trigrams of `term` whose occurrences in `sample` add up least, as the
 * substring they span — or `term` itself: when it is that short, when the part would not save enough, or
 * when the part is found more often than the term (`k-prov` of `trunk-provider-1` is in every
 * `trunk-provider-…`: more chunks to read, perhaps past the lookup's budget).
 */
export function rarestPart(term: string, sample: Sample): string {
  const chars = [...term];
  if (!partable(chars.length)) return term;
  const trigrams = chars.length - 2;
  const counts = Array.from({ length: trigrams }, (_, i) =>
    sample.occurrences(chars.slice(i, i + 3).join('')),
  );
  const total = counts.reduce((a, b) => a + b, 0);
  let best = 0;
  let bestSum = Number.POSITIVE_INFINITY;
  for (let start = 0; start + KEPT <= trigrams; start++) {
    let sum = 0;
    for (let i = start; i < start + KEPT; i++) sum += counts[i]!;
    if (sum < bestSum) {
      best = start;
      bestSum = sum;
    }
  }
  if (total < GAIN * bestSum || total - bestSum < DROPPED) return term;
  const part = chars.slice(best, best + KEPT + 2).join('');
  return sample.occurrences(part) <= 2 * sample.occurrences(term) + 1 ? part : term;
}

/**
 * How long a tenant's sample serves, and how many tenants' samples a thread keeps. Keyed by tenant only: a
 * thread serving two databases may estimate one's keywords by the other's sample, which changes only which
 * part is asked (any part finds every chunk of the word), never the answer.
 */
const SAMPLE_MS = 60_000;
const SAMPLES = 16;
const samples = new Map<string, { sample: Sample; at: number }>();

/** The tenant's cached sample, or undefined when it must be read (again). */
export function cachedSample(key: string, now = Date.now()): Sample | undefined {
  const hit = samples.get(key);
  return hit && now - hit.at < SAMPLE_MS ? hit.sample : undefined;
}

export function keepSample(key: string, sample: Sample, now = Date.now()): void {
  if (samples.size >= SAMPLES && !samples.has(key)) samples.delete(samples.keys().next().value!);
  samples.set(key, { sample, at: now });
}

/**
 * The phrases a chunk lookup asks, each of the first `keywords` (the keywords; tags follow them) by its
 * rarest part — on a dialect that can read a sample (SQLite's FTS5; PostgreSQL's trigram index rechecks
 * every candidate with the phrase, so a part would only add candidates there).
 */
export function* rarestParts(
  d: SqlDialect,
  tenant: string,
  phrases: readonly string[],
  keywords: number,
): Plan<string[]> {
  const statement = d.chunks.sample?.(tenant);
  if (!statement || !phrases.slice(0, keywords).some((p) => partable([...p].length))) return [...phrases];
  let sample = cachedSample(tenant);
  if (sample === undefined) {
    const [row] = yield statement;
    sample = new Sample(String(row?.text ?? ''));
    keepSample(tenant, sample);
  }
  const read = sample;
  return phrases.map((p, i) => (i < keywords ? rarestPart(p, read) : p));
}
