import type { Alert } from './schemas/auth-event-schema.js';

export interface FailedAttempt {
  /**
   * The username folded (text-fold.ts: case and Unicode form do not make another target), or its blind index
   * when encrypted (docs/lifecycle.md#the-authentication-log).
   */
  username: string;
  /** The address, or its blind index when encrypted. */
  ip: string;
  occurredMs: number;
  /** When encrypted: the envelopes (JSON text) of the user and the address, which reads open. */
  sealedUser?: string | null;
  sealedIp?: string | null;
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

/** The most IPs (brute force) or usernames (spraying) one alert lists; `ipCount` / `usernameCount` tell all. */
export const ALERT_DETAIL_LIMIT = 20;

/** Alerts come by last attempt, newest first, then by subject and kind (code-unit order): a total order. */
export interface AlertPosition {
  lastMs: number;
  subject: string;
  kind: Alert['kind'];
}

export interface AlertQuery {
  /** Alerts whose last attempt is before `fromMs` are left out; those that began earlier are kept. */
  fromMs: number;
  toMs: number;
  limit: number;
  /** Only alerts strictly after this position. */
  after?: AlertPosition;
}

export interface AlertPage {
  alerts: Alert[];
  /** Where the next page starts, or null at the end. */
  next: AlertPosition | null;
  /** When encrypted: each blind index the alerts name → a few envelopes of its value (JSON text). */
  sealed?: Record<string, string[]>;
}

/** A run of attempts that makes an alert: `list[start..end]`, sorted by time. */
interface Span extends AlertPosition {
  list: FailedAttempt[];
  start: number;
  end: number;
}

/**
 * Attack detection over failed logins, as a pure function of the stored failures (a restart loses
 * nothing). For each subject (a username for brute force, an IP for spraying) a sliding window finds the
 * moments the rule holds; overlapping windows merge into one alert spanning first to last attempt. Returns
 * one page, and each alert with at most ALERT_DETAIL_LIMIT addresses or usernames: the answer stays small
 * however many attempts an attack made. Plain data in and out, so a store runs it next to its read.
 */
export function alertPage(failures: readonly FailedAttempt[], rules: AlertRules, q: AlertQuery): AlertPage {
  const found: Span[] = [];
  const collect = (
    kind: Alert['kind'],
    by: (f: FailedAttempt) => string,
    threshold: number,
    distinctBy?: (f: FailedAttempt) => string,
  ) => {
    for (const [subject, list] of groupSorted(failures, by)) {
      for (const [start, end] of spans(list, rules.windowMs, threshold, distinctBy)) {
        const lastMs = list[end]!.occurredMs;
        if (lastMs >= q.fromMs) found.push({ kind, subject, lastMs, list, start, end });
      }
    }
  };
  collect('brute_force', (f) => f.username, rules.bruteForceFailures);
  collect(
    'password_spraying',
    (f) => f.ip,
    rules.sprayingUsernames,
    (f) => f.username,
  );
  const after = q.after;
  const shown = (after ? found.filter((s) => compare(s, after) > 0) : found).sort(compare);
  const page = shown.slice(0, q.limit);
  const last = page[page.length - 1];
  const alerts = page.map(toAlert);
  return {
    alerts,
    next:
      shown.length > q.limit && last ? { lastMs: last.lastMs, subject: last.subject, kind: last.kind } : null,
    ...sealedOf(alerts, failures),
  };
}

/** Up to SAMPLES envelopes of each blind index the alerts name (none when the attempts are in clear). */
const SAMPLES = 4;
function sealedOf(
  alerts: Alert[],
  failures: readonly FailedAttempt[],
): { sealed?: Record<string, string[]> } {
  const wanted = new Set<string>();
  for (const a of alerts) {
    for (const v of [a.subject, ...(a.ips ?? []), ...(a.usernames ?? [])])
      if (v.startsWith('bi:')) wanted.add(v);
  }
  if (wanted.size === 0) return {};
  const sealed: Record<string, string[]> = {};
  const add = (blind: string, envelope: string | null | undefined) => {
    if (!envelope || !wanted.has(blind)) return;
    const list = sealed[blind] ?? [];
    sealed[blind] = list;
    if (list.length < SAMPLES && !list.includes(envelope)) list.push(envelope);
  };
  for (const f of failures) {
    add(f.username, f.sealedUser);
    add(f.ip, f.sealedIp);
  }
  return { sealed };
}

function compare(a: AlertPosition, b: AlertPosition): number {
  if (a.lastMs !== b.lastMs) return b.lastMs - a.lastMs;
  if (a.subject !== b.subject) return a.subject < b.subject ? -1 : 1;
  return a.kind === b.kind ? 0 : a.kind < b.kind ? -1 : 1;
}

function toAlert(s: Span): Alert {
  const brute = s.kind === 'brute_force';
  const counts = new Map<string, number>();
  for (let i = s.start; i <= s.end; i++) {
    const value = brute ? s.list[i]!.ip : s.list[i]!.username;
    counts.set(value, (counts.get(value) ?? 0) + 1);
  }
  // The values tried most often first: with thousands, those are the ones worth reading.
  const top = [...counts]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .slice(0, ALERT_DETAIL_LIMIT)
    .map(([value]) => value);
  const firstMs = s.list[s.start]!.occurredMs;
  const attempts = new URLSearchParams({
    type: 'login_failure',
    [brute ? 'user' : 'ip']: s.subject,
    from: iso(firstMs),
    to: iso(s.lastMs + 1),
  });
  return {
    kind: s.kind,
    subject: s.subject,
    count: s.end - s.start + 1,
    firstAt: iso(firstMs),
    lastAt: iso(s.lastMs),
    ...(brute ? { ips: top, ipCount: counts.size } : { usernames: top, usernameCount: counts.size }),
    attemptsQuery: attempts.toString(),
  };
}

const iso = (ms: number) => new Date(ms).toISOString();

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
 * The maximal runs of attempts (first and last index) covered by windows (of length `windowMs`, each
 * starting at an attempt) that hold at least `threshold` attempts — or, with `distinctBy`, at least
 * `threshold` distinct values. One pass with two pointers and a count per value, so a burst of a million
 * attempts stays linear.
 */
function spans(
  list: FailedAttempt[],
  windowMs: number,
  threshold: number,
  distinctBy?: (f: FailedAttempt) => string,
): [number, number][] {
  const out: [number, number][] = [];
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
      if (spanStart !== -1) out.push([spanStart, spanEnd]);
      spanStart = start;
      spanEnd = end - 1;
    }
  }
  if (spanStart !== -1) out.push([spanStart, spanEnd]);
  return out;
}
