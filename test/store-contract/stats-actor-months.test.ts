// Stats by user sum whole UTC quarters from quarterly actor rollups, the whole months around them from monthly
// ones, the whole weeks around those from weekly ones and the days around those from daily ones: these tests
// compare the answers with a count over every stored event for random ranges that start and end mid-month,
// on month and quarter boundaries and across year ends, after retention purges, and after the migrations
// rebuild the monthly, weekly and quarterly rows — on both stores.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventFilter, StatsKey } from '../../src/core/domain/filters.js';
import type { ActingParty } from '../../src/core/services/access-control.js';
import { type AuditLog, openAuditLog } from '../../src/core/services/audit-log.js';
import {
  POSTGRES_ACTOR_MONTHS_MIGRATION,
  POSTGRES_ACTOR_QUARTERS_MIGRATION,
  POSTGRES_ACTOR_WEEKS_MIGRATION,
} from '../../src/store/postgres/postgres-rollups-schema.js';
import { quarterStart, weekStart } from '../../src/store/sql/rollups-sql.js';
import {
  SQLITE_ACTOR_MONTHS_MIGRATION,
  SQLITE_ACTOR_QUARTERS_MIGRATION,
  SQLITE_ACTOR_WEEKS_MIGRATION,
} from '../../src/store/sqlite/sqlite-rollups-schema.js';
import { rng as seeded } from '../helpers/rng.js';
import { DAY } from './entries.js';
import {
  type allEvents,
  compareWithCount,
  SHARED_NAMES,
  someUsers,
  usersFilter,
} from './stats-brute-force.js';
import { storePerFile } from './store-under-test.js';

const sut = storePerFile();
const T = 'months';
const by: ActingParty = { actor: { id: 'cli:ops', username: 'ops', type: 'system' } };
const random = seeded(Number(process.env.AUDITLOG_ROLLUP_SEED ?? 1812));
const rng = random.next;
const pick = random.pick;
const now = new Date();
/** The first UTC midnight of the month `back` months before this one. */
const month = (back: number) => Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - back, 1);
const CATEGORIES = ['users', 'settings'];
let log: AuditLog;

/** A day near a month boundary (its last two days or first two) `back` months ago, else any day of it. */
function someTime(back: number): number {
  const start = month(back);
  const len = (month(back - 1) - start) / DAY;
  const day = rng() < 0.5 ? pick([0, 1, len - 2, len - 1]) : Math.floor(rng() * len);
  return start + day * DAY + Math.floor(rng() * DAY);
}

/** An event in one of the last 26 months (some over two years old: a retention purge takes them). */
function randomEvent(i: number) {
  const actor = rng() < 0.3 ? `busy-${Math.floor(rng() * 3)}` : `rare-${Math.floor(rng() * 120)}`;
  return {
    id: `m-${i}`,
    occurredAt: new Date(someTime(1 + Math.floor(rng() * 26))).toISOString(),
    actor:
      rng() < 0.15
        ? { id: actor }
        : { id: actor, username: rng() < 0.1 ? pick(SHARED_NAMES) : `${actor}-${pick(['x', 'y'])}` },
    action: pick(['create', 'update']),
    category: pick(CATEGORIES),
    eventType: pick(['k.one', 'k.two']),
    target: { type: 'Thing', id: `t-${i % 5}` },
  };
}

/** A bound: a month start, a day inside a month, or a time inside a day, up to 28 months back. */
function bound(): number {
  const back = Math.floor(rng() * 28);
  const r = rng();
  if (r < 0.3) return month(back);
  const t = someTime(back);
  return r < 0.7 ? t - (t % DAY) : t;
}

/** A random range, and for stats by user sometimes some users (ids and names, in any case). */
function randomFilter(groupBy: StatsKey, events: Awaited<ReturnType<typeof allEvents>>): EventFilter {
  const [a, b] = [bound(), bound()].sort((x, y) => x - y) as [number, number];
  const f: EventFilter = {};
  if (rng() < 0.85) f.fromMs = a;
  if (rng() < 0.85) f.toMs = b === a ? b + DAY : b;
  if (groupBy === 'user' && rng() < 0.3)
    Object.assign(f, usersFilter(someUsers(events, rng, 1 + Math.floor(rng() * 3))));
  return f;
}

/** Random ranges, mostly by user (the monthly rows; the others read per-day rows only), against a count. */
const compareRandomRanges = (count: number) =>
  compareWithCount(
    sut().store,
    T,
    count,
    (i, events) => {
      const groupBy: StatsKey = i % 4 === 3 ? pick(['category', 'action', 'day'] as StatsKey[]) : 'user';
      return [groupBy, randomFilter(groupBy, events)];
    },
    ['user'],
  );

beforeAll(async () => {
  log = await openAuditLog({ store: sut().store });
  for (let b = 0; b < 8; b++) {
    await log.appendEvents(T, { events: Array.from({ length: 100 }, (_, i) => randomEvent(b * 100 + i)) });
  }
});
afterAll(async () => {
  await log?.close();
});

describe('stats by user from monthly and daily rollups', () => {
  it('answer as a count of the events would, for ranges inside, across and on month boundaries', async () => {
    await compareRandomRanges(200);
  });

  it('read whole months from the monthly rows and the days around them from the daily rows', async () => {
    const tenant = 'months-probe';
    await log.appendEvents(tenant, {
      ...randomEvent(9_000),
      occurredAt: new Date(month(3) + 5 * DAY).toISOString(),
    });
    const [probe] = await sut().store.eventStats(tenant, {}, 'user');
    await sut().exec(`UPDATE event_rollups SET n = n + 41 WHERE tenant = '${tenant}' AND dim = 'U'`);
    // A range holding the whole month reads its monthly row (skewed); one inside the month, the daily rows.
    const whole = { fromMs: month(4) + 3 * DAY, toMs: month(2) + 2 * DAY };
    expect(await sut().store.eventStats(tenant, whole, 'user')).toEqual([{ ...probe, count: 42 }]);
    const days = { fromMs: month(3) + DAY, toMs: month(2) - DAY };
    expect(await sut().store.eventStats(tenant, days, 'user')).toEqual([{ ...probe, count: 1 }]);
  });

  it('read the whole weeks around whole months from the weekly rows', async () => {
    const tenant = 'weeks-probe';
    // A Wednesday in the middle of a month: its week lies inside the month.
    const day = weekStart(month(3) + 12 * DAY) + 2 * DAY;
    await log.appendEvents(tenant, {
      ...randomEvent(9_001),
      occurredAt: new Date(day + 3_600_000).toISOString(),
    });
    const [probe] = await sut().store.eventStats(tenant, {}, 'user');
    await sut().exec(`UPDATE event_rollups SET n = n + 9 WHERE tenant = '${tenant}' AND dim = 'W'`);
    // A range holding the whole week but not its month reads the weekly row (skewed); one holding part of
    // the week, the daily rows; one holding the whole month, the monthly row.
    const week = { fromMs: weekStart(day) - DAY, toMs: weekStart(day) + 8 * DAY };
    expect(await sut().store.eventStats(tenant, week, 'user')).toEqual([{ ...probe, count: 10 }]);
    const part = { fromMs: weekStart(day) + DAY, toMs: weekStart(day) + 8 * DAY };
    expect(await sut().store.eventStats(tenant, part, 'user')).toEqual([{ ...probe, count: 1 }]);
    const whole = { fromMs: month(3), toMs: month(2) };
    expect(await sut().store.eventStats(tenant, whole, 'user')).toEqual([{ ...probe, count: 1 }]);
  });

  it('read whole quarters from the quarterly rows and the months around them from the monthly rows', async () => {
    const tenant = 'quarters-probe';
    // The middle of a quarter at least two quarters back: the quarter's months are all in the past.
    const q = quarterStart(month(5));
    const next = quarterStart(q + 100 * DAY);
    await log.appendEvents(tenant, {
      ...randomEvent(9_002),
      occurredAt: new Date(q + 40 * DAY + 3_600_000).toISOString(),
    });
    const [probe] = await sut().store.eventStats(tenant, {}, 'user');
    await sut().exec(`UPDATE event_rollups SET n = n + 6 WHERE tenant = '${tenant}' AND dim = 'Q'`);
    // A range holding the whole quarter reads the quarterly row (skewed), the whole log too; one holding its
    // middle month but not the whole quarter, the monthly row.
    const whole = { fromMs: q - 3 * DAY, toMs: next + 3 * DAY };
    expect(await sut().store.eventStats(tenant, whole, 'user')).toEqual([{ ...probe, count: 7 }]);
    expect(await sut().store.eventStats(tenant, {}, 'user')).toEqual([{ ...probe, count: 7 }]);
    const part = { fromMs: q + 20 * DAY, toMs: next + 3 * DAY };
    expect(await sut().store.eventStats(tenant, part, 'user')).toEqual([{ ...probe, count: 1 }]);
  });

  it('follow retention purges of some categories, in steps', async () => {
    await log.lifecycle.setPolicy(T, { category: 'users', maxAgeDays: 400 }, by);
    await log.lifecycle.setPolicy(T, { category: 'settings', maxAgeDays: 600 }, by);
    const report = await log.lifecycle.purge({ by, stepSize: 29 });
    expect(report.purged).toBeGreaterThan(50);
    await compareRandomRanges(150);
  });

  it('are rebuilt from the daily rows by their migrations', async () => {
    const versions = (
      sut().kind === 'sqlite'
        ? [SQLITE_ACTOR_MONTHS_MIGRATION, SQLITE_ACTOR_WEEKS_MIGRATION, SQLITE_ACTOR_QUARTERS_MIGRATION]
        : [POSTGRES_ACTOR_MONTHS_MIGRATION, POSTGRES_ACTOR_WEEKS_MIGRATION, POSTGRES_ACTOR_QUARTERS_MIGRATION]
    ).map((m) => m.version);
    await log.close();
    await sut().exec(`DELETE FROM event_rollups WHERE dim IN ('U', 'W', 'Q');
      DELETE FROM schema_migrations WHERE version IN (${versions.join(', ')});`);
    await sut().reopen();
    log = await openAuditLog({ store: sut().store });
    await compareRandomRanges(80);
    // New events and purges after the migration keep both in step.
    await log.appendEvents(T, { events: Array.from({ length: 100 }, (_, i) => randomEvent(5_000 + i)) });
    await log.lifecycle.setPolicy(T, { category: 'settings', maxAgeDays: 300 }, by);
    expect((await log.lifecycle.purge({ by, stepSize: 17 })).purged).toBeGreaterThan(10);
    await compareRandomRanges(80);
  });
});
