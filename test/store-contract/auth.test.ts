// The authentication stream: listAuthEvents filters and pages, sessions derived from the events (in any order of
// arrival), failed logins grouped and listed over half-open windows.
import { beforeAll, describe, expect, it } from 'vitest';
import { type AlertPage, type AlertPosition, alertPage } from '../../src/core/domain/attack-detection.js';
import type { PreparedAuthEvent } from '../../src/core/domain/entry.js';
import type {
  AuthEventFilter,
  PageSpec,
  SessionFilter,
  SessionPageSpec,
} from '../../src/core/domain/filters.js';
import { ipKey, parseIpFilter } from '../../src/core/domain/ip.js';
import type { Alert } from '../../src/core/domain/schemas/auth-event-schema.js';
import { mergeSession, type SessionRow } from '../../src/core/domain/session-merge.js';
import { fold } from '../../src/core/domain/text-fold.js';
import {
  type AuthInput,
  append,
  BASE_MS,
  iso,
  MINUTE,
  prepareAuth,
  prepareAuthBatch,
  rng,
} from './entries.js';
import { compareIn, ids } from './event-dataset.js';
import { storePerFile } from './store-under-test.js';

const sut = storePerFile();
const store = () => sut().store;

const T = 'auth';

interface AuthModel {
  entry: PreparedAuthEvent;
  seq: number;
}

const USERS = [
  { id: 'u-1', username: 'Jane.Admin', displayName: 'Jane Admin' },
  { id: 'u-2', username: 'bob' },
  { id: 'U-3', username: 'ÉLODIE', displayName: 'Élodie Martin' },
  { id: 'jane.admin', username: 'other.jane' },
];
const IPS = ['10.0.0.1', '10.0.0.77', '10.2.3.4', '192.168.5.5', '2001:db8::1', '2001:db8:1::2'];
const AGENTS = [undefined, 'Mozilla/5.0 Firefox/128.0', 'curl/8.5 (100% _real_)'];
const WINDOW_START = BASE_MS;

/** A deterministic stream of authentication events over about a day. */
function authInputs(n: number, seed: number): AuthInput[] {
  const r = rng(seed);
  const out: AuthInput[] = [];
  for (let i = 0; i < n; i++) {
    const user = r.pick(USERS);
    const ip = r.pick(IPS);
    const at = iso(WINDOW_START + r.int(0, 24 * 60) * MINUTE);
    const agent = r.pick(AGENTS);
    const common = { id: `auth-${seed}-${i}`, occurredAt: at, ip, ...(agent ? { userAgent: agent } : {}) };
    const session = `s-${seed}-${r.int(0, n / 3)}`;
    const kind = r.int(0, 9);
    if (kind < 3) {
      out.push({
        ...common,
        type: 'login_success',
        user,
        method: r.pick(['password', 'password_totp', 'password_email_2fa']),
        sessionId: session,
      });
    } else if (kind < 6) {
      const typed = r.chance(0.3) ? { username: r.pick(['ghost', 'admin', 'root']) } : user;
      out.push({
        ...common,
        type: 'login_failure',
        user: typed,
        reason: r.pick(['bad_password', 'unknown_user', 'bad_totp', 'locked']),
      });
    } else {
      out.push({
        ...common,
        type: r.pick(['logout', 'logout', 'session_expired', 'session_revoked']),
        user,
        sessionId: session,
      });
    }
  }
  return out;
}

const all: AuthModel[] = [];

beforeAll(async () => {
  const inputs = authInputs(240, 1);
  const sizes = [1, 40, 3, 100, 1, 95];
  let i = 0;
  for (let b = 0; i < inputs.length; b++) {
    const part = inputs.slice(i, i + sizes[b % sizes.length]!);
    const stored = await append(store(), T, prepareAuthBatch(part));
    all.push(...stored.map((s) => ({ entry: s.entry as PreparedAuthEvent, seq: s.seq })));
    i += part.length;
  }
  // Another tenant with the same session ids and users: never visible from T.
  await append(store(), `${T}-other`, prepareAuthBatch(authInputs(60, 1)));
});

// ------------------------------------------------------------------------------------------------ the model

function authMatches(m: AuthModel, f: AuthEventFilter): boolean {
  const c = m.entry.columns;
  if (f.fromMs !== undefined && !(m.entry.occurredMs >= f.fromMs)) return false;
  if (f.toMs !== undefined && !(m.entry.occurredMs < f.toMs)) return false;
  if (f.users && !f.users.some((u) => c.userId === u || fold(c.username) === fold(u))) return false;
  if (f.types && !f.types.includes(c.type)) return false;
  if (f.methods && (c.method === null || !f.methods.includes(c.method))) return false;
  if (f.ip) {
    const key = ipKey(c.ip)!;
    if (key < f.ip.lo || key > f.ip.hi) return false;
  }
  if (f.terms && !f.terms.every((t) => m.entry.search.some((s) => s.includes(t)))) return false;
  return true;
}

function expectedAuth(f: AuthEventFilter, page: PageSpec): AuthModel[] {
  const pos = (m: AuthModel) => ({ occurredMs: m.entry.occurredMs, seq: m.seq });
  return all
    .filter((m) => authMatches(m, f))
    .filter((m) => !page.after || compareIn(page, pos(m), page.after) > 0)
    .sort((a, b) => compareIn(page, pos(a), pos(b)))
    .slice(0, page.limit);
}

/** Sessions folded from the events in the order they were appended (mergeSession is order-independent). */
function modelSessions(events: AuthModel[]): Map<string, SessionRow> {
  const sessions = new Map<string, SessionRow>();
  for (const m of events) {
    const id = m.entry.columns.sessionId;
    if (id === null) continue;
    const next = mergeSession(sessions.get(id), { ...m.entry.columns, occurredMs: m.entry.occurredMs });
    if (next) sessions.set(id, next);
  }
  return sessions;
}

function sessionMatches(s: SessionRow, f: SessionFilter): boolean {
  if (
    f.users &&
    !f.users.some((u) => s.userId === u || (s.username !== null && fold(s.username) === fold(u)))
  )
    return false;
  if (f.ip && (s.ipKey === null || s.ipKey < f.ip.lo || s.ipKey > f.ip.hi)) return false;
  if (f.active !== undefined && (s.endedMs === null) !== f.active) return false;
  if (f.fromMs !== undefined && !(s.sortMs >= f.fromMs)) return false;
  if (f.toMs !== undefined && !(s.sortMs < f.toMs)) return false;
  return true;
}

const sessionOrder = (order: 'asc' | 'desc') => (a: SessionRow, b: SessionRow) => {
  const c = a.sortMs - b.sortMs || (a.sessionId < b.sessionId ? -1 : a.sessionId > b.sessionId ? 1 : 0);
  return order === 'asc' ? c : -c;
};

function expectedSessions(
  sessions: Iterable<SessionRow>,
  f: SessionFilter,
  page: SessionPageSpec,
): SessionRow[] {
  const cmp = sessionOrder(page.order);
  return [...sessions]
    .filter((s) => sessionMatches(s, f))
    .filter(
      (s) => !page.after || cmp(s, { ...s, sortMs: page.after.sortMs, sessionId: page.after.sessionId }) > 0,
    )
    .sort(cmp)
    .slice(0, page.limit);
}

const users = (...values: string[]) => ({ users: values, usersFolded: values.map(fold) });
const range = (text: string) => parseIpFilter(text)!;

// ------------------------------------------------------------------------------------------------ the tests

describe('listAuthEvents', () => {
  const cases: [string, AuthEventFilter][] = [
    ['no filter', {}],
    [
      'fromMs (inclusive) and toMs (exclusive)',
      { fromMs: WINDOW_START + 300 * MINUTE, toMs: WINDOW_START + 900 * MINUTE },
    ],
    ['users: an id', users('u-2')],
    ['users: a username in other case', users('JANE.ADMIN')],
    ['users: a folded non-ASCII username', users('élodie')],
    ['users: a username typed in a failure, with no user id', users('Ghost')],
    ['users: ids match exactly', users('u-3')],
    ['types', { types: ['login_failure'] }],
    ['types: several', { types: ['logout', 'session_expired', 'session_revoked'] }],
    ['methods', { methods: ['password_totp'] }],
    ['ip: /24', { ip: range('10.0.0.0/24') }],
    ['ip: /8', { ip: range('10.0.0.0/8') }],
    ['ip: IPv6 /48', { ip: range('2001:db8::/48') }],
    ['ip: one address', { ip: range('192.168.5.5') }],
    ['terms: a reason', { terms: ['bad_totp'] }],
    ['terms: an agent, with % and _ literal', { terms: ['100% _real_'] }],
    ['terms: _ alone', { terms: ['_'] }],
    ['terms: % alone', { terms: ['%'] }],
    ['terms: two', { terms: ['firefox', 'jane'] }],
    ['terms: nothing', { terms: ['zzzz'] }],
    [
      'everything at once',
      {
        ...users('u-1', 'bob'),
        types: ['login_success', 'login_failure'],
        ip: range('10.0.0.0/8'),
        fromMs: WINDOW_START + 60 * MINUTE,
      },
    ],
  ];
  for (const [name, filter] of cases) {
    it(name, async () => {
      for (const order of ['desc', 'asc'] as const) {
        const page: PageSpec = { order, limit: 1000 };
        expect(ids(await store().listAuthEvents(T, filter, page)), order).toEqual(
          expectedAuth(filter, page).map((m) => m.entry.id),
        );
      }
    });
  }

  it('the model finds something for most filters', () => {
    const empty = cases.filter(([, f]) => all.filter((m) => authMatches(m, f)).length === 0).map(([n]) => n);
    expect(empty.sort()).toEqual(['terms: nothing', 'users: ids match exactly']);
  });

  it('rows carry what was appended', async () => {
    const rows = await store().listAuthEvents(T, {}, { order: 'asc', limit: 1000 });
    const bySeq = new Map(all.map((m) => [m.seq, m]));
    expect(rows).toHaveLength(all.length);
    for (const row of rows) {
      const m = bySeq.get(row.seq)!;
      expect(row.tenant).toBe(T);
      expect(row.body).toBe(m.entry.body);
      expect(row.occurredMs).toBe(m.entry.occurredMs);
      expect(row.receivedMs).toBe(m.entry.receivedMs);
    }
  });

  for (const order of ['asc', 'desc'] as const) {
    it(`keyset pages of 7, ${order}: every match exactly once`, async () => {
      for (const filter of [{}, { types: ['login_failure'] }] as AuthEventFilter[]) {
        const rows: { body: string; occurredMs: number; seq: number }[] = [];
        for (;;) {
          const last = rows.at(-1);
          const page = await store().listAuthEvents(T, filter, {
            order,
            limit: 7,
            ...(last ? { after: { occurredMs: last.occurredMs, seq: last.seq } } : {}),
          });
          expect(page.length).toBeLessThanOrEqual(7);
          rows.push(...page);
          if (page.length < 7) break;
        }
        expect(ids(rows)).toEqual(expectedAuth(filter, { order, limit: 10_000 }).map((m) => m.entry.id));
      }
    });
  }

  it('administrative events are not authentication events, and tenants are apart', async () => {
    expect(await store().listAuthEvents('nobody', {}, { order: 'asc', limit: 10 })).toEqual([]);
    const other = await store().listAuthEvents(`${T}-other`, {}, { order: 'asc', limit: 1000 });
    expect(other).toHaveLength(60);
    expect(await store().listEvents(T, {}, { order: 'asc', limit: 10 })).toEqual([]);
  });
});

describe('sessions: derived from the events', () => {
  it('getSession answers every session of the data set as session-merge.ts folds it', async () => {
    const sessions = modelSessions(all);
    expect(sessions.size).toBeGreaterThan(20);
    for (const [id, s] of sessions) expect(await store().getSession(T, id), id).toEqual(s);
    expect(await store().getSession(T, 'no-such-session')).toBeUndefined();
  });

  it('listSessions filters (users, ip, active) and orders by (sortMs, sessionId), paged', async () => {
    const sessions = [...modelSessions(all).values()];
    const filters: SessionFilter[] = [
      {},
      users('JANE.ADMIN'),
      users('u-2', 'U-3'),
      { ip: range('10.0.0.0/8') },
      { active: true },
      { active: false },
      { active: false, ...users('bob') },
    ];
    for (const filter of filters) {
      for (const order of ['asc', 'desc'] as const) {
        const want = expectedSessions(sessions, filter, { order, limit: 10_000 });
        expect(want.length, JSON.stringify(filter)).toBeGreaterThan(0);
        const all1 = await store().listSessions(T, filter, { order, limit: 10_000 });
        expect(all1, `${order} ${JSON.stringify(filter)}`).toEqual(want);
        const paged: SessionRow[] = [];
        for (;;) {
          const last = paged.at(-1);
          const page = await store().listSessions(T, filter, {
            order,
            limit: 6,
            ...(last ? { after: { sortMs: last.sortMs, sessionId: last.sessionId } } : {}),
          });
          paged.push(...page);
          if (page.length < 6) break;
        }
        expect(
          paged.map((s) => s.sessionId),
          `paged ${order} ${JSON.stringify(filter)}`,
        ).toEqual(want.map((s) => s.sessionId));
      }
    }
  });

  describe('arrival order does not matter', () => {
    const t = 'auth-sessions';
    const login = (session: string, at: number, extra: Partial<AuthInput> = {}): AuthInput => ({
      id: `${session}-login-${at}`,
      type: 'login_success',
      occurredAt: iso(at),
      user: { id: 'u-9', username: 'Nina', displayName: 'Nina N' },
      method: 'password_totp',
      sessionId: session,
      ip: '203.0.113.9',
      userAgent: 'agent-login',
      ...extra,
    });
    const end = (session: string, type: string, at: number, extra: Partial<AuthInput> = {}): AuthInput => ({
      id: `${session}-${type}-${at}`,
      type,
      occurredAt: iso(at),
      user: { id: 'u-8', username: 'Ender' },
      sessionId: session,
      ip: '198.51.100.8',
      userAgent: 'agent-end',
      ...extra,
    });
    const t0 = BASE_MS + 2 * 86_400_000;

    it('login then logout, and logout then login: the same session', async () => {
      await append(store(), t, [prepareAuth(login('s-a', t0))]);
      const open = await store().getSession(t, 's-a');
      expect(open).toMatchObject({
        sessionId: 's-a',
        userId: 'u-9',
        username: 'Nina',
        usernameFolded: 'nina',
        displayName: 'Nina N',
        method: 'password_totp',
        ip: '203.0.113.9',
        ipKey: ipKey('203.0.113.9'),
        userAgent: 'agent-login',
        loginMs: t0,
        endedMs: null,
        endReason: null,
        sortMs: t0,
      });
      await append(store(), t, [prepareAuth(end('s-a', 'logout', t0 + 90_500))]);
      const closed = await store().getSession(t, 's-a');
      expect(closed).toEqual({ ...open, endedMs: t0 + 90_500, endReason: 'logout' });

      await append(store(), t, [prepareAuth(end('s-b', 'logout', t0 + 90_500))]);
      const ended = await store().getSession(t, 's-b');
      expect(ended).toMatchObject({
        userId: 'u-8',
        username: 'Ender',
        loginMs: null,
        endedMs: t0 + 90_500,
        endReason: 'logout',
        sortMs: t0 + 90_500,
        method: null,
      });
      await append(store(), t, [prepareAuth(login('s-b', t0))]);
      expect(await store().getSession(t, 's-b')).toEqual({ ...closed, sessionId: 's-b' });
    });

    it('ends map to logout, expired, revoked; the earliest login and the earliest end win', async () => {
      await append(store(), t, [prepareAuth(end('s-c', 'session_expired', t0 + 5 * MINUTE))]);
      expect((await store().getSession(t, 's-c'))?.endReason).toBe('expired');
      await append(store(), t, [prepareAuth(end('s-c', 'session_revoked', t0 + 3 * MINUTE))]);
      expect(await store().getSession(t, 's-c')).toMatchObject({
        endReason: 'revoked',
        endedMs: t0 + 3 * MINUTE,
      });
      await append(store(), t, [prepareAuth(end('s-c', 'logout', t0 + 4 * MINUTE))]);
      expect(await store().getSession(t, 's-c')).toMatchObject({
        endReason: 'revoked',
        endedMs: t0 + 3 * MINUTE,
      });
      // A later login arrives first, then an earlier one with another user and address.
      await append(store(), t, [prepareAuth(login('s-c', t0 + 2 * MINUTE))]);
      await append(store(), t, [
        prepareAuth(
          login('s-c', t0 + MINUTE, {
            user: { id: 'u-7', username: 'Early' },
            ip: '203.0.113.1',
            method: 'password',
          }),
        ),
      ]);
      await append(store(), t, [prepareAuth(login('s-c', t0 + 90 * 1000))]);
      expect(await store().getSession(t, 's-c')).toMatchObject({
        userId: 'u-7',
        username: 'Early',
        displayName: null,
        ip: '203.0.113.1',
        method: 'password',
        loginMs: t0 + MINUTE,
        endedMs: t0 + 3 * MINUTE,
        endReason: 'revoked',
        sortMs: t0 + MINUTE,
      });
    });

    it('all of a batch counts, in any order inside it; a repeated event changes nothing', async () => {
      const events = [
        end('s-d', 'logout', t0 + 10 * MINUTE),
        login('s-d', t0 + 2 * MINUTE),
        login('s-d', t0 + MINUTE, { user: { id: 'u-6', username: 'First' } }),
        end('s-d', 'session_expired', t0 + 20 * MINUTE),
      ];
      await append(store(), t, prepareAuthBatch(events));
      const once = await store().getSession(t, 's-d');
      expect(once).toMatchObject({
        username: 'First',
        loginMs: t0 + MINUTE,
        endedMs: t0 + 10 * MINUTE,
        endReason: 'logout',
      });
      const again = await store().append({ tenant: t, entries: prepareAuthBatch(events) });
      expect(again.every((a) => a.duplicate)).toBe(true);
      expect(await store().getSession(t, 's-d')).toEqual(once);
    });

    it('a failed login makes no session, even with a session id', async () => {
      await append(store(), t, [
        prepareAuth({
          type: 'login_failure',
          occurredAt: iso(t0),
          user: { username: 'Nina' },
          reason: 'bad_password',
          sessionId: 's-failed',
          ip: '203.0.113.9',
        }),
      ]);
      expect(await store().getSession(t, 's-failed')).toBeUndefined();
      expect(
        (await store().listSessions(t, {}, { order: 'asc', limit: 100 })).map((s) => s.sessionId),
      ).not.toContain('s-failed');
    });

    it('session ids are per tenant', async () => {
      await append(store(), `${t}-2`, [
        prepareAuth(login('s-a', t0 + 7 * MINUTE, { user: { username: 'Else' } })),
      ]);
      expect((await store().getSession(`${t}-2`, 's-a'))?.username).toBe('Else');
      expect((await store().getSession(t, 's-a'))?.username).toBe('Nina');
      expect(await store().getSession(`${t}-2`, 's-b')).toBeUndefined();
    });
  });

  it('active, and fromMs (inclusive) / toMs (exclusive) over the listing time', async () => {
    const t = 'auth-session-window';
    const from = BASE_MS + 10 * 86_400_000;
    const to = from + 60 * MINUTE;
    const ev = (type: string, session: string, at: number): AuthInput => ({
      type,
      occurredAt: iso(at),
      user: { id: `user-${session}`, username: session },
      sessionId: session,
      ip: '192.0.2.44',
      ...(type === 'login_success' ? { method: 'password' } : {}),
    });
    await append(
      store(),
      t,
      prepareAuthBatch([
        // Entirely before the window.
        ev('login_success', 'before', from - 30 * MINUTE),
        ev('logout', 'before', from - 10 * MINUTE),
        // Starts exactly at `from`, ends after `to`.
        ev('login_success', 'at-from', from),
        ev('logout', 'at-from', to + 5 * MINUTE),
        // Inside, still open.
        ev('login_success', 'inside-open', from + 10 * MINUTE),
        // Inside, no login on record: listed by its end.
        ev('session_expired', 'inside-no-login', from + 20 * MINUTE),
        // Starts exactly at `to`: outside; open.
        ev('login_success', 'at-to', to),
        // After the window.
        ev('login_success', 'after', to + 30 * MINUTE),
        ev('logout', 'after', to + 40 * MINUTE),
      ]),
    );
    const list = async (f: SessionFilter, order: 'asc' | 'desc' = 'asc') =>
      (await store().listSessions(t, f, { order, limit: 100 })).map((s) => s.sessionId);
    expect(await list({ fromMs: from, toMs: to })).toEqual(['at-from', 'inside-open', 'inside-no-login']);
    expect(await list({ fromMs: from, toMs: to }, 'desc')).toEqual([
      'inside-no-login',
      'inside-open',
      'at-from',
    ]);
    expect(await list({ active: true })).toEqual(['inside-open', 'at-to']);
    expect(await list({ active: false })).toEqual(['before', 'at-from', 'inside-no-login', 'after']);
    expect(await list({ active: true, fromMs: from, toMs: to })).toEqual(['inside-open']);
    const noLogin = await store().getSession(t, 'inside-no-login');
    expect(noLogin).toMatchObject({
      loginMs: null,
      endedMs: from + 20 * MINUTE,
      endReason: 'expired',
      sortMs: from + 20 * MINUTE,
    });
    const atFrom = await store().getSession(t, 'at-from');
    // The duration is exact: end − login in milliseconds.
    expect(atFrom!.endedMs! - atFrom!.loginMs!).toBe(65 * MINUTE);
  });
});

describe('sessions: ties in the listing order', () => {
  it('sessions with one sortMs are ordered and paged by sessionId', async () => {
    const t = 'auth-session-ties';
    const at = BASE_MS + 30 * 86_400_000;
    const names = ['s-e', 's-a', 's-d', 's-b', 's-c', 's-f'];
    await append(
      store(),
      t,
      prepareAuthBatch(
        names.map((sessionId) => ({
          type: 'login_success',
          occurredAt: iso(at),
          user: { username: 'tie' },
          method: 'password',
          sessionId,
          ip: '192.0.2.77',
        })),
      ),
    );
    await append(
      store(),
      t,
      prepareAuthBatch([
        {
          type: 'login_success',
          occurredAt: iso(at - 1),
          user: { username: 'tie' },
          method: 'password',
          sessionId: 's-z',
          ip: '192.0.2.77',
        },
        {
          type: 'logout',
          occurredAt: iso(at + 1),
          user: { username: 'tie' },
          sessionId: 's-0',
          ip: '192.0.2.77',
        },
      ]),
    );
    const asc = ['s-z', 's-a', 's-b', 's-c', 's-d', 's-e', 's-f', 's-0'];
    for (const order of ['asc', 'desc'] as const) {
      const want = order === 'asc' ? asc : [...asc].reverse();
      const paged: SessionRow[] = [];
      for (;;) {
        const last = paged.at(-1);
        const page = await store().listSessions(
          t,
          {},
          {
            order,
            limit: 2,
            ...(last ? { after: { sortMs: last.sortMs, sessionId: last.sessionId } } : {}),
          },
        );
        paged.push(...page);
        if (page.length < 2) break;
      }
      expect(
        paged.map((s) => s.sessionId),
        order,
      ).toEqual(want);
      const mid = await store().listSessions(
        t,
        {},
        { order, limit: 3, after: { sortMs: at, sessionId: 's-c' } },
      );
      expect(
        mid.map((s) => s.sessionId),
        `${order} after s-c`,
      ).toEqual(order === 'asc' ? ['s-d', 's-e', 's-f'] : ['s-b', 's-a', 's-z']);
    }
  });
});

describe('failed logins', () => {
  const t = 'auth-failures';
  const from = BASE_MS + 20 * 86_400_000;
  const to = from + 15 * MINUTE;
  const failure = (username: string, ip: string, at: number): AuthInput => ({
    type: 'login_failure',
    occurredAt: iso(at),
    user: { username },
    reason: 'bad_password',
    ip,
  });
  const inputs: AuthInput[] = [
    failure('admin', '203.0.113.5', from - 1), // before the window
    failure('admin', '203.0.113.5', from), // at `from`: inside
    failure('admin', '203.0.113.6', from + 1000),
    failure('admin', '203.0.113.5', from + 5 * MINUTE),
    failure('root', '203.0.113.5', from + 6 * MINUTE),
    failure('Jane.Admin', '2001:db8::9', from + 7 * MINUTE),
    failure('root', '203.0.113.7', to - 1), // the last millisecond: inside
    failure('root', '203.0.113.5', to), // at `to`: outside
    failure('ghost', '203.0.113.9', to + MINUTE),
  ];

  beforeAll(async () => {
    await append(store(), t, prepareAuthBatch(inputs.slice(0, 4)));
    await append(store(), t, [
      prepareAuth({
        type: 'login_success',
        occurredAt: iso(from + 2 * MINUTE),
        user: { id: 'u-1', username: 'admin' },
        method: 'password',
        sessionId: 'not-a-failure',
        ip: '203.0.113.5',
      }),
      prepareAuth({
        type: 'logout',
        occurredAt: iso(from + 3 * MINUTE),
        user: { id: 'u-1', username: 'admin' },
        sessionId: 'not-a-failure',
        ip: '203.0.113.5',
      }),
    ]);
    await append(store(), t, prepareAuthBatch(inputs.slice(4)));
    // Another tenant's failures in the same window are not counted.
    await append(store(), `${t}-other`, prepareAuthBatch(inputs));
  });

  const inWindow = (lo: number, hi: number) =>
    inputs.filter((f) => Date.parse(f.occurredAt!) >= lo && Date.parse(f.occurredAt!) < hi);

  function groups(lo: number, hi: number, by: 'user' | 'ip') {
    const out = new Map<string, { key: string; count: number; firstMs: number; lastMs: number }>();
    for (const f of inWindow(lo, hi)) {
      const key = by === 'user' ? fold(f.user.username!) : f.ip;
      const at = Date.parse(f.occurredAt!);
      const g = out.get(key);
      if (!g) out.set(key, { key, count: 1, firstMs: at, lastMs: at });
      else {
        g.count++;
        g.firstMs = Math.min(g.firstMs, at);
        g.lastMs = Math.max(g.lastMs, at);
      }
    }
    return [...out.values()].sort((a, b) => (a.key < b.key ? -1 : 1));
  }
  const sorted = <T extends { key: string }>(xs: T[]) => [...xs].sort((a, b) => (a.key < b.key ? -1 : 1));

  it('failureGroups by user and by ip over [fromMs, toMs)', async () => {
    for (const by of ['user', 'ip'] as const) {
      const got = await store().failureGroups(t, from, to, by);
      expect(sorted(got), by).toEqual(groups(from, to, by));
    }
    expect(groups(from, to, 'user').map((g) => [g.key, g.count])).toEqual([
      ['admin', 3],
      ['jane.admin', 1],
      ['root', 2],
    ]);
  });

  it('failureGroups over other windows, including an empty one', async () => {
    for (const [lo, hi] of [
      [from - 1, from],
      [from + 1, to + 1],
      [from - MINUTE, to + 2 * MINUTE],
      [to + 2 * MINUTE, to + 3 * MINUTE],
    ] as const) {
      for (const by of ['user', 'ip'] as const) {
        expect(
          sorted(await store().failureGroups(t, lo, hi, by)),
          `${by} [${lo - from}, ${hi - from})`,
        ).toEqual(groups(lo, hi, by));
      }
    }
  });

  it('failures lists every failed login in [fromMs, toMs)', async () => {
    const key = (f: { username: string; ip: string; occurredMs: number }) =>
      `${f.occurredMs} ${f.username} ${f.ip}`;
    for (const [lo, hi] of [
      [from, to],
      [from - 1, to + 1],
      [from + 1, to - 1],
      [to, to],
    ] as const) {
      const got = (await store().failures(t, lo, hi)).map((f) => ({
        username: f.username,
        ip: f.ip,
        occurredMs: f.occurredMs,
      }));
      const want = inWindow(lo, hi).map((f) => ({
        username: fold(f.user.username!),
        ip: f.ip,
        occurredMs: Date.parse(f.occurredAt!),
      }));
      expect(got.map(key).sort(), `[${lo - from}, ${hi - from})`).toEqual(want.map(key).sort());
    }
    expect(await store().failures('nobody', from, to)).toEqual([]);
  });

  it('alertPage is the core’s alertPage over the failures from a window before fromMs, page by page', async () => {
    const rules = { bruteForceFailures: 2, sprayingUsernames: 2, windowMs: 10 * MINUTE };
    for (const [lo, hi] of [
      [from, to],
      [from + 9 * MINUTE, to + 2 * MINUTE],
      [to + 2 * MINUTE, to + 3 * MINUTE],
    ] as const) {
      const q = { fromMs: lo, toMs: hi, limit: 100 };
      const want = alertPage(await store().failures(t, lo - rules.windowMs, hi), rules, q);
      expect(await store().alertPage(t, rules, q), `[${lo - from}, ${hi - from})`).toEqual(want);
      const paged: Alert[] = [];
      let after: AlertPosition | undefined;
      do {
        const page: AlertPage = await store().alertPage(t, rules, { ...q, limit: 1, after });
        paged.push(...page.alerts);
        after = page.next ?? undefined;
      } while (after);
      expect(paged).toEqual(want.alerts);
    }
    const all = await store().alertPage(t, rules, { fromMs: from, toMs: to, limit: 100 });
    expect(all.alerts.map((a) => `${a.kind} ${a.subject}`).sort()).toEqual([
      'brute_force admin',
      'brute_force root',
      'password_spraying 203.0.113.5',
    ]);
    expect(await store().alertPage('nobody', rules, { fromMs: from, toMs: to, limit: 5 })).toEqual({
      alerts: [],
      next: null,
    });
  });

  it('one address written two ways is one subject: spraying from it is one alert, its failures one ip', async () => {
    const tenant = `${t}-spellings`;
    const spelled = [
      ['198.51.100.7', '::ffff:198.51.100.7'],
      ['2001:db8::99', '2001:DB8:0:0::99'],
    ];
    const inputs = spelled.flatMap((ips, k) =>
      ['s0', 's1', 's2', 's3'].map((user, i) => failure(`${user}-${k}`, ips[i % 2]!, from + i * 1000 + k)),
    );
    await append(store(), tenant, prepareAuthBatch(inputs));
    const rules = { bruteForceFailures: 99, sprayingUsernames: 4, windowMs: 10 * MINUTE };
    const page = await store().alertPage(tenant, rules, { fromMs: from, toMs: to, limit: 10 });
    // Each shown in its least spelling, as failureGroups shows it.
    expect(page.alerts.map((a) => [a.kind, a.subject, a.count]).sort()).toEqual([
      ['password_spraying', '198.51.100.7', 4],
      ['password_spraying', '2001:DB8:0:0::99', 4],
    ]);
    expect(new Set((await store().failures(tenant, from, to)).map((f) => f.ip))).toEqual(
      new Set(['198.51.100.7', '2001:DB8:0:0::99']),
    );
    expect(sorted(await store().failureGroups(tenant, from, to, 'ip')).map((g) => [g.key, g.count])).toEqual([
      ['198.51.100.7', 4],
      ['2001:DB8:0:0::99', 4],
    ]);
  });
});
