import { describe, expect, it } from 'vitest';
import { formatTimestamp, parseRfc3339 } from '../../src/core/domain/time.js';

describe('parseRfc3339', () => {
  it('keeps years 0000–0099 as written (Date.UTC would read them as 1900–1999)', () => {
    for (const text of ['0001-01-01T00:00:00.000Z', '0099-12-31T23:59:59.000Z', '0000-02-29T12:00:00.000Z']) {
      expect(formatTimestamp(parseRfc3339(text)!)).toBe(text);
    }
  });

  it('knows leap days in early years and rejects days that do not exist', () => {
    expect(parseRfc3339('0004-02-29T00:00:00Z')).not.toBeNull();
    expect(parseRfc3339('0003-02-29T00:00:00Z')).toBeNull();
    expect(parseRfc3339('2026-02-29T00:00:00Z')).toBeNull();
  });

  it('converts offsets to UTC and truncates to milliseconds', () => {
    expect(formatTimestamp(parseRfc3339('2026-11-26T10:30:00.123456+01:30')!)).toBe(
      '2026-11-26T09:00:00.123Z',
    );
  });
});
