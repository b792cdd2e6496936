/** Migration: what a purge needs to find quickly (docs/lifecycle.md#derived-data-and-ids-after-a-purge). */
export const SQLITE_PURGE_MIGRATION = {
  version: 13,
  name: 'sign-in events by session, tombstones by id',
  // A purge of the auth log deletes a session once no live event names it (one probe per session); an
  // id re-sent after its entry was purged is answered from the tombstone (one probe per id with a client id).
  sql: `
    CREATE INDEX auth_events_session ON auth_events (tenant, session_id) WHERE session_id IS NOT NULL;
    CREATE INDEX purged_entries_id ON purged_entries (tenant, stream, id);
  `,
};

/** Migration: records whose run has not yet appended their `auditlog.purge` event (docs/lifecycle.md). */
export const SQLITE_UNRECORDED_PURGES_MIGRATION = {
  version: 22,
  name: 'purge records awaiting their audit event',
  // Written in the step's transaction, deleted once an event lists the record: a run that dies between
  // the two leaves the row for the next run to record.
  sql: `
    CREATE TABLE purges_unrecorded (
      tenant TEXT NOT NULL,
      purge_id TEXT NOT NULL,
      run_id TEXT NOT NULL,
      run_step INTEGER NOT NULL,
      PRIMARY KEY (tenant, purge_id)
    );
  `,
};
