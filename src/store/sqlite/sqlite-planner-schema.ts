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
