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
