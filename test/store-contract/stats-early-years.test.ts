// Events may be dated in any year from 0000 (a client's typo `0026-` for `2026-` is still a valid date). The
// rollups' months and quarters once came from Date.UTC, which reads years 0–99 as 1900–1999: stats of such
// events went wrong, and a purge left them counted. These tests compare stats over random ranges of the first
// and the twentieth centuries with a count over every event, before and after a purge, and after SQLite's
// migration 21 rebuilds the monthly and quarterly rows — on both stores.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventFilter, StatsKey } from '../../src/core/domain/filters.js';
import type { ActingParty } from '../../src/core/services/access-control.js';
import { type AuditLog, openAuditLog } from '../../src/core/services/audit-log.js';
import { SQLITE_EARLY_YEARS_ROLLUPS_MIGRATION } from '../../src/store/sqlite/sqlite-rollups-schema.js';
import { rng as seeded } from '../helpers/rng.js';
import { DAY } from './entries.js';
import { type allEvents, compareWithCount, someUsers, usersFilter } from './stats-brute-force.js';
import { storePerFile } from './store-under-test.js';

const sut = storePerFile();
const T = 'early';
const by: ActingParty = { actor: { id: 'cli:ops', username: 'ops', type: 'system' } };
const random = seeded(Number(process.env.AUDITLOG_ROLLUP_SEED ?? 26));
const rng = random.next;
const pick = random.pick;
const YEARS = [0, 1, 26, 99, 100, 1926, 1999, 2025];
const KEYS: StatsKey[] = ['user', 'user', 'day', 'category', 'action'];
let log: AuditLog;

/** A time in one of the years, near a month or quarter boundary half the time. */
function someTime(): number {
  const d = new Date(0);
  d.setUTCFullYear(
    pick(YEARS),
    Math.floor(rng() * 12),
    rng() < 0.5 ? pick([1, 2, 28]) : 1 + Math.floor(rng() * 27),
  );
  return d.getTime() + Math.floor(rng() * DAY);
}

function randomEvent(i: number) {
  const actor = `a-${Math.floor(rng() * rng() * 8)}`;
  return {
    id: `e-${i}`,
    occurredAt: new Date(someTime()).toISOString(),
    actor: rng() < 0.2 ? { id: actor } : { id: actor, username: `${actor}-${pick(['x', 'y'])}` },
    action: pick(['create', 'update']),
    category: pick(['users', 'settings']),
    eventType: 'k.one',
    target: { type: 'Thing', id: `t-${i % 5}` },
  };
}

/** A range between two of the events' eras (whole days or not), open at either end now and then. */
function randomFilter(groupBy: StatsKey, events: Awaited<ReturnType<typeof allEvents>>): EventFilter {
  const bound = () => {
    const t = someTime();
    return rng() < 0.5 ? t - (((t % DAY) + DAY) % DAY) : t;
  };
  const [a, b] = [bound(), bound()].sort((x, y) => x - y) as [number, number];
  const f: EventFilter = {};
  if (rng() < 0.85) f.fromMs = a;
  if (rng() < 0.85) f.toMs = b === a ? b + DAY : b;
  if (groupBy === 'user' && rng() < 0.3) Object.assign(f, usersFilter(someUsers(events, rng, 2)));
  return f;
}

const compareRandomRanges = (count: number) =>
  compareWithCount(
    sut().store,
    T,
    count,
    (i, events) => {
      const groupBy = KEYS[i % KEYS.length]!;
      return [groupBy, randomFilter(groupBy, events)];
    },
    ['user', 'day'],
  );

beforeAll(async () => {
  log = await openAuditLog({ store: sut().store });
  for (let b = 0; b < 4; b++)
    await log.appendEvents(T, { events: Array.from({ length: 100 }, (_, i) => randomEvent(b * 100 + i)) });
});
afterAll(async () => {
  await log?.close();
});

describe('stats of events dated in the first century', () => {
  it('answer as a count of the events would, over random ranges of any era', async () => {
    await compareRandomRanges(150);
  });

  it('label a day of year 0000 as written', async () => {
    const tenant = 'early-zero';
    await log.appendEvents(tenant, { ...randomEvent(9_000), occurredAt: '0000-02-29T10:00:00.000Z' });
    expect(await sut().store.eventStats(tenant, {}, 'day')).toEqual([{ key: '0000-02-29', count: 1 }]);
  });

  it('follow a purge of them', async () => {
    await log.lifecycle.setPolicy(T, { maxAgeDays: 365 }, by);
    const report = await log.lifecycle.purge({ by, stepSize: 50 });
    expect(report.purged).toBeGreaterThan(100);
    await compareRandomRanges(60);
  });

  it('are filed in their own century, and SQLite migration 21 refiles those its writer misfiled', async () => {
    const tenant = 'early-migrated';
    for (let i = 0; i < 3; i++)
      await log.appendEvents(tenant, {
        ...randomEvent(10_000 + i),
        occurredAt: `00${26 + i}-11-26T10:00:00Z`,
      });
    const range = { fromMs: Date.parse('0026-01-01T00:00:00Z'), toMs: Date.parse('0100-01-01T00:00:00Z') };
    const right = await sut().store.eventStats(tenant, range, 'user');
    expect(right.reduce((n, g) => n + g.count, 0)).toBe(3);
    if (sut().kind !== 'sqlite') return; // PostgreSQL's triggers file them in SQL, never by Date.UTC
    // As the writer had filed them: the months and quarters of years 26–28 a century late.
    await sut().exec(`UPDATE event_rollups SET day_ms = day_ms + 60000000000000
      WHERE tenant = '${tenant}' AND dim IN ('U', 'Q')`);
    expect(await sut().store.eventStats(tenant, range, 'user')).toEqual([]);
    await log.close();
    await sut().exec(
      `DELETE FROM schema_migrations WHERE version = ${SQLITE_EARLY_YEARS_ROLLUPS_MIGRATION.version}`,
    );
    await sut().reopen();
    log = await openAuditLog({ store: sut().store });
    expect(await sut().store.eventStats(tenant, range, 'user')).toEqual(right);
  });
});
