// What GET /v1/stats must answer, counted over every stored event one by one: the reference the rollup tests
// (stats-rollups.test.ts, stats-actor-months.test.ts) compare the store's answers with.

import { expect } from 'vitest';
import type { EventFilter, StatsKey } from '../../src/core/domain/filters.js';
import { formatEvent } from '../../src/core/domain/format-event.js';
import type { StatsGroup } from '../../src/core/domain/rows.js';
import { fold } from '../../src/core/domain/text-fold.js';
import type { Store } from '../../src/core/ports/store.js';

/** Every stored event of the tenant, read page by page. */
export async function allEvents(store: Store, tenant: string) {
  const out: ReturnType<typeof formatEvent>[] = [];
  let after: { occurredMs: number; seq: number } | undefined;
  for (;;) {
    const rows = await store.listEvents(
      tenant,
      {},
      { order: 'asc', limit: 500, ...(after ? { after } : {}) },
    );
    out.push(...rows.map((r) => formatEvent(r)));
    if (rows.length < 500) return out;
    const last = rows[rows.length - 1]!;
    after = { occurredMs: last.occurredMs, seq: last.seq };
  }
}

/** What eventStats must answer, counted over the events one by one. */
export function bruteForce(
  events: ReturnType<typeof formatEvent>[],
  f: EventFilter,
  groupBy: StatsKey,
): StatsGroup[] {
  const groups = new Map<string, { count: number; label?: string }>();
  for (const e of events) {
    const ms = Date.parse(e.occurredAt);
    if ((f.fromMs !== undefined && ms < f.fromMs) || (f.toMs !== undefined && ms >= f.toMs)) continue;
    if (f.categories && !f.categories.includes(e.category)) continue;
    if (f.actions && !f.actions.includes(e.action)) continue;
    if (f.eventTypes && !f.eventTypes.includes(e.eventType)) continue;
    const name = e.actor.username;
    if (
      f.users &&
      !f.users.includes(e.actor.id) &&
      !(name !== undefined && f.users.map(fold).includes(fold(name)))
    )
      continue;
    const key = {
      action: e.action,
      category: e.category,
      eventType: e.eventType,
      user: e.actor.id,
      day: e.occurredAt.slice(0, 10),
    }[groupBy];
    const g = groups.get(key) ?? { count: 0 };
    g.count++;
    if (groupBy === 'user' && name !== undefined && (g.label === undefined || name > g.label)) g.label = name;
    groups.set(key, g);
  }
  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return [...groups]
    .map(([key, g]) =>
      g.label === undefined ? { key, count: g.count } : { key, label: g.label, count: g.count },
    )
    .sort((a, b) => (groupBy === 'day' ? cmp(a.key, b.key) : b.count - a.count || cmp(a.key, b.key)));
}

/** A user filter as the core hands it to the store: the values, and each folded for usernames. */
export const usersFilter = (values: string[]) => ({ users: values, usersFolded: values.map(fold) });

/** Some users to filter by: actor ids and usernames of the events, in any case, and a name no one has. */
export function someUsers(
  events: ReturnType<typeof formatEvent>[],
  rng: () => number,
  count: number,
): string[] {
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const e = events[Math.floor(rng() * events.length)];
    const r = rng();
    if (!e || r < 0.1) out.push('nobody-at-all');
    else if (r < 0.2) out.push('josé');
    else if (r < 0.45 || e.actor.username === undefined) out.push(e.actor.id);
    else out.push(r < 0.7 ? e.actor.username : e.actor.username.toUpperCase());
  }
  return out;
}

/** Usernames several actors share, in different cases and Unicode forms (composed and decomposed é). */
export const SHARED_NAMES = ['Shared', 'shared', 'José', 'jose\u0301', 'JOSÉ'];

/**
 * The store's stats for `count` random (groupBy, filter) pairs from `next`, then for the whole log by each of
 * `whole`, each compared with a count over every stored event of the tenant.
 */
export async function compareWithCount(
  store: Store,
  tenant: string,
  count: number,
  next: (i: number, events: ReturnType<typeof formatEvent>[]) => [StatsKey, EventFilter],
  whole: StatsKey[],
): Promise<void> {
  const events = await allEvents(store, tenant);
  for (let i = 0; i < count; i++) {
    const [groupBy, f] = next(i, events);
    const answer = await store.eventStats(tenant, f, groupBy);
    expect({ f, groupBy, answer }).toEqual({ f, groupBy, answer: bruteForce(events, f, groupBy) });
  }
  for (const key of whole)
    expect(await store.eventStats(tenant, {}, key)).toEqual(bruteForce(events, {}, key));
}
