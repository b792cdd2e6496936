import { describe, expect, it } from 'vitest';
import { EMPTY_FILTER } from '../src/filters/audit-filter.ts';
import { applyQuery, parseQuery, tokenize } from '../src/query-syntax.ts';

/** Categories as GET /v1/catalog lists them (keys and labels). */
const CATEGORIES = [
  { key: 'telephony', label: 'Telephony' },
  { key: 'bulk', label: 'Bulk Operations' },
];

describe('query syntax', () => {
  it('lifts key:value terms into filters and keeps the rest as keywords', () => {
    const p = parseQuery(
      'user:jane.admin action:update category:telephony "trunk provider" after:2026-01-01 reboot',
      CATEGORIES,
    );
    expect(p.errors).toEqual([]);
    expect(p.filters).toEqual({
      users: ['jane.admin'],
      actions: ['update'],
      categories: ['telephony'],
      range: 'custom',
      from: new Date('2026-01-01T00:00').toISOString(),
    });
    expect(p.keywords).toBe('"trunk provider" reboot');
  });

  it('maps every documented key, repeats, quoted values and category labels', () => {
    const p = parseQuery(
      'user:a user:"Jane Admin" category:"Bulk Operations" ip:10.0.0.0/8 target:john.smith type:Carrier id:t-1 event:user.role_changed session:s1 before:2026-02-01T10:30:00Z',
      CATEGORIES,
    );
    expect(p.filters).toMatchObject({
      users: ['a', 'Jane Admin'],
      categories: ['bulk'],
      ip: '10.0.0.0/8',
      target: 'john.smith',
      targetType: 'Carrier',
      targetId: 't-1',
      eventTypes: ['user.role_changed'],
      sessionId: 's1',
      to: '2026-02-01T10:30:00.000Z',
    });
    expect(p.keywords).toBe('');
  });

  it('keeps unknown keys, times and URLs as literal keywords', () => {
    expect(parseQuery('10:30 http://x.example/a foo:bar').keywords).toBe('10:30 http://x.example/a foo:bar');
  });

  it('reports values it cannot use instead of guessing', () => {
    expect(parseQuery('action:patch').errors).toEqual([
      'action: must be create, update or delete, not "patch"',
    ]);
    expect(parseQuery('after:yesterday').errors[0]).toMatch(/after: "yesterday" is not a date/);
    expect(parseQuery('user:""').errors).toEqual(['user: needs a value']);
    // A range that ends before it starts would show no event as if none matched.
    expect(parseQuery('before:2020-01-01 after:2026-01-01').errors).toEqual([
      'before: must be later than after',
    ]);
    expect(parseQuery('after:2020-01-01 before:2026-01-01').errors).toEqual([]);
  });

  it('tokenizes an unclosed quote to the end', () => {
    expect(tokenize('a "b c')).toEqual([
      { key: undefined, value: 'a', quoted: false },
      { key: undefined, value: 'b c', quoted: true },
    ]);
  });

  it('applying a query replaces only the filters it names and the keywords', () => {
    const current = { ...EMPTY_FILTER, users: ['x'], ip: '10.0.0.1', q: 'old' };
    const next = applyQuery(current, parseQuery('action:delete new words'));
    expect(next).toMatchObject({ users: ['x'], ip: '10.0.0.1', actions: ['delete'], q: 'new words' });
  });
});
