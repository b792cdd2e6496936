import { hasDates, isRangeKey } from './date-range.ts';

/**
 * What a link holds that a page does not read — an unknown or misspelt parameter, or a known one whose value
 * the page cannot use (a `range` that is none or that dates override, or what `valid` refuses) — so that the
 * page can say so: ignored in silence, it would show a wider query than the link meant.
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
    // Dates win over a preset (rangeFromSearch): the preset is then not what the page shows.
    else if (k === 'range' && v !== 'custom' && known.has('from') && hasDates(search)) {
      out.add(`${k}=${v} (from/to apply instead)`);
    }
  }
  return [...out];
}
