import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatTimestamp, parseRfc3339, parseRfc3339Bound } from '../../src/core/domain/time.js';
import { propertyOptions } from '../property/arbitraries.js';

describe('parseRfc3339', () => {
  it('keeps years 0000–0099 as written (Date.UTC would read them as 1900–1999)', () => {
    for (const text of ['0001-01-01T00:00:00.000Z', '0099-12-31T23:59:59.000Z', '0000-02-29T12:00:00.000Z']) {
      expect(formatTimestamp(parseRfc3339(text)!)).toBe(text);
    }
  });

  it('refuses a time whose offset takes it out of years 0000–9999 in UTC', () => {
    expect(parseRfc3339('0000-01-01T00:30:00+01:00')).toBeNull(); // year -1 in UTC
    expect(parseRfc3339('9999-12-31T23:30:00-01:00')).toBeNull(); // year 10000 in UTC
    expect(formatTimestamp(parseRfc3339('0000-01-01T00:30:00-01:00')!)).toBe('0000-01-01T01:30:00.000Z');
    expect(formatTimestamp(parseRfc3339('9999-12-31T23:30:00+01:00')!)).toBe('9999-12-31T22:30:00.000Z');
  });

  it('reads a leap second as the second before it, fraction kept, as docs/api.md says', () => {
    expect(formatTimestamp(parseRfc3339('2016-12-31T23:59:60.250Z')!)).toBe('2016-12-31T23:59:59.250Z');
    expect(formatTimestamp(parseRfc3339('2017-01-01T01:59:60+02:00')!)).toBe('2016-12-31T23:59:59.000Z');
    expect(parseRfc3339('2016-12-31T23:59:61Z')).toBeNull();
  });

  it('knows leap days in early years and rejects days that do not exist', () => {
    expect(parseRfc3339('0004-02-29T00:00:00Z')).not.toBeNull();
    expect(parseRfc3339('0003-02-29T00:00:00Z')).toBeNull();
    expect(parseRfc3339('2026-02-29T00:00:00Z')).toBeNull();
  });

  it('reads the common form (…Z, read without the regex) as it reads the same time with an offset', () => {
    const pad = (n: number, w: number) => String(n).padStart(w, '0');
    const year = fc.oneof(
      fc.integer({ min: 0, max: 9999 }),
      fc.constantFrom(100, 1900, 2000, 2024, 2100, 2400),
    );
    const text = fc
      .tuple(
        year,
        fc.integer({ min: 0, max: 13 }),
        fc.integer({ min: 0, max: 32 }),
        fc.integer({ min: 0, max: 25 }),
        fc.integer({ min: 0, max: 61 }),
        fc.integer({ min: 0, max: 61 }),
        fc.option(fc.integer({ min: 0, max: 999 })),
      )
      .map(
        ([y, mo, d, h, mi, s, ms]) =>
          `${pad(y, 4)}-${pad(mo, 2)}-${pad(d, 2)}T${pad(h, 2)}:${pad(mi, 2)}:${pad(s, 2)}${ms === null ? '' : `.${pad(ms, 3)}`}Z`,
      );
    let valid = 0;
    fc.assert(
      fc.property(text, (t) => {
        const ms = parseRfc3339(t);
        if (ms !== null) valid++;
        expect(ms).toBe(parseRfc3339(t.replace(/Z$/, '+00:00')));
        expect(ms).toBe(parseRfc3339(t.replace(/Z$/, 'z')));
        if (ms !== null && !t.endsWith(':60Z') && !/:60\.\d{3}Z$/.test(t)) {
          expect(formatTimestamp(ms)).toBe(t.length === 20 ? t.replace('Z', '.000Z') : t);
        }
      }),
      propertyOptions(3000),
    );
    expect(valid).toBeGreaterThan(100);
    expect(parseRfc3339('2100-02-29T00:00:00Z')).toBeNull();
    expect(parseRfc3339('2000-02-29T00:00:00.000Z')).toBe(Date.UTC(2000, 1, 29));
    expect(parseRfc3339('2026-04-31T00:00:00Z')).toBeNull();
  });

  it('converts offsets to UTC and truncates to milliseconds', () => {
    expect(formatTimestamp(parseRfc3339('2026-11-26T10:30:00.123456+01:30')!)).toBe(
      '2026-11-26T09:00:00.123Z',
    );
  });
});

describe('parseRfc3339Bound (from/to, exact on millisecond times)', () => {
  const bound = (text: string) => formatTimestamp(parseRfc3339Bound(text)!);
  it('rounds a time between two milliseconds up, and only then', () => {
    expect(bound('2026-01-01T00:00:00.0005Z')).toBe('2026-01-01T00:00:00.001Z');
    expect(bound('2026-01-01T00:00:00.000000001Z')).toBe('2026-01-01T00:00:00.001Z');
    expect(bound('2026-01-01T00:00:00.999999Z')).toBe('2026-01-01T00:00:01.000Z');
    expect(bound('2026-01-01T00:00:00.001000000Z')).toBe('2026-01-01T00:00:00.001Z');
    expect(bound('2026-01-01T00:00:00Z')).toBe('2026-01-01T00:00:00.000Z');
    expect(bound('2026-11-26T10:30:00.123456+01:30')).toBe('2026-11-26T09:00:00.124Z');
    // Before 1970 the digits still add: …59.9995 is −0.5 ms, rounded up to 0.
    expect(parseRfc3339Bound('1969-12-31T23:59:59.9995Z')).toBe(0);
    expect(parseRfc3339Bound('2026-13-01T00:00:00.0005Z')).toBeNull();
  });
});
