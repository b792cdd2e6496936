/** Migrations for the event planner's indexes (src/store/sql/). */

/** A category index for the planner to drive by (src/store/sql/event-driver.ts). */
export const SQLITE_CATEGORY_MIGRATION = {
  version: 12,
  name: 'a category index for the planner to drive by',
  // SQLite reads a table through one index: a rare category combined with unselective filters walked the
  // whole time index (issue 18's skewed workload). Eight-odd values: inserts touch a few rightmost pages.
  sql: `
    CREATE INDEX events_category ON events (tenant, category, occurred_ms, seq);
  `,
};

/**
 * Migration: the (event type, category, action) combinations each tenant's events have had
 * (src/store/sql/event-facets.ts), backfilled from the stored events with one scan. The writer adds a group's
 * new combinations in its transaction; nothing removes one, so a purge can leave a combination no event has
 * any more, which only makes the planner less sure, never wrong.
 */
export const SQLITE_FACETS_MIGRATION = {
  version: 16,
  name: 'the combinations of event type, category and action each tenant has seen',
  sql: `
    CREATE TABLE event_facets (
      tenant TEXT NOT NULL,
      event_type TEXT NOT NULL,
      category TEXT NOT NULL,
      action TEXT NOT NULL,
      PRIMARY KEY (tenant, event_type, category, action)
    ) STRICT, WITHOUT ROWID;
    INSERT OR IGNORE INTO event_facets (tenant, event_type, category, action)
      SELECT DISTINCT tenant, event_type, category, action FROM events;
  `,
};

/** The writer's insert of one combination (ignored when the tenant has it). */
export const INSERT_FACET_SQL = `INSERT INTO event_facets (tenant, event_type, category, action) VALUES (?, ?, ?, ?)
  ON CONFLICT DO NOTHING`;

/**
 * Filter columns carried by the B-trees a page is read through (SqlDialect.covers): SQLite checks a condition
 * on an index's own columns before it reads the row, so a walk of one user's entries that must also match a
 * category and an action skips the others without reading them, and intersecting a user with a category
 * needs no probe of the category's B-tree per entry (`category:bulk + from:most + user:hot + action:create`
 * at 1M skewed events: 20,676 probes, 30–47 ms, against a walk of the user's 32,062 entries, 4.6 ms).
 * Rebuilding the four indexes took ~5 s each per million events here.
 */
export const SQLITE_COVERING_MIGRATION = {
  version: 17,
  name: 'filter columns in the B-trees a page is read through',
  sql: `
    DROP INDEX events_actor;
    CREATE INDEX events_actor ON events (tenant, actor_id, occurred_ms, seq, category, action);
    DROP INDEX events_category;
    CREATE INDEX events_category ON events (tenant, category, occurred_ms, seq, action);
    DROP INDEX events_target_id_f;
    CREATE INDEX events_target_id_f ON events (tenant, target_id_f, occurred_ms, seq, category, action);
    DROP INDEX events_target_name_f;
    CREATE INDEX events_target_name_f ON events (tenant, target_name_f, occurred_ms, seq, category, action)
      WHERE target_name_f IS NOT NULL;
  `,
};

/** SqlDialect.covers: the filter columns each of those B-trees holds after its key. */
export const SQLITE_COVERED_COLUMNS: Readonly<Record<string, readonly string[]>> = {
  events_actor: ['category', 'action'],
  events_category: ['action'],
  events_target_id_f: ['category', 'action'],
  events_target_name_f: ['category', 'action'],
};
