import { assertStorableBody } from './admin-text.js';
import type { Stream } from './entry.js';
import { AuditError, type ErrorDetail } from './errors.js';
import { fold } from './text-fold.js';
import { parseRfc3339Bound } from './time.js';

/**
 * Retention policies and legal holds, as plain data. A policy keeps a tenant's entries of one stream — the
 * administrative events of one category, every category (`category: null`), or the authentication log —
 * for `maxAgeDays` after they occurred; older ones are purged (lifecycle.ts). The most specific policy
 * applies: a category's own policy over the tenant's default for its stream. A stream without any policy is
 * kept forever. A legal hold keeps every entry it matches through every purge until it is released.
 */
export interface RetentionPolicy {
  tenant: string;
  stream: Stream;
  /** An administrative category, or null: every category without a policy of its own (and the auth log). */
  category: string | null;
  maxAgeDays: number;
  updatedMs: number;
}

export interface LegalHold {
  id: string;
  tenant: string;
  reason: string;
  /** Each criterion given narrows the hold; a hold with none holds every entry of the tenant. */
  actorId: string | null;
  targetType: string | null;
  targetId: string | null;
  category: string | null;
  fromMs: number | null;
  toMs: number | null;
  createdMs: number;
  createdBy: string;
  releasedMs: number | null;
  releasedBy: string | null;
}

/** What a hold is matched against: an entry's filter columns (auth entries: actorId is the user id). */
export interface PurgeCandidate {
  seq: number;
  occurredMs: number;
  actorId: string | null;
  /** Folded (text-fold.ts) as the `user` filter reads it; on an encrypted entry, its blind index. */
  username: string | null;
  targetType: string | null;
  targetId: string | null;
  category: string | null;
}

/** Which entries one purge pass looks at: one stream, occurred before `beforeMs`, these categories. */
export interface PurgeSelector {
  stream: Stream;
  beforeMs: number;
  /** Only these categories (a category's own policy). */
  categories?: string[];
  /** Every category but these (the default policy; they have policies of their own). */
  excludeCategories?: string[];
}

export const DAY_MS = 86_400_000;
/** 100 years: longer is "forever", which is what no policy means. */
const MAX_AGE_DAYS = 36_500;

/** The passes a purge at `nowMs` runs for one tenant's policies. */
export function purgeSelectors(policies: readonly RetentionPolicy[], nowMs: number): PurgeSelector[] {
  const out: PurgeSelector[] = [];
  for (const stream of ['event', 'auth'] as const) {
    const mine = policies.filter((p) => p.stream === stream);
    const own = mine.filter((p) => p.category !== null);
    for (const p of own) {
      out.push({ stream, beforeMs: nowMs - p.maxAgeDays * DAY_MS, categories: [p.category!] });
    }
    const fallback = mine.find((p) => p.category === null);
    if (fallback) {
      const beforeMs = nowMs - fallback.maxAgeDays * DAY_MS;
      out.push(
        stream === 'event' && own.length > 0
          ? { stream, beforeMs, excludeCategories: own.map((p) => p.category!) }
          : { stream, beforeMs },
      );
    }
  }
  return out;
}

/**
 * The cutoff (occurred before it = expired) that a tenant's selectors give an entry of `stream` and
 * `category`: its category's own policy, else the stream's default; null when no policy applies (kept).
 */
export function cutoffFor(
  selectors: readonly PurgeSelector[],
  stream: Stream,
  category: string | null,
): number | null {
  const mine = selectors.filter((s) => s.stream === stream);
  const own = category === null ? undefined : mine.find((s) => s.categories?.includes(category));
  return (own ?? mine.find((s) => !s.categories))?.beforeMs ?? null;
}

/**
 * The username a hold's `actorId` names, as the candidates' folded column holds it: a hold matches an actor id
 * exactly and a username case-insensitively, as `GET /v1/events?user=` does — a hold that missed `Jane.Admin`
 * for `jane.admin` let the purge remove events that filter shows it holds. A blind index (`bi:` and
 * lower-case hex, the alias of an encrypted entry's username) folds to itself.
 */
export function holdUsername(actorId: string): string {
  return fold(actorId);
}

/** Whether an active hold keeps `entry` (of `stream`). */
export function holdCovers(hold: LegalHold, stream: Stream, entry: PurgeCandidate): boolean {
  if (hold.releasedMs !== null) return false;
  if (hold.fromMs !== null && entry.occurredMs < hold.fromMs) return false;
  if (hold.toMs !== null && entry.occurredMs >= hold.toMs) return false;
  if (
    hold.actorId !== null &&
    entry.actorId !== hold.actorId &&
    entry.username !== holdUsername(hold.actorId)
  )
    return false;
  // A hold on a target or a category names administrative events; the auth log has neither.
  if (hold.targetType !== null || hold.targetId !== null || hold.category !== null) {
    if (stream !== 'event') return false;
    if (hold.targetType !== null && entry.targetType !== hold.targetType) return false;
    if (hold.targetId !== null && entry.targetId !== hold.targetId) return false;
    if (hold.category !== null && entry.category !== hold.category) return false;
  }
  return true;
}

/** A policy as a client sends it: `{ stream?, category?, maxAgeDays }`. */
export function parsePolicyInput(
  body: unknown,
  categories: ReadonlySet<string>,
): { stream: Stream; category: string | null; maxAgeDays: number } {
  const b = objectBody(body, ['stream', 'category', 'maxAgeDays'], 'The retention policy is not valid');
  const errors: ErrorDetail[] = [];
  const stream = b.stream ?? 'event';
  if (stream !== 'event' && stream !== 'auth')
    errors.push({ path: '/stream', message: 'must be "event" or "auth"' });
  const category = b.category ?? null;
  if (category !== null) {
    if (typeof category !== 'string' || !categories.has(category))
      errors.push({ path: '/category', message: 'must be a category of the catalog' });
    else if (stream === 'auth')
      errors.push({ path: '/category', message: 'the authentication log has no categories' });
  }
  const days = b.maxAgeDays;
  if (typeof days !== 'number' || !Number.isInteger(days) || days < 1 || days > MAX_AGE_DAYS)
    errors.push({ path: '/maxAgeDays', message: `must be an integer from 1 to ${MAX_AGE_DAYS}` });
  if (errors.length) throw new AuditError('invalid_request', 'The retention policy is not valid', errors);
  return { stream: stream as Stream, category: category as string | null, maxAgeDays: days as number };
}

export type HoldInput = Pick<
  LegalHold,
  'reason' | 'actorId' | 'targetType' | 'targetId' | 'category' | 'fromMs' | 'toMs'
>;

/** A hold as a client sends it: `{ reason, actorId?, targetType?, targetId?, category?, from?, to? }`. */
export function parseHoldInput(body: unknown, categories: ReadonlySet<string>): HoldInput {
  const b = objectBody(
    body,
    ['reason', 'actorId', 'targetType', 'targetId', 'category', 'from', 'to'],
    'The legal hold is not valid',
  );
  const errors: ErrorDetail[] = [];
  const text = (key: string, required: boolean): string | null => {
    const v = b[key];
    if (v === undefined || v === null) {
      if (required) errors.push({ path: `/${key}`, message: 'is required' });
      return null;
    }
    if (typeof v !== 'string' || v.length === 0 || v.length > 500) {
      errors.push({ path: `/${key}`, message: 'must be a string of 1 to 500 characters' });
      return null;
    }
    // A required text says something: white space only says nothing (a hold's reason is its record).
    if (required && v.trim() === '') {
      errors.push({ path: `/${key}`, message: 'must not be blank' });
      return null;
    }
    return v;
  };
  const time = (key: string): number | null => {
    const v = b[key];
    if (v === undefined || v === null) return null;
    const ms = typeof v === 'string' ? parseRfc3339Bound(v) : null;
    if (ms === null) errors.push({ path: `/${key}`, message: 'must be an RFC 3339 timestamp' });
    return ms;
  };
  const hold: HoldInput = {
    reason: text('reason', true) ?? '',
    actorId: text('actorId', false),
    targetType: text('targetType', false),
    targetId: text('targetId', false),
    category: text('category', false),
    fromMs: time('from'),
    toMs: time('to'),
  };
  if (hold.category !== null && !categories.has(hold.category))
    errors.push({ path: '/category', message: 'must be a category of the catalog' });
  if (hold.fromMs !== null && hold.toMs !== null && hold.toMs <= hold.fromMs)
    errors.push({ path: '/to', message: 'must be after from' });
  if (errors.length) throw new AuditError('invalid_request', 'The legal hold is not valid', errors);
  return hold;
}

/** The body as an object of `keys` only, whose values an audit event can hold (admin-text.ts). */
function objectBody(body: unknown, keys: readonly string[], invalid: string): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new AuditError('invalid_request', 'The body must be a JSON object', [
      { path: '', message: 'must be an object' },
    ]);
  const unknown = Object.keys(body).filter((k) => !keys.includes(k));
  if (unknown.length)
    throw new AuditError(
      'invalid_request',
      `Unknown field ${unknown.map((k) => `/${k}`).join(', ')}`,
      unknown.map((k) => ({ path: `/${k}`, message: 'is not a known field' })),
    );
  assertStorableBody(body, invalid);
  return body as Record<string, unknown>;
}
