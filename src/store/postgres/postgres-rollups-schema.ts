import {
  comboRowsOf,
  type MonthSql,
  monthlyRowsFromDays,
  type QuarterSql,
  quarterlyRowsFromMonths,
  rollupRowsOf,
  weeklyRowsFromDays,
} from '../sql/rollups-sql.js';

const T = 'text COLLATE "C"';
const PK = 'tenant, dim, day_ms, key, label';
/** The month's first UTC midnight of a UTC-midnight epoch-ms expression. */
export const postgresMonth: MonthSql = (dayMs) =>
  `(extract(epoch FROM date_trunc('month', to_timestamp((${dayMs}) / 1000) AT TIME ZONE 'UTC')) * 1000)::bigint`;
/** The quarter's first UTC midnight of a UTC-midnight epoch-ms expression. */
export const postgresQuarter: QuarterSql = (dayMs) =>
  `(extract(epoch FROM date_trunc('quarter', to_timestamp((${dayMs}) / 1000) AT TIME ZONE 'UTC')) * 1000)::bigint`;
/** The rollup rows of a transition table, inside a format() string (where % is written %%). */
const rows = (table: string) => rollupRowsOf(table).replaceAll('%', '%%');
const withMonths = (table: string) => rollupRowsOf(table, postgresMonth).replaceAll('%', '%%');
const withWeeks = (table: string) => rollupRowsOf(table, postgresMonth, true).replaceAll('%', '%%');
const withQuarters = (table: string) =>
  rollupRowsOf(table, postgresMonth, true, postgresQuarter).replaceAll('%', '%%');
/** Every rollup row an events row moves (the current trigger functions and a partition drop's). */
export const allRollupRowsOf = (table: string) =>
  rollupRowsOf(table, postgresMonth, true, postgresQuarter, true);
const withCombos = (table: string) => allRollupRowsOf(table).replaceAll('%', '%%');

/** The trigger functions that add and take off a statement's rows, counted by `rowsOf`. */
const triggerFunctions = (rowsOf: (table: string) => string) => `
    DO $migration$ BEGIN
      EXECUTE format($fn$
        CREATE OR REPLACE FUNCTION auditlog_rollup_insert() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER AS $body$
          BEGIN
            INSERT INTO %1$I.event_rollups AS r (${PK}, n)
              SELECT * FROM (${rowsOf('new_rows')}) d ORDER BY ${PK}
              ON CONFLICT (${PK}) DO UPDATE SET n = r.n + excluded.n;
            RETURN NULL;
          END
        $body$$fn$, current_schema());
      EXECUTE format($fn$
        CREATE OR REPLACE FUNCTION auditlog_rollup_delete() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER AS $body$
          BEGIN
            WITH d AS (SELECT * FROM (${rowsOf('old_rows')}) g ORDER BY ${PK})
            UPDATE %1$I.event_rollups r SET n = r.n - d.n FROM d
              WHERE (r.tenant, r.dim, r.day_ms, r.key, r.label) = (d.tenant, d.dim, d.day_ms, d.key, d.label);
            DELETE FROM %1$I.event_rollups r USING (${rowsOf('old_rows')}) d
              WHERE (r.tenant, r.dim, r.day_ms, r.key, r.label) = (d.tenant, d.dim, d.day_ms, d.key, d.label)
                AND r.n = 0;
            RETURN NULL;
          END
        $body$$fn$, current_schema());
    END $migration$;
`;

/**
 * Migration: per-day rollups for `GET /v1/stats` (sql/rollups-sql.ts), backfilled from the stored events and
 * kept by statement triggers on `events` with transition tables: the writer inserts a whole group in one
 * statement and a purge deletes in steps, so each moves the counters once per statement, in the same
 * transaction (a rollback undoes both). Rows are touched in key order, so two transactions cannot deadlock
 * on them. SECURITY DEFINER with the schema named, as for chain_seqs: the application role needs no grant on
 * the rollups and cannot skew them. Statement triggers fire for statements on `events` itself (the writer and
 * purges), not for one naming a partition. A counter that reaches 0 is deleted, so no purged username
 * lingers as a label.
 */
export const POSTGRES_ROLLUPS_MIGRATION = {
  version: 8,
  name: 'Per-day statistics rollups by category, action, event type and actor',
  sql: `
    CREATE TABLE event_rollups (
      tenant ${T} NOT NULL,
      dim ${T} NOT NULL,
      day_ms bigint NOT NULL,
      key ${T} NOT NULL,
      label ${T} NOT NULL,
      n bigint NOT NULL,
      PRIMARY KEY (${PK})
    );
    INSERT INTO event_rollups (${PK}, n) ${rollupRowsOf('events')};
${triggerFunctions(rows)}
    CREATE TRIGGER events_rollup_insert AFTER INSERT ON events REFERENCING NEW TABLE AS new_rows
      FOR EACH STATEMENT EXECUTE FUNCTION auditlog_rollup_insert();
    CREATE TRIGGER events_rollup_delete AFTER DELETE ON events REFERENCING OLD TABLE AS old_rows
      FOR EACH STATEMENT EXECUTE FUNCTION auditlog_rollup_delete();
  `,
};

/**
 * Migration: monthly rollups of the actor dimension (MONTHLY_DIMS in rollups-sql.ts), summed from the per-day
 * rows; the trigger functions are replaced by ones that count a statement's events into their months too.
 */
export const POSTGRES_ACTOR_MONTHS_MIGRATION = {
  version: 11,
  name: 'Monthly statistics rollups by actor',
  sql: `
    INSERT INTO event_rollups (${PK}, n) ${monthlyRowsFromDays(postgresMonth)};
    ${triggerFunctions(withMonths)}
  `,
};

/**
 * Migration: weekly rollups of the actor dimension (WEEKLY_DIMS in rollups-sql.ts), summed from the per-day
 * rows as the monthly ones were; the trigger functions are replaced by ones that count weeks too.
 */
export const POSTGRES_ACTOR_WEEKS_MIGRATION = {
  version: 15,
  name: 'Weekly statistics rollups by actor',
  sql: `
    INSERT INTO event_rollups (${PK}, n) ${weeklyRowsFromDays()};
    ${triggerFunctions(withWeeks)}
  `,
};

/**
 * Migration: quarterly rollups of the actor dimension (QUARTERLY_DIMS in rollups-sql.ts), summed from the
 * monthly rows; the trigger functions are replaced by ones that count quarters too.
 */
export const POSTGRES_ACTOR_QUARTERS_MIGRATION = {
  version: 16,
  name: 'Quarterly statistics rollups by actor',
  sql: `
    INSERT INTO event_rollups (${PK}, n) ${quarterlyRowsFromMonths(postgresQuarter)};
    ${triggerFunctions(withQuarters)}
  `,
};

/**
 * Migration: the rollups' primary key carries the count (`INCLUDE (n)`), so that a statistics query reads its
 * rows from the index alone (an index-only scan) instead of fetching each from the heap, where the rows of one
 * day lie scattered in the order they were first counted. Stats by user over a mid-month to mid-month range
 * at 10M events (~65k rows): 39–41 → 25 ms (BENCHMARKS.md). The price: a count that changes is no longer a
 * HOT update, so each upsert also writes an index entry — the same one index as before, no second. Vacuum
 * keeps the visibility map the index-only scan needs current: sooner here than by default (20% of the table).
 */
export const POSTGRES_COVERING_ROLLUPS_MIGRATION = {
  version: 17,
  name: 'Statistics rollups read from their primary key alone (the count included)',
  sql: `
    CREATE UNIQUE INDEX event_rollups_covering ON event_rollups (${PK}) INCLUDE (n);
    ALTER TABLE event_rollups DROP CONSTRAINT event_rollups_pkey,
      ADD CONSTRAINT event_rollups_pkey PRIMARY KEY USING INDEX event_rollups_covering;
    ALTER TABLE event_rollups SET (autovacuum_vacuum_scale_factor = 0.02,
      autovacuum_vacuum_insert_scale_factor = 0.02);
  `,
};

/**
 * Migration: per-day rollups of the (event type, action, category) combinations (COMBO_DIM in rollups-sql.ts),
 * backfilled from the stored events; the trigger functions are replaced by ones that count them too.
 */
export const POSTGRES_COMBO_ROLLUPS_MIGRATION = {
  version: 19,
  name: 'Per-day statistics rollups of event type, action and category together',
  sql: `
    INSERT INTO event_rollups (${PK}, n) ${comboRowsOf('events')};
    ${triggerFunctions(withCombos)}
  `,
};

/** Migration 8's per-day-only trigger functions, for the rollups bench's before/after of ingest cost. */
export const POSTGRES_DAILY_ROLLUP_FUNCTIONS = triggerFunctions(rows);
