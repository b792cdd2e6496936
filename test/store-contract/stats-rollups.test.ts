// GET /v1/stats answers from per-day rollups when the filter is a time range (plus the grouped dimension's own
// values): these tests compare its answers with a brute-force count over every stored event, for random
// ranges (whole days, partial days at the edges, open ends), after ingest batches that fail and roll back,
// and after a retention purge — on both stores.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { categoryKeys, DEFAULT_CATALOG } from '../../src/core/domain/catalog.js';
import type { EventFilter, StatsKey } from '../../src/core/domain/filters.js';
import type { ActingParty } from '../../src/core/services/access-control.js';
import { type AuditLog, openAuditLog } from '../../src/core/services/audit-log.js';
import {
  POSTGRES_ACTOR_MONTHS_MIGRATION,
  POSTGRES_ACTOR_QUARTERS_MIGRATION,
  POSTGRES_ACTOR_WEEKS_MIGRATION,
  POSTGRES_COMBO_ROLLUPS_MIGRATION,
  POSTGRES_COVERING_ROLLUPS_MIGRATION,
} from '../../src/store/postgres/postgres-rollups-schema.js';
import { eventStats } from '../../src/store/sql/event-query-plan.js';
import type { Row } from '../../src/store/sql/query-plan.js';
import type { Sql } from '../../src/store/sql/sql-fragment.js';
import {
  SQLITE_ACTOR_MONTHS_MIGRATION,
  SQLITE_ACTOR_QUARTERS_MIGRATION,
  SQLITE_ACTOR_WEEKS_MIGRATION,
  SQLITE_COMBO_ROLLUPS_MIGRATION,
} from '../../src/store/sqlite/sqlite-rollups-schema.js';
import { rng as seeded } from '../helpers/rng.js';
import { DAY } from './entries.js';
import {
  allEvents,
  bruteForce,
  compareWithCount,
  SHARED_NAMES,
  someUsers,
  usersFilter,
} from './stats-brute-force.js';
import { storePerFile } from './store-under-test.js';

const sut = storePerFile();
const T = 'rollups';
const by: ActingParty = { actor: { id: 'cli:ops', username: 'ops', type: 'system' } };
const TODAY = Date.now() - (Date.now() % DAY);
const CATEGORIES = categoryKeys(DEFAULT_CATALOG).slice(0, 4);
const KEYS: StatsKey[] = ['action', 'category', 'user', 'eventType', 'day'];
let log: AuditLog;
const random = seeded(Number(process.env.AUDITLOG_ROLLUP_SEED ?? 18));
const rng = random.next;
const pick = random.pick;

/** A random event on one of a few days about two years ago (purgeable) or in the last month. */
function randomEvent(i: number) {
  const day = rng() < 0.4 ? 730 + Math.floor(rng() * 6) : 1 + Math.floor(rng() * 25);
  const actor = `u-${Math.floor(rng() * rng() * 12)}`;
  return {
    id: `r-${i}-${Math.floor(rng() * 1e9)}`,
    occurredAt: new Date(TODAY - day * DAY + Math.floor(rng() * DAY)).toISOString(),
    actor:
      rng() < 0.2
        ? { id: actor }
        : { id: actor, username: rng() < 0.1 ? pick(SHARED_NAMES) : `${actor}-${pick(['a', 'b', 'c'])}` },
    action: pick(['create', 'update', 'delete']),
    category: pick(CATEGORIES),
    eventType: pick(['x.one', 'x.two', 'y.three']),
    target: { type: 'Thing', id: `t-${i % 7}` },
  };
}

/** A random range: whole days, partial days, open at either end; sometimes the grouped dimension's values. */
function randomFilter(groupBy: StatsKey, events: Awaited<ReturnType<typeof allEvents>>): EventFilter {
  const bound = () => {
    const day = TODAY - Math.floor(rng() * 740) * DAY;
    return rng() < 0.5 ? day : day + Math.floor(rng() * DAY);
  };
  const [a, b] = [bound(), bound()].sort((x, y) => x - y) as [number, number];
  const f: EventFilter = {};
  if (rng() < 0.85) f.fromMs = rng() < 0.5 ? a : TODAY - 740 * DAY;
  if (rng() < 0.85) f.toMs = b + DAY;
  if (rng() < 0.3 && groupBy === 'category') f.categories = [pick(CATEGORIES), pick(CATEGORIES)];
  if (rng() < 0.3 && groupBy === 'day') f.actions = [pick(['create', 'update'])];
  if (rng() < 0.4 && groupBy === 'user')
    Object.assign(f, usersFilter(someUsers(events, rng, 1 + Math.floor(rng() * 3))));
  // Another dimension's values, one or two of them (the combination rollups, combo-stats.ts).
  if (rng() < 0.35 && groupBy !== 'user' && groupBy !== 'category' && rng() < 0.6)
    f.categories = [pick(CATEGORIES), pick(CATEGORIES)];
  if (rng() < 0.3 && groupBy !== 'user' && groupBy !== 'action') f.actions = [pick(['create', 'delete'])];
  if (rng() < 0.3 && groupBy !== 'user' && groupBy !== 'eventType')
    f.eventTypes = rng() < 0.5 ? ['x.one'] : ['y.three', 'x.two'];
  return f;
}

/** Random ranges compared with a count of the events; then the whole log, as the UI's count asks it. */
const compareRandomRanges = (count: number) =>
  compareWithCount(
    sut().store,
    T,
    count,
    (i, events) => {
      const groupBy = KEYS[i % KEYS.length]!;
      return [groupBy, randomFilter(groupBy, events)];
    },
    ['action'],
  );

beforeAll(async () => {
  log = await openAuditLog({ store: sut().store });
  for (let b = 0; b < 6; b++) {
    await log.appendEvents(T, { events: Array.from({ length: 100 }, (_, i) => randomEvent(b * 100 + i)) });
  }
});
afterAll(async () => {
  await log?.close();
});

describe('stats from per-day rollups', () => {
  it('answer as a count of the events would, over random ranges', async () => {
    await compareRandomRanges(150);
  });

  it('are what the answers are read from (a skewed rollup shows in a whole-day range)', async () => {
    const tenant = 'rollups-probe';
    await log.appendEvents(tenant, {
      ...randomEvent(9999),
      occurredAt: new Date(TODAY - 3 * DAY).toISOString(),
      eventType: 'probe.event',
    });
    await sut().exec(
      `UPDATE event_rollups SET n = n + 41 WHERE tenant = '${tenant}' AND key = 'probe.event'`,
    );
    const range = { fromMs: TODAY - 5 * DAY, toMs: TODAY };
    expect(await sut().store.eventStats(tenant, range, 'eventType')).toEqual([
      { key: 'probe.event', count: 42 },
    ]);
    // A range inside one day is counted from the events.
    const partial = { fromMs: TODAY - 3 * DAY, toMs: TODAY - 2 * DAY - 1 };
    expect(await sut().store.eventStats(tenant, partial, 'eventType')).toEqual([
      { key: 'probe.event', count: 1 },
    ]);
  });

  it("answer another dimension's filter from the combination rows (a skewed row shows in a whole-day range)", async () => {
    const tenant = 'rollups-combos';
    const at = TODAY - 3 * DAY;
    const ev = (i: number, action: string, category: string) => ({
      ...randomEvent(70_000 + i),
      occurredAt: new Date(at + i * 1000).toISOString(),
      eventType: 'probe.combo',
      action,
      category,
    });
    await log.appendEvents(tenant, {
      events: [
        ev(1, 'delete', 'users'),
        ev(2, 'delete', 'users'),
        ev(3, 'update', 'users'),
        ev(4, 'delete', 'ai'),
      ],
    });
    // Skewed by 40 per combination row: an answer read from them shows it, a count of the events does not.
    await sut().exec(`UPDATE event_rollups SET n = n + 40 WHERE tenant = '${tenant}' AND dim = 'x'`);
    const range = { fromMs: TODAY - 5 * DAY, toMs: TODAY };
    expect(await sut().store.eventStats(tenant, { ...range, actions: ['delete'] }, 'category')).toEqual([
      { key: 'users', count: 42 },
      { key: 'ai', count: 41 },
    ]);
    expect(
      await sut().store.eventStats(tenant, { ...range, categories: ['users'], actions: ['update'] }, 'day'),
    ).toEqual([{ key: new Date(at).toISOString().slice(0, 10), count: 41 }]);
    expect(await sut().store.eventStats(tenant, { ...range, categories: ['users'] }, 'action')).toEqual([
      { key: 'delete', count: 42 },
      { key: 'update', count: 41 },
    ]);
    // A range inside one day is counted from the events; a combination the tenant never had is no row.
    const partial = { fromMs: at, toMs: at + 60_000, actions: ['delete'] };
    expect(await sut().store.eventStats(tenant, partial, 'eventType')).toEqual([
      { key: 'probe.combo', count: 3 },
    ]);
    expect(
      await sut().store.eventStats(tenant, { ...range, categories: ['ai'], actions: ['update'] }, 'day'),
    ).toEqual([]);
  });

  it('answer stats by user for some users from the rollup rows of exactly their ids and usernames', async () => {
    const tenant = 'rollups-users';
    const at = new Date(TODAY - 3 * DAY).toISOString();
    const actors = [
      { id: 'a-1', username: 'Kim' },
      { id: 'a-2', username: 'KIM' },
      { id: 'a-2', username: 'other' },
      { id: 'a-3' },
    ];
    for (const [i, actor] of actors.entries())
      await log.appendEvents(tenant, { ...randomEvent(50_000 + i), occurredAt: at, actor });
    // Skewed by 10 per row: an answer read from the rollups shows it, a count of the events does not.
    await sut().exec(`UPDATE event_rollups SET n = n + 10 WHERE tenant = '${tenant}' AND dim = 'u'`);
    const range = { fromMs: TODAY - 5 * DAY, toMs: TODAY };
    const stats = (users: string[]) =>
      sut().store.eventStats(tenant, { ...range, ...usersFilter(users) }, 'user');
    // 'kim' is a username of a-1 and of a-2, not a-2's events as 'other'.
    expect(await stats(['kim'])).toEqual([
      { key: 'a-1', label: 'Kim', count: 11 },
      { key: 'a-2', label: 'KIM', count: 11 },
    ]);
    // An id takes every username of its actor, and an actor with none.
    expect(await stats(['a-2', 'a-3'])).toEqual([
      { key: 'a-2', label: 'other', count: 22 },
      { key: 'a-3', count: 11 },
    ]);
    expect(await stats(['nobody'])).toEqual([]);
    // A blind index (an encrypted entry's username) is not in the rollups' labels: the events are counted.
    expect(
      await sut().store.eventStats(tenant, { ...range, users: ['x'], usersFolded: ['bi:0123'] }, 'user'),
    ).toEqual([]);
    expect(
      await sut().store.eventStats(tenant, { ...range, users: ['a-1'], usersFolded: ['bi:0123'] }, 'user'),
    ).toEqual([{ key: 'a-1', label: 'Kim', count: 1 }]);
  });

  it('for some users read one snapshot while the writer commits a new username between statements', async () => {
    const tenant = 'rollups-race';
    const ev = (i: number, username: string) => ({
      ...randomEvent(60_000 + i),
      occurredAt: new Date(TODAY - 3 * DAY).toISOString(),
      actor: { id: 'a-1', username },
    });
    await log.appendEvents(tenant, ev(1, 'Kim'));
    const f = { fromMs: TODAY - 5 * DAY, toMs: TODAY, ...usersFilter(['kim']) };
    const before = bruteForce(await allEvents(sut().store, tenant), f, 'user');
    // The store's own plan, stepped: its first statement answered, then a commit, then the rest.
    let plan!: ReturnType<typeof eventStats>;
    let first: Row[] = [];
    await sut().plan(function* (d) {
      plan = eventStats(d, tenant, f, 'user');
      first = yield plan.next().value as Sql;
      return null;
    });
    // A username the actors table did not hold (`KIM`), and a known one.
    await log.appendEvents(tenant, { events: [ev(2, 'KIM'), ev(3, 'Kim')] });
    const answer = await sut().plan(function* () {
      let step = plan.next(first);
      while (!step.done) step = plan.next(yield step.value);
      return step.value;
    });
    const after = bruteForce(await allEvents(sut().store, tenant), f, 'user');
    expect(after).toEqual([{ key: 'a-1', label: 'Kim', count: 3 }]);
    // Reading the actors' pairs in a statement before the rollups' answered 2: no snapshot's count.
    expect([before, after]).toContainEqual(answer);
  });

  it('do not count batches that fail and roll back, even in a group with batches that commit', async () => {
    const taken = randomEvent(100_000);
    await log.appendEvents(T, taken);
    const results = await Promise.allSettled(
      Array.from({ length: 8 }, (_, b) =>
        log.appendEvents(T, {
          events: [
            ...Array.from({ length: 20 }, (_, i) => randomEvent(200_000 + b * 100 + i)),
            // Odd batches repeat a stored id with other content: the whole batch is refused.
            ...(b % 2 ? [{ ...taken, target: { type: 'Thing', id: 'other' } }] : []),
          ],
        }),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(
      Array.from({ length: 8 }, (_, b) => (b % 2 ? 'rejected' : 'fulfilled')),
    );
    await compareRandomRanges(60);
  });

  it('follow a retention purge', async () => {
    await log.lifecycle.setPolicy(T, { category: CATEGORIES[0]!, maxAgeDays: 365 }, by);
    const report = await log.lifecycle.purge({ by, stepSize: 37 });
    expect(report.purged).toBeGreaterThan(20);
    await compareRandomRanges(120);
  });

  it('are backfilled from the stored events by their migration', async () => {
    const undo =
      sut().kind === 'sqlite'
        ? `DROP TRIGGER events_rollup_delete; DROP TABLE event_rollups;
           DELETE FROM schema_migrations WHERE version IN (10, ${SQLITE_ACTOR_MONTHS_MIGRATION.version},
             ${SQLITE_ACTOR_WEEKS_MIGRATION.version}, ${SQLITE_ACTOR_QUARTERS_MIGRATION.version},
             ${SQLITE_COMBO_ROLLUPS_MIGRATION.version});`
        : `DROP TRIGGER events_rollup_insert ON events; DROP TRIGGER events_rollup_delete ON events;
           DROP FUNCTION auditlog_rollup_insert(); DROP FUNCTION auditlog_rollup_delete();
           DROP TABLE event_rollups;
           DELETE FROM schema_migrations WHERE version IN (8, ${POSTGRES_ACTOR_MONTHS_MIGRATION.version},
             ${POSTGRES_ACTOR_WEEKS_MIGRATION.version}, ${POSTGRES_ACTOR_QUARTERS_MIGRATION.version},
             ${POSTGRES_COVERING_ROLLUPS_MIGRATION.version}, ${POSTGRES_COMBO_ROLLUPS_MIGRATION.version});`;
    await log.close();
    await sut().exec(undo);
    await sut().reopen();
    log = await openAuditLog({ store: sut().store });
    await compareRandomRanges(60);
  });
});
