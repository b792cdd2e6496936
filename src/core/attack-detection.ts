import type { Alert } from './schemas/auth-event-schema.js';

export interface FailedAttempt {
  username: string;
  ip: string;
  occurredMs: number;
}

export interface AlertRules {
  /** Brute force: at least this many failures for one username within `windowMs`. Default 5. */
  bruteForceFailures: number;
  /** Password spraying: at least this many distinct usernames failing from one IP within `windowMs`. Default 10. */
  sprayingUsernames: number;
  /** Default 15 minutes. */
  windowMs: number;
}

export const DEFAULT_ALERT_RULES: AlertRules = {
  bruteForceFailures: 5,
  sprayingUsernames: 10,
  windowMs: 15 * 60_000,
};

/**
 * Attack detection over failed logins, as a pure function of the stored failures (a restart loses
 * nothing). For each subject (a username for brute force, an IP for spraying) a sliding window finds the
 * moments the rule holds; overlapping windows merge into one alert spanning first to last attempt.
 */
export function detectAttacks(failures: readonly FailedAttempt[], rules: AlertRules): Alert[] {
  const byUser = groupSorted(failures, (f) => f.username);
  const byIp = groupSorted(failures, (f) => f.ip);
  const alerts: Alert[] = [];
  for (const [username, list] of byUser) {
    for (const span of spans(list, rules.windowMs, rules.bruteForceFailures)) {
      alerts.push({
        kind: 'brute_force',
        subject: username,
        count: span.length,
        firstAt: iso(span[0]!.occurredMs),
        lastAt: iso(span[span.length - 1]!.occurredMs),
        ips: distinct(span.map((f) => f.ip)),
      });
    }
  }
  for (const [ip, list] of byIp) {
    for (const span of spans(list, rules.windowMs, rules.sprayingUsernames, (f) => f.username)) {
      alerts.push({
        kind: 'password_spraying',
        subject: ip,
        count: span.length,
        firstAt: iso(span[0]!.occurredMs),
        lastAt: iso(span[span.length - 1]!.occurredMs),
        usernames: distinct(span.map((f) => f.username)),
      });
    }
  }
  return alerts.sort((a, b) =>
    a.lastAt < b.lastAt ? 1 : a.lastAt > b.lastAt ? -1 : a.subject.localeCompare(b.subject),
  );
}

const iso = (ms: number) => new Date(ms).toISOString();
const distinct = (values: string[]) => [...new Set(values)].sort();

function groupSorted(
  failures: readonly FailedAttempt[],
  key: (f: FailedAttempt) => string,
): Map<string, FailedAttempt[]> {
  const groups = new Map<string, FailedAttempt[]>();
  for (const f of failures) {
    const k = key(f);
    const list = groups.get(k);
    if (list) list.push(f);
    else groups.set(k, [f]);
  }
  for (const list of groups.values()) list.sort((a, b) => a.occurredMs - b.occurredMs);
  return groups;
}

/**
 * The maximal runs of attempts covered by windows (of length `windowMs`, each starting at an attempt) that
 * hold at least `threshold` attempts — or, with `distinctBy`, at least `threshold` distinct values. One
 * pass with two pointers and a count per value, so a burst of a million attempts stays linear.
 */
function spans(
  list: FailedAttempt[],
  windowMs: number,
  threshold: number,
  distinctBy?: (f: FailedAttempt) => string,
): FailedAttempt[][] {
  const out: FailedAttempt[][] = [];
  const counts = new Map<string, number>();
  const add = (f: FailedAttempt) => {
    if (distinctBy) counts.set(distinctBy(f), (counts.get(distinctBy(f)) ?? 0) + 1);
  };
  const remove = (f: FailedAttempt) => {
    if (!distinctBy) return;
    const k = distinctBy(f);
    const n = counts.get(k)! - 1;
    if (n === 0) counts.delete(k);
    else counts.set(k, n);
  };
  let spanStart = -1;
  let spanEnd = -1;
  let end = 0;
  for (let start = 0; start < list.length; start++) {
    if (start > 0) remove(list[start - 1]!);
    while (end < list.length && list[end]!.occurredMs < list[start]!.occurredMs + windowMs) add(list[end++]!);
    const measure = distinctBy ? counts.size : end - start;
    if (measure < threshold) continue;
    if (spanStart !== -1 && start <= spanEnd) {
      spanEnd = Math.max(spanEnd, end - 1);
    } else {
      if (spanStart !== -1) out.push(list.slice(spanStart, spanEnd + 1));
      spanStart = start;
      spanEnd = end - 1;
    }
  }
  if (spanStart !== -1) out.push(list.slice(spanStart, spanEnd + 1));
  return out;
}
