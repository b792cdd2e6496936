/** Migration: what a purge needs to find quickly (docs/lifecycle.md#derived-data-and-ids-after-a-purge). */
export const POSTGRES_PURGE_MIGRATION = {
  version: 10,
  name: 'sign-in events by session, tombstones by id',
  // The twin of SQLite migration 13. A purge of the auth log deletes a session once no live event names it;
  // an id re-sent after its entry was purged is answered from the tombstone.
  sql: `
    CREATE INDEX auth_events_session ON auth_events (tenant, session_id) WHERE session_id IS NOT NULL;
    CREATE INDEX purged_entries_id ON purged_entries (tenant, stream, id);
  `,
};

/** Migration: records whose run has not yet appended their `auditlog.purge` event (docs/lifecycle.md). */
export const POSTGRES_UNRECORDED_PURGES_MIGRATION = {
  version: 18,
  name: 'purge records awaiting their audit event',
  // The twin of SQLite migration 22: written in the step's (or the partition drop's) transaction, deleted
  // once an event lists the record.
  sql: `
    CREATE TABLE purges_unrecorded (
      tenant text COLLATE "C" NOT NULL,
      purge_id text COLLATE "C" NOT NULL,
      run_id text COLLATE "C" NOT NULL,
      run_step integer NOT NULL,
      PRIMARY KEY (tenant, purge_id)
    );
  `,
};
