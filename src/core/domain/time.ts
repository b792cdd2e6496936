/**
 * RFC 3339 timestamps. Stored times are UTC with millisecond precision (`2026-11-26T09:30:00.123Z`); finer
 * digits are truncated, offsets are converted to UTC. Pure functions: callers pass `now`.
 */

const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?([Zz]|([+-])(\d{2}):(\d{2}))$/;

/** Milliseconds since the epoch, or null when `text` is not a valid RFC 3339 date-time. */
export function parseRfc3339(text: string): number | null {
  const m = RFC3339.exec(text);
  if (!m) return null;
  const [, y, mo, d, h, mi, s, frac, , sign, oh, om] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  if (hour > 23 || minute > 59 || second > 60) return null;
  const ms = frac ? Number(frac.slice(0, 3).padEnd(3, '0')) : 0;
  // Date.UTC reads years 0–99 as 1900–1999; setting the full year afterwards keeps them as written.
  const date = new Date(Date.UTC(2000, month - 1, day, hour, minute, Math.min(second, 59), ms));
  date.setUTCFullYear(year);
  let t = date.getTime();
  if (sign) {
    const offH = Number(oh);
    const offM = Number(om);
    if (offH > 23 || offM > 59) return null;
    const offset = (offH * 60 + offM) * 60_000;
    t += sign === '+' ? -offset : offset;
  }
  return Number.isFinite(t) ? t : null;
}

function daysInMonth(year: number, month: number): number {
  const date = new Date(Date.UTC(2000, 0, 1));
  date.setUTCFullYear(year, month, 0);
  return date.getUTCDate();
}

let lastMs = Number.NaN;
let lastText = '';

/** RFC 3339 UTC with milliseconds. Entries of one batch share a receive time, so the last one is kept. */
export function formatTimestamp(ms: number): string {
  if (ms !== lastMs) {
    lastText = new Date(ms).toISOString();
    lastMs = ms;
  }
  return lastText;
}

/** A duration such as `15m`, `2h`, `90s`, `1d` in milliseconds, or null. */
export function parseDuration(text: string): number | null {
  const m = /^(\d{1,6})(ms|s|m|h|d)$/.exec(text.trim());
  if (!m) return null;
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[
    m[2] as 'ms' | 's' | 'm' | 'h' | 'd'
  ];
  return Number(m[1]) * unit;
}
