// A deterministic tenant of administrative events, and an independent model of EventFilter and PageSpec written
// from the Store contract (store.ts): the tests compare what a store answers with what the model computes from
// the inputs the test appended.
import type { PreparedEvent } from '../../src/core/domain/entry.js';
import type { EventFilter, PageSpec } from '../../src/core/domain/filters.js';
import { ipKey } from '../../src/core/domain/ip.js';
import type { EntryRow } from '../../src/core/domain/rows.js';
import { fold } from '../../src/core/domain/text-fold.js';
import type { Store } from '../../src/core/ports/store.js';
import {
  append,
  BASE_MS,
  type EventInput,
  ev,
  iso,
  MINUTE,
  prepareAuth,
  prepareEventBatch,
  rng,
} from './entries.js';

export interface Actor {
  id: string;
  username?: string;
  displayName?: string;
  type?: string;
}

export const ACTORS: Actor[] = [
  { id: 'u-1', username: 'Jane.Admin', displayName: 'Jane Admin' },
  { id: 'u-2', username: 'bob', displayName: 'Bob Builder' },
  { id: 'U-3', username: 'ÉLODIE', displayName: 'Élodie Martin' },
  // Its id is another actor's folded username: `users` matches ids exactly, usernames folded.
  { id: 'jane.admin', displayName: 'Impostor' },
  { id: 'svc_sync', type: 'service' },
  { id: 'svcXsync', displayName: 'Sync Service', type: 'service' },
];

export const TARGETS: { type: string; id: string; name?: string }[] = [
  { type: 'User', id: 'user-1', name: 'Alice Smith' },
  { type: 'User', id: 'user-2', name: 'Bob Jones' },
  { type: 'Carrier', id: 'carrier-1', name: 'Acme Telecom' },
  { type: 'Carrier', id: 'CARRIER-2' },
  // Its name is another target's id: `target` matches either.
  { type: 'Queue', id: 'queue-1', name: 'user-1' },
  { type: 'Queue', id: 'q_1%' },
  { type: 'Queue', id: 'qx1y', name: 'Q_1%' },
  { type: 'Setting', id: 'setting-1', name: 'Session Timeout' },
];

export const CATEGORIES = ['users', 'settings', 'telephony', 'security'];
export const ACTIONS = ['create', 'update', 'delete'] as const;
export const EVENT_TYPES = [undefined, undefined, 'user.role_changed', 'carrier.rate_updated'];
export const IPS = [
  undefined,
  '10.0.0.1',
  '10.0.0.200',
  '10.0.1.5',
  '10.1.0.1',
  '192.168.1.10',
  '2001:db8::1',
  '2001:db8:0:1::5',
  '2001:db9::1',
];
export const SESSIONS = [undefined, 'sess-1', 'sess-2', 'Sess-1'];

/** Reasons with characters that LIKE, FTS5 and tsquery treat specially; each is stored literally. */
export const SPECIAL_REASONS = [
  '100% done',
  'a%c',
  'abc',
  'a_c',
  "it's fine",
  'say "hi" now',
  'C:\\temp\\new',
  'this OR that',
  'this and that',
  'fn(x) * 2 NEAR y -z',
  'ÉCOLE publique',
  'E\u0301cole du soir',
  'emoji \u{1F600} here',
  'zz\u{1F600}x',
];

/** Rare words, each placed in exactly one event of the tenant. */
export const RARE = { first: 'zebracorn', middle: 'quokkalypse', last: 'wombatrix' } as const;

/** An event the test appended, with the seq the store answered. */
export interface Model {
  input: EventInput & { actor: Actor; target: { type: string; id: string; name?: string } };
  entry: PreparedEvent;
  seq: number;
}

export const SLOT_MS = 45 * MINUTE;

/** `n` events over about ten days with many equal occurredAt values, out of seq order. */
export function eventInputs(n: number, seed: number): Model['input'][] {
  const r = rng(seed);
  return Array.from({ length: n }, (_, i) => {
    const actor = r.pick(ACTORS);
    const target = r.pick(TARGETS);
    const eventType = r.pick(EVENT_TYPES);
    const ip = r.pick(IPS);
    const sessionId = r.pick(SESSIONS);
    let reason = `routine change number ${i}`;
    if (i === 3) reason = `found a ${RARE.first}`;
    if (i === Math.floor(n / 2)) reason = `the ${RARE.middle.toUpperCase()} began`;
    if (i === n - 3) reason = `a ${RARE.last}!`;
    const slot = i === 10 ? 100 : i === 11 ? 200 : r.int(0, 320);
    const input: Model['input'] = ev({
      id: `ev-${seed}-${i}`,
      occurredAt: iso(BASE_MS + slot * SLOT_MS),
      actor,
      action: r.pick(ACTIONS),
      category: r.pick(CATEGORIES),
      target,
      reason,
      newValue: { maxChannels: r.int(1, 200), label: `v${i % 7}` },
      ...(r.chance(0.3) ? { oldValue: { maxChannels: r.int(1, 200) } } : {}),
      ...(r.chance(0.2)
        ? { metadata: { ticket: `T-${r.int(1000, 1099)}`, nested: { deep: ['Köln', 42] } } }
        : {}),
      ...(eventType ? { eventType } : {}),
      ...(ip ? { ip } : {}),
      ...(sessionId ? { sessionId } : {}),
      ...(r.chance(0.3) ? { userAgent: 'Mozilla/5.0 (X11; Linux) Firefox/128.0' } : {}),
    }) as Model['input'];
    return input;
  });
}

/** Every SPECIAL_REASONS entry, so that each is surely in the data. */
export function specialInputs(seed: number): Model['input'][] {
  return SPECIAL_REASONS.map(
    (reason, k) =>
      ev({
        id: `special-${seed}-${k}`,
        occurredAt: iso(BASE_MS + (10 + k) * SLOT_MS),
        actor: ACTORS[k % ACTORS.length]!,
        target: TARGETS[k % TARGETS.length]!,
        reason,
      }) as Model['input'],
  );
}

/**
 * Appends `inputs` to `tenant` in batches of the given sizes (cycled), one batch after the other, with an
 * authentication event every few batches (same tenant, same chain: listEvents must leave them out).
 */
export async function appendInputs(
  store: Store,
  tenant: string,
  inputs: Model['input'][],
  batchSizes: number[] = [1, 3, 50, 130, 2, 77, 1, 1, 100, 9],
): Promise<Model[]> {
  const out: Model[] = [];
  let i = 0;
  let b = 0;
  while (i < inputs.length) {
    const size = batchSizes[b % batchSizes.length]!;
    const part = inputs.slice(i, i + size);
    const now = Date.now();
    const entries = prepareEventBatch(tenant, part, now);
    const stored = await append(store, tenant, entries);
    stored.forEach((s, k) => {
      out.push({ input: part[k]!, entry: s.entry as PreparedEvent, seq: s.seq });
    });
    if (b % 3 === 1) {
      await append(store, tenant, [
        prepareAuth({
          type: 'login_success',
          user: { id: 'u-1', username: 'Jane.Admin' },
          method: 'password',
          sessionId: `auth-${tenant}-${b}`,
          ip: '10.0.0.1',
          userAgent: `routine ${RARE.first} agent`,
        }),
      ]);
    }
    i += size;
    b++;
  }
  return out;
}

// ------------------------------------------------------------------------------------------------- the model

/** Whether an event matches a filter, from the text of EventFilter. */
export function matches(m: Model, f: EventFilter): boolean {
  const e = m.input;
  const occurredMs = Date.parse(e.occurredAt!);
  if (f.fromMs !== undefined && !(occurredMs >= f.fromMs)) return false;
  if (f.toMs !== undefined && !(occurredMs < f.toMs)) return false;
  if (f.users) {
    const ok = f.users.some(
      (u) => e.actor.id === u || (e.actor.username !== undefined && fold(e.actor.username) === fold(u)),
    );
    if (!ok) return false;
  }
  if (f.actions && !f.actions.includes(e.action!)) return false;
  if (f.categories && !f.categories.includes(e.category!)) return false;
  if (f.eventTypes && !f.eventTypes.includes(m.entry.columns.eventType)) return false;
  if (f.targetType !== undefined && e.target.type !== f.targetType) return false;
  if (f.targetId !== undefined && e.target.id !== f.targetId) return false;
  if (
    f.target !== undefined &&
    fold(e.target.id) !== f.target &&
    (e.target.name === undefined || fold(e.target.name) !== f.target)
  )
    return false;
  if (f.ip) {
    const key = typeof e.ip === 'string' ? ipKey(e.ip) : null;
    if (key === null || key < f.ip.lo || key > f.ip.hi) return false;
  }
  if (f.sessionId !== undefined && e.sessionId !== f.sessionId) return false;
  if (f.terms && !f.terms.every((t) => m.entry.search.some((s) => s.includes(t)))) return false;
  if (f.maxSeq !== undefined && m.seq > f.maxSeq) return false;
  return true;
}

const occ = (m: Model) => m.entry.occurredMs;

/** Compares two positions in a page's order: negative when `a` comes first. */
export function compareIn(
  page: Pick<PageSpec, 'order' | 'orderBy'>,
  a: { occurredMs: number; seq: number },
  b: { occurredMs: number; seq: number },
): number {
  const asc = page.orderBy === 'seq' ? a.seq - b.seq : a.occurredMs - b.occurredMs || a.seq - b.seq;
  return page.order === 'asc' ? asc : -asc;
}

/** Every match of `filter` in `page` order, strictly after `page.after`, at most `page.limit`. */
export function expected(all: Model[], filter: EventFilter, page: PageSpec): Model[] {
  const pos = (m: Model) => ({ occurredMs: occ(m), seq: m.seq });
  return all
    .filter((m) => matches(m, filter))
    .filter((m) => !page.after || compareIn(page, pos(m), page.after) > 0)
    .sort((a, b) => compareIn(page, pos(a), pos(b)))
    .slice(0, page.limit);
}

/** Pages through listEvents with `limit` until a short page; returns every row. */
export async function pageThrough(
  store: Store,
  tenant: string,
  filter: EventFilter,
  page: Omit<PageSpec, 'after'>,
  between?: (last: EntryRow) => Promise<void>,
): Promise<EntryRow[]> {
  const rows: EntryRow[] = [];
  for (let i = 0; i < 10_000; i++) {
    const last = rows.at(-1);
    const got = await store.listEvents(tenant, filter, {
      ...page,
      ...(last ? { after: { occurredMs: last.occurredMs, seq: last.seq } } : {}),
    });
    if (got.length > page.limit) throw new Error(`a page of ${got.length} rows for limit ${page.limit}`);
    rows.push(...got);
    if (got.length < page.limit) return rows;
    if (between) await between(rows.at(-1)!);
  }
  throw new Error('paging does not end');
}

export const ids = (rows: { body: string }[] | Model[]): string[] =>
  rows.map((r) => ('entry' in r ? r.entry.id : (JSON.parse(r.body) as { id: string }).id));
