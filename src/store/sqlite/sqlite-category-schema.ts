/** Migration: a category index for the planner to drive by (src/store/sql/event-driver.ts). */
export const SQLITE_CATEGORY_MIGRATION = {
  version: 12,
  name: 'a category index for the planner to drive by',
  // SQLite reads a table through one index: a rare category combined with unselective filters walked the
  // whole time index (issue 18's skewed workload). Eight-odd values: inserts touch a few rightmost pages.
  sql: `
    CREATE INDEX events_category ON events (tenant, category, occurred_ms, seq);
  `,
};
