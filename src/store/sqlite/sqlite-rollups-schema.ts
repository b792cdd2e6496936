import {
  COMBO_DIM,
  comboLabelSql,
  comboRowsOf,
  dayStart,
  MONTHLY_DIMS,
  type MonthSql,
  monthlyRowsFromDays,
  QUARTERLY_DIMS,
  type QuarterSql,
  quarterlyRowsFromMonths,
  ROLLUP_DIMS,
  rollupRowsOf,
  WEEKLY_DIMS,
  weeklyRowsFromDays,
  weekSql,
} from '../sql/rollups-sql.js';

const D = ROLLUP_DIMS;
const day = (row: 'NEW' | 'OLD') => dayStart(`${row}.occurred_ms`);
const PK = 'tenant, dim, day_ms, key, label';

/** Each dimension's key and label of an events row. */
const dims = (row: 'NEW' | 'OLD') => [
  [D.category, `${row}.category`, "''"],
  [D.action, `${row}.action`, "''"],
  [D.eventType, `${row}.event_type`, "''"],
  [D.user, `${row}.actor_id`, `coalesce(${row}.actor_username, '')`],
];

/**
 * Migration: per-day rollups for `GET /v1/stats` (sql/rollups-sql.ts), backfilled from the events already
 * stored. The writer adds each group commit's counts before its COMMIT (sqlite-writer.ts, RollupCounter:
 * a per-row insert trigger cost 3× the raw insert), counting only the batches whose savepoint was
 * released; a purge's deletes take them off by a row trigger, in the same transaction. A counter that reaches 0 is deleted, so no purged username
 * lingers as a label.
 */
export const SQLITE_ROLLUPS_MIGRATION = {
  version: 10,
  name: 'Per-day statistics rollups by category, action, event type and actor',
  sql: `
    CREATE TABLE event_rollups (
      tenant TEXT NOT NULL,
      dim TEXT NOT NULL,
      day_ms INTEGER NOT NULL,
      key TEXT NOT NULL,
      label TEXT NOT NULL,
      n INTEGER NOT NULL,
      PRIMARY KEY (${PK})
    ) STRICT, WITHOUT ROWID;
    INSERT INTO event_rollups (${PK}, n) ${rollupRowsOf('events')};
    CREATE TRIGGER events_rollup_delete AFTER DELETE ON events BEGIN
      ${dims('OLD')
        .map(
          ([dim, key, label]) => `UPDATE event_rollups SET n = n - 1 WHERE tenant = OLD.tenant
        AND dim = '${dim}' AND day_ms = ${day('OLD')} AND key = ${key} AND label = ${label};`,
        )
        .join('\n      ')}
      DELETE FROM event_rollups WHERE tenant = OLD.tenant AND dim IN ('${Object.values(D).join("', '")}')
        AND day_ms = ${day('OLD')} AND n = 0;
    END;
  `,
};

/** The month's first UTC midnight of a UTC-midnight epoch-ms expression (exact: a midnight is whole seconds). */
export const sqliteMonth: MonthSql = (dayMs) =>
  `(CAST(strftime('%s', (${dayMs}) / 1000, 'unixepoch', 'start of month') AS INTEGER) * 1000)`;

/** The quarter's first UTC midnight of a UTC-midnight epoch-ms expression: its month, less 0–2 months. */
export const sqliteQuarter: QuarterSql = (dayMs) =>
  `(CAST(strftime('%s', (${dayMs}) / 1000, 'unixepoch', 'start of month', '-' ||
    ((CAST(strftime('%m', (${dayMs}) / 1000, 'unixepoch') AS INTEGER) - 1) % 3) || ' months') AS INTEGER) * 1000)`;

/** Each per-day dimension (its day) and monthly one (its month), with the key and label of an events row. */
const monthlyDims = (row: 'NEW' | 'OLD') => [
  ...dims(row).map(([dim, key, label]) => [dim, day(row), key, label]),
  [MONTHLY_DIMS.user, sqliteMonth(day(row)), `${row}.actor_id`, `coalesce(${row}.actor_username, '')`],
];

/** The delete trigger's statements for each counter an events row moves: its dimension, when, key and label. */
const deleteCounters = (counters: (string | undefined)[][]) =>
  counters
    .map(
      ([dim, when, key, label]) => `UPDATE event_rollups SET n = n - 1 WHERE tenant = OLD.tenant
        AND dim = '${dim}' AND day_ms = ${when} AND key = ${key} AND label = ${label};
      DELETE FROM event_rollups WHERE tenant = OLD.tenant AND dim = '${dim}' AND day_ms = ${when}
        AND key = ${key} AND label = ${label} AND n = 0;`,
    )
    .join('\n      ');

/**
 * Migration: monthly rollups of the actor dimension (MONTHLY_DIMS), summed from the per-day rows; the writer's
 * RollupCounter adds them with the rest, and the delete trigger, recreated, takes a purged event off its month
 * too. A counter at 0 is deleted by its own key (the day's other actors are not read).
 */
export const SQLITE_ACTOR_MONTHS_MIGRATION = {
  version: 14,
  name: 'Monthly statistics rollups by actor',
  sql: `
    INSERT INTO event_rollups (${PK}, n) ${monthlyRowsFromDays(sqliteMonth)};
    DROP TRIGGER IF EXISTS events_rollup_delete;
    CREATE TRIGGER events_rollup_delete AFTER DELETE ON events BEGIN
      ${deleteCounters(monthlyDims('OLD'))}
    END;
  `,
};

/**
 * Migration: weekly rollups of the actor dimension (WEEKLY_DIMS), summed from the per-day rows, as the monthly
 * ones were (migration 14); the delete trigger, recreated, takes a purged event off its week too.
 */
export const SQLITE_ACTOR_WEEKS_MIGRATION = {
  version: 18,
  name: 'Weekly statistics rollups by actor',
  sql: `
    INSERT INTO event_rollups (${PK}, n) ${weeklyRowsFromDays()};
    DROP TRIGGER IF EXISTS events_rollup_delete;
    CREATE TRIGGER events_rollup_delete AFTER DELETE ON events BEGIN
      ${deleteCounters([
        ...monthlyDims('OLD'),
        [WEEKLY_DIMS.user, weekSql(day('OLD')), 'OLD.actor_id', "coalesce(OLD.actor_username, '')"],
      ])}
    END;
  `,
};

/** Every counter the delete trigger moved from migration 19 on: days, months, weeks and quarters. */
const quarterCounters = [
  ...monthlyDims('OLD'),
  [WEEKLY_DIMS.user, weekSql(day('OLD')), 'OLD.actor_id', "coalesce(OLD.actor_username, '')"],
  [QUARTERLY_DIMS.user, sqliteQuarter(day('OLD')), 'OLD.actor_id', "coalesce(OLD.actor_username, '')"],
];

/**
 * Migration: quarterly rollups of the actor dimension (QUARTERLY_DIMS), summed from the monthly rows; the
 * delete trigger, recreated, takes a purged event off its quarter too.
 */
export const SQLITE_ACTOR_QUARTERS_MIGRATION = {
  version: 19,
  name: 'Quarterly statistics rollups by actor',
  sql: `
    INSERT INTO event_rollups (${PK}, n) ${quarterlyRowsFromMonths(sqliteQuarter)};
    DROP TRIGGER IF EXISTS events_rollup_delete;
    CREATE TRIGGER events_rollup_delete AFTER DELETE ON events BEGIN
      ${deleteCounters(quarterCounters)}
    END;
  `,
};

/**
 * Migration: per-day rollups of the (event type, action, category) combinations (COMBO_DIM in
 * rollups-sql.ts), backfilled from the stored events; the writer's RollupCounter adds them with the rest, and
 * the delete trigger, recreated, takes a purged event off its combination too.
 */
export const SQLITE_COMBO_ROLLUPS_MIGRATION = {
  version: 23,
  name: 'Per-day statistics rollups of event type, action and category together',
  sql: `
    INSERT INTO event_rollups (${PK}, n) ${comboRowsOf('events')};
    DROP TRIGGER IF EXISTS events_rollup_delete;
    CREATE TRIGGER events_rollup_delete AFTER DELETE ON events BEGIN
      ${deleteCounters([...quarterCounters, [COMBO_DIM, day('OLD'), 'OLD.event_type', comboLabelSql('OLD.')]])}
    END;
  `,
};

/** 0100-01-01T00:00:00Z in epoch ms: the writer filed the months and quarters of earlier days a century late. */
const YEAR_100 = -59_011_459_200_000;
const EARLY_DAYS = `EXISTS (SELECT 1 FROM event_rollups WHERE dim = '${D.user}' AND day_ms < ${YEAR_100})`;

/**
 * Migration: the monthly and quarterly actor rows rebuilt from the daily ones, where a store holds events
 * dated before year 100. The writer's month and quarter starts came from Date.UTC, which reads years 0–99 as
 * 1900–1999: such an event's rows were filed under the wrong century (while a purge, by SQL, took it off the
 * right one). Stores without such events — nearly all — only pay the check.
 */
export const SQLITE_EARLY_YEARS_ROLLUPS_MIGRATION = {
  version: 21,
  name: 'Monthly and quarterly actor rollups rebuilt where events are dated before year 100',
  sql: `
    DELETE FROM event_rollups WHERE dim IN ('${MONTHLY_DIMS.user}', '${QUARTERLY_DIMS.user}') AND ${EARLY_DAYS};
    INSERT INTO event_rollups (${PK}, n) SELECT * FROM (${monthlyRowsFromDays(sqliteMonth)}) WHERE ${EARLY_DAYS};
    INSERT INTO event_rollups (${PK}, n)
      SELECT * FROM (${quarterlyRowsFromMonths(sqliteQuarter)}) WHERE ${EARLY_DAYS};
  `,
};
