/** Migration: a category index for the planner to drive by (src/store/sql/event-driver.ts). */
export const POSTGRES_CATEGORY_MIGRATION = {
  version: 12,
  name: 'a category index for the planner to drive by',
  // The twin of SQLite migration 12. Without it a category took no part in the driver choice nor the
  // intersections, and a category with a filter that contradicts it (an event type of another category) or
  // is rare with it walked the time index through every monthly partition (1.4–2.2 s at 1M skewed events,
  // issue 18). Created on the partitioned table, so on each partition, present and future.
  sql: `
    CREATE INDEX events_category ON events (tenant, category, occurred_ms, seq);
  `,
};
