// How the Audit Log and Authentication Log read a date range from a pasted link (web/src/filters): dates win
// over a preset `range`, which is then named as ignored rather than dropped in silence.
import { describe, expect, it } from 'vitest';
import { filterFromSearch, filterToParams, ignoredInSearch } from '../src/filters/audit-filter.ts';
import { authFilterFromSearch } from '../src/filters/auth-filter.ts';
import { ignoredParams } from '../src/filters/ignored-params.ts';

const FROM = '2026-01-01T00:00:00Z';
const TO = '2026-01-02T00:00:00Z';
const q = (text: string) => new URLSearchParams(text);

describe('a date range in a page URL', () => {
  it('from/to next to a preset make a custom range, and the preset is named', () => {
    const search = q(`range=7d&from=${FROM}&to=${TO}&user=jane`);
    expect(filterFromSearch(search)).toMatchObject({ range: 'custom', from: FROM, to: TO, users: ['jane'] });
    expect(filterToParams(filterFromSearch(search))).toMatchObject({ from: FROM, to: TO });
    expect(ignoredInSearch(search)).toEqual(['range=7d (from/to apply instead)']);
    // One date is enough; the tab's default preset is overridden the same way.
    expect(authFilterFromSearch(q(`range=24h&to=${TO}`), '24h')).toEqual({ range: 'custom', to: TO });
    expect(ignoredParams(q(`range=all&from=${FROM}`), new Set(['range', 'from', 'to']))).toEqual([
      'range=all (from/to apply instead)',
    ]);
  });

  it('a preset alone, range=custom with dates, or empty dates are read as they are, with nothing named', () => {
    for (const [text, range] of [
      ['range=7d', '7d'],
      [`range=custom&from=${FROM}`, 'custom'],
      [`from=${FROM}`, 'custom'],
      ['range=30d&from=&to=', '30d'],
      ['', 'all'],
    ] as const) {
      expect(filterFromSearch(q(text)).range, text).toBe(range);
      expect(ignoredInSearch(q(text)), text).toEqual([]);
    }
    expect(authFilterFromSearch(q(''), '24h').range).toBe('24h');
  });

  it('a page that reads no date names range, from and to as unknown', () => {
    expect(ignoredParams(q(`range=7d&from=${FROM}`), new Set(['span']))).toEqual(['range', 'from']);
  });
});
