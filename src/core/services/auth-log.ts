import { type AlertRules, DEFAULT_ALERT_RULES, type FailedAttempt } from '../domain/attack-detection.js';
import { splitBatch } from '../domain/batch-body.js';
import {
  decodeAlertCursor,
  decodeSessionCursor,
  encodeAlertCursor,
  encodeCursor,
  encodeSessionCursor,
} from '../domain/cursor.js';
import type { AppendedEntry, PreparedEntry } from '../domain/entry.js';
import { invalidQuery, notFound } from '../domain/errors.js';
import {
  enumList,
  ipFilter,
  keywordTerms,
  list,
  parseLimit,
  parseOrder,
  parsePage,
  type RawQuery,
  rejectUnknown,
  single,
  time,
} from '../domain/event-query.js';
import { formatAuthEvent, formatSession } from '../domain/format-auth.js';
import { formatEvent } from '../domain/format-event.js';
import { checkAuthEvents, prepareAuthEvents } from '../domain/prepare-auth-event.js';
import type { Redactor } from '../domain/redact.js';
import type { EntryRow } from '../domain/rows.js';
import {
  type Alert,
  AUTH_TYPES,
  LOGIN_METHODS,
  type Session,
  type StoredAuthEvent,
} from '../domain/schemas/auth-event-schema.js';
import type { StoredEvent } from '../domain/schemas/event-schema.js';
import type { SessionRow } from '../domain/session-merge.js';
import { authSubject } from '../domain/shred-auth-event.js';
import { fold } from '../domain/text-fold.js';
import { formatTimestamp, parseDuration } from '../domain/time.js';
import type { Store } from '../ports/store.js';
import { AuthReveal } from './auth-reveal.js';
import type { PersonalData } from './personal-data.js';

const PAGE = new Set(['limit', 'cursor', 'order']);
const DAY = 86_400_000;
const MAX_WINDOW = 30 * DAY;
const SESSION_ACTIONS_LIMIT = 1000;

type Append = (
  tenant: string,
  entries: PreparedEntry[],
  paths: readonly string[],
) => Promise<AppendedEntry[]>;

/**
 * The authentication log: a second stream in the same store and the same hash chain, plus what is derived
 * from it — sessions (which link to the administrative events carrying their id), failed-attempt counts
 * and attack alerts.
 */
export class AuthLog {
  readonly #store: Store;
  /** Crypto-shredding (AuditLog sets it): encrypts sign-ins, opens envelopes on every read. */
  #personal: PersonalData | undefined;
  #reveal: AuthReveal | undefined;
  readonly #now: () => number;
  readonly #append: Append;
  readonly #redactor: Pick<Redactor, 'redactText'>;
  readonly rules: AlertRules;

  constructor(
    store: Store,
    now: () => number,
    append: Append,
    redactor: Pick<Redactor, 'redactText'>,
    rules: Partial<AlertRules> = {},
  ) {
    this.#store = store;
    this.#now = now;
    this.#append = append;
    this.#redactor = redactor;
    this.rules = { ...DEFAULT_ALERT_RULES, ...rules };
  }

  set personal(personal: PersonalData) {
    this.#personal = personal;
    this.#reveal = personal.enabled ? new AuthReveal(personal) : undefined;
  }

  #revealRows(tenant: string, rows: EntryRow[]): Promise<EntryRow[]> {
    return this.#personal ? this.#personal.reveal(tenant, rows) : Promise.resolve(rows);
  }

  /** One auth event or `{ events: [ … ] }`; all or nothing, durable when it resolves. */
  async append(tenant: string, body: unknown): Promise<AppendedEntry[]> {
    const { items, paths } = splitBatch(body);
    const now = this.#now();
    const redact = (text: string) => this.#redactor.redactText(tenant, text);
    if (!this.#personal?.enabled)
      return this.#append(tenant, prepareAuthEvents(items, paths, now, redact), paths);
    // Checked first, since the subjects' keys are resolved (maybe created) before preparing.
    checkAuthEvents(items, paths, now);
    const subjects = items.map((e) => authSubject((e as { user: { id?: string; username: string } }).user));
    const shredder = (await this.#personal.shredder(tenant, subjects))!;
    return this.#append(
      tenant,
      prepareAuthEvents(items, paths, now, redact, { shredder, checked: true }),
      paths,
    );
  }

  async list(
    tenant: string,
    raw: RawQuery,
  ): Promise<{ events: StoredAuthEvent[]; nextCursor: string | null }> {
    rejectUnknown(raw, new Set(['from', 'to', 'user', 'type', 'method', 'ip', 'q', ...PAGE]));
    const users = list(raw, 'user');
    const filter = this.#filter(tenant, {
      fromMs: time(raw, 'from'),
      toMs: time(raw, 'to'),
      users,
      usersFolded: users?.map(fold),
      types: enumList(raw, 'type', AUTH_TYPES),
      methods: enumList(raw, 'method', LOGIN_METHODS),
      ip: ipFilter(raw),
      terms: keywordTerms(raw),
    });
    const page = parsePage(raw, { order: 'desc' });
    const rows = await this.#store.listAuthEvents(tenant, filter, { ...page, limit: page.limit + 1 });
    const shown = rows.slice(0, page.limit);
    const last = shown[shown.length - 1];
    return {
      events: (await this.#revealRows(tenant, shown)).map((r) => formatAuthEvent(r)),
      nextCursor:
        rows.length > page.limit && last
          ? encodeCursor({ occurredMs: last.occurredMs, seq: last.seq, order: page.order })
          : null,
    };
  }

  async sessions(tenant: string, raw: RawQuery): Promise<{ sessions: Session[]; nextCursor: string | null }> {
    rejectUnknown(raw, new Set(['from', 'to', 'user', 'ip', 'active', ...PAGE]));
    const users = list(raw, 'user');
    const active = single(raw, 'active');
    if (active !== undefined && active !== 'true' && active !== 'false') {
      throw invalidQuery('/active', 'must be true or false');
    }
    const order = parseOrder(raw, 'desc');
    const cursor = single(raw, 'cursor');
    const limit = parseLimit(raw, 50);
    const rows = await this.#store.listSessions(
      tenant,
      this.#filter(tenant, {
        fromMs: time(raw, 'from'),
        toMs: time(raw, 'to'),
        users,
        usersFolded: users?.map(fold),
        ip: ipFilter(raw),
        active: active === undefined ? undefined : active === 'true',
      }),
      { order, limit: limit + 1, ...(cursor ? { after: decodeSessionCursor(cursor, order) } : {}) },
    );
    const shown = rows.slice(0, limit);
    const last = shown[shown.length - 1];
    return {
      sessions: (await this.#revealSessions(tenant, shown)).map(formatSession),
      nextCursor:
        rows.length > limit && last ? encodeSessionCursor(last.sortMs, last.sessionId, order) : null,
    };
  }

  /** One session with the administrative events performed in it, oldest first. */
  async session(
    tenant: string,
    sessionId: string,
  ): Promise<Session & { actions: StoredEvent[]; actionsTruncated: boolean }> {
    const stored = await this.#store.getSession(tenant, sessionId);
    if (!stored) throw notFound(`Session ${sessionId}`);
    const [row] = await this.#revealSessions(tenant, [stored]);
    const actions = await this.#store.listEvents(
      tenant,
      { sessionId },
      { order: 'asc', limit: SESSION_ACTIONS_LIMIT + 1 },
    );
    return {
      ...formatSession(row!),
      actions: (await this.#revealRows(tenant, actions.slice(0, SESSION_ACTIONS_LIMIT))).map((r) =>
        formatEvent(r),
      ),
      actionsTruncated: actions.length > SESSION_ACTIONS_LIMIT,
    };
  }

  /** Failed attempts in the window that ends at `to` (default now), grouped by username or IP. */
  /**
   * Failed attempts in the window that ends at `to` (default now), grouped by username or IP; with
   * `bucket=1h` (an addition) also split into consecutive buckets, for charts of failures over time.
   */
  async failures(tenant: string, raw: RawQuery) {
    rejectUnknown(raw, new Set(['window', 'groupBy', 'to', 'bucket']));
    const windowMs = parseWindow(single(raw, 'window'), this.rules.windowMs);
    const groupBy = single(raw, 'groupBy') ?? 'user';
    if (groupBy !== 'user' && groupBy !== 'ip') throw invalidQuery('/groupBy', 'must be user or ip');
    const toMs = time(raw, 'to') ?? this.#now();
    const bucketText = single(raw, 'bucket');
    const bucketMs = bucketText === undefined ? undefined : parseWindow(bucketText, 0, 'bucket');
    if (bucketMs !== undefined && windowMs / bucketMs > MAX_BUCKETS) {
      throw invalidQuery('/bucket', `must split the window into at most ${MAX_BUCKETS} buckets`);
    }
    const fromMs = toMs - windowMs;
    const stored = await this.#store.failureGroups(tenant, fromMs, toMs, groupBy);
    const groups = (this.#reveal ? await this.#reveal.failureGroups(tenant, stored, groupBy) : stored).map(
      (g) => ({
        key: g.key,
        count: g.count,
        firstAt: formatTimestamp(g.firstMs),
        lastAt: formatTimestamp(g.lastMs),
      }),
    );
    if (bucketMs === undefined) return { groups };
    return {
      groups,
      buckets: bucketize(await this.#failures(tenant, fromMs, toMs), fromMs, toMs, bucketMs, groupBy),
    };
  }

  /**
   * Brute force and password spraying between `from` and `to` (default: the last 24 hours), a page at a
   * time (`limit`, default 50; `cursor`). A cursor keeps the range it was issued for unless `to` is given.
   */
  async alerts(tenant: string, raw: RawQuery): Promise<{ alerts: Alert[]; nextCursor: string | null }> {
    rejectUnknown(raw, new Set(['from', 'to', 'limit', 'cursor']));
    const cursor = single(raw, 'cursor');
    const after = cursor ? decodeAlertCursor(cursor) : undefined;
    const toMs = time(raw, 'to') ?? after?.toMs ?? this.#now();
    const fromMs = time(raw, 'from') ?? toMs - DAY;
    if (fromMs >= toMs) throw invalidQuery('/from', 'must be before to');
    const limit = parseLimit(raw, 50);
    // An attack that began before `from` and goes on after it is still reported (the store reads a window earlier).
    const page = await this.#store.alertPage(tenant, this.rules, { fromMs, toMs, limit, after });
    return {
      alerts: this.#reveal ? await this.#reveal.alerts(tenant, page) : page.alerts,
      nextCursor: page.next ? encodeAlertCursor(page.next, toMs) : null,
    };
  }

  /** User and IP filter values as the columns hold them (blind indexes when encrypted). */
  #filter<
    F extends { users?: string[]; usersFolded?: string[]; ip?: { lo: string; hi: string; prefix: string } },
  >(tenant: string, f: F): F {
    return this.#personal ? this.#personal.filter(tenant, f) : f;
  }

  #revealSessions(tenant: string, rows: SessionRow[]): Promise<SessionRow[]> {
    return this.#reveal ? this.#reveal.sessions(tenant, rows) : Promise.resolve(rows);
  }

  async #failures(tenant: string, fromMs: number, toMs: number): Promise<FailedAttempt[]> {
    const list = await this.#store.failures(tenant, fromMs, toMs);
    return this.#reveal ? this.#reveal.failures(tenant, list) : list;
  }
}

const MAX_BUCKETS = 1000;

function bucketize(
  failures: FailedAttempt[],
  fromMs: number,
  toMs: number,
  bucketMs: number,
  groupBy: 'user' | 'ip',
) {
  const buckets: { from: string; to: string; counts: Map<string, number> }[] = [];
  for (let start = fromMs; start < toMs; start += bucketMs) {
    buckets.push({
      from: formatTimestamp(start),
      to: formatTimestamp(Math.min(start + bucketMs, toMs)),
      counts: new Map(),
    });
  }
  for (const f of failures) {
    const b = buckets[Math.floor((f.occurredMs - fromMs) / bucketMs)];
    if (!b) continue;
    const key = groupBy === 'user' ? f.username : f.ip;
    b.counts.set(key, (b.counts.get(key) ?? 0) + 1);
  }
  return buckets.map((b) => ({
    from: b.from,
    to: b.to,
    groups: [...b.counts]
      .map(([key, count]) => ({ key, count }))
      .sort((x, y) => y.count - x.count || (x.key < y.key ? -1 : 1)),
  }));
}

function parseWindow(text: string | undefined, fallback: number, name = 'window'): number {
  if (text === undefined) return fallback;
  const ms = parseDuration(text);
  if (ms === null || ms <= 0 || ms > MAX_WINDOW) {
    throw invalidQuery(`/${name}`, 'must be a duration such as 15m, 1h or 7d (at most 30d)');
  }
  return ms;
}
