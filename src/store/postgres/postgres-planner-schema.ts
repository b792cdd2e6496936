/** Migrations for the event planner's indexes (src/store/sql/). */

/** A category index for the planner to drive by (src/store/sql/event-driver.ts). */
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

const T = 'text COLLATE "C"';

/**
 * Migration: the (event type, category, action) combinations each tenant's events have had
 * (src/store/sql/event-facets.ts), backfilled from the stored events and kept by a statement trigger on
 * `events` with a transition table, in the inserting transaction (as the rollups are). SECURITY DEFINER with
 * the schema named, as for the rollups: the application role needs no grant on it. Nothing removes a
 * combination, so a purge or a dropped partition can leave one no event has any more, which only makes the
 * planner less sure, never wrong.
 */
export const POSTGRES_FACETS_MIGRATION = {
  version: 13,
  name: 'the combinations of event type, category and action each tenant has seen',
  sql: `
    CREATE TABLE event_facets (
      tenant ${T} NOT NULL,
      event_type ${T} NOT NULL,
      category ${T} NOT NULL,
      action ${T} NOT NULL,
      PRIMARY KEY (tenant, event_type, category, action)
    );
    INSERT INTO event_facets SELECT DISTINCT tenant, event_type, category, action FROM events;
    DO $migration$ BEGIN
      EXECUTE format($fn$
        CREATE OR REPLACE FUNCTION auditlog_facets_insert() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER AS $body$
          BEGIN
            INSERT INTO %1$I.event_facets
              SELECT DISTINCT tenant, event_type, category, action FROM new_rows ORDER BY 1, 2, 3, 4
              ON CONFLICT DO NOTHING;
            RETURN NULL;
          END
        $body$$fn$, current_schema());
    END $migration$;
    CREATE TRIGGER events_facets_insert AFTER INSERT ON events REFERENCING NEW TABLE AS new_rows
      FOR EACH STATEMENT EXECUTE FUNCTION auditlog_facets_insert();
  `,
};

/**
 * Keyword chunk documents stored inline, compressed with LZ4 where the server has it (search-chunks.ts).
 * Every candidate chunk the trigram GIN names is rechecked with LIKE over its document: TOASTed out of line
 * and compressed with pglz, a recheck also read the TOAST index and chunks and decompressed slowly. With
 * 32-event documents (~4 KB, under 2 KB compressed), a rare word's 421 candidates at 1M events took 5.6 ms
 * warm (481 buffers) against 10.1 ms (1,415 buffers). New documents only; older ones stay as written.
 */
export const POSTGRES_CHUNK_STORAGE_MIGRATION = {
  version: 14,
  name: 'keyword chunk documents inline, LZ4-compressed',
  sql: `
    ALTER TABLE event_search_chunks ALTER COLUMN doc SET STORAGE MAIN;
    DO $$ BEGIN
      ALTER TABLE event_search_chunks ALTER COLUMN doc SET COMPRESSION lz4;
    EXCEPTION WHEN feature_not_supported THEN
      NULL; -- a server built without LZ4 keeps pglz
    END $$;
  `,
};

/** In version order: 12, 13, 14. */
export const POSTGRES_PLANNER_MIGRATIONS = [
  POSTGRES_CATEGORY_MIGRATION,
  POSTGRES_FACETS_MIGRATION,
  POSTGRES_CHUNK_STORAGE_MIGRATION,
];
