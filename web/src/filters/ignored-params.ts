import { isRangeKey } from './date-range.ts';

/**
 * What a link holds that a page does not read — an unknown or misspelt parameter, or a known one whose value
 * the page cannot use (a `range` that is none, or what `valid` refuses) — so that the page can say so:
 * ignored in silence, it would show a wider query than the link meant.
 */
export function ignoredParams(
  search: URLSearchParams,
  known: ReadonlySet<string>,
  valid: Readonly<Record<string, (value: string) => boolean>> = {},
): string[] {
  const out = new Set<string>();
  for (const [k, v] of search) {
    if (!known.has(k)) out.add(k);
    else if (k === 'range' ? !isRangeKey(v) : valid[k] && !valid[k](v)) out.add(`${k}=${v}`);
  }
  return [...out];
}
