import { describe, expect, it } from 'vitest';
import { filterFromSearch, filterToParams, filterToSearch } from '../src/filters/audit-filter.ts';

describe('audit filter in the URL', () => {
  it('round-trips every filter under the API parameter names', () => {
    const search =
      'range=custom&from=2026-01-01T00%3A00%3A00.000Z&to=2026-02-01T00%3A00%3A00.000Z&user=a&user=b&action=update&category=ai&eventType=ai.model_selected&targetType=AIProvider&targetId=x&target=y&ip=10.0.0.0%2F8&sessionId=s&q=%22a+b%22';
    const f = filterFromSearch(new URLSearchParams(search));
    expect(filterToSearch(f)).toBe(`?${search}`);
    expect(filterToParams(f)).toMatchObject({
      from: '2026-01-01T00:00:00.000Z',
      user: ['a', 'b'],
      q: '"a b"',
    });
  });

  it('turns a relative preset into `from` only, so new events still match', () => {
    const now = Date.parse('2026-06-01T12:00:00Z');
    const p = filterToParams(filterFromSearch(new URLSearchParams('range=1h')), now);
    expect(p.from).toBe('2026-06-01T11:00:00.000Z');
    expect(p.to).toBeUndefined();
  });
});
