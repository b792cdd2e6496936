import { SQLITE_AUDIT_OUTBOX_MIGRATION } from './sqlite-audit-outbox.js';
import { SQLITE_MERKLE_MIGRATION } from './sqlite-merkle-schema.js';
import {
  SQLITE_CATEGORY_MIGRATION,
  SQLITE_COVERING_MIGRATION,
  SQLITE_FACETS_MIGRATION,
} from './sqlite-planner-schema.js';
import { SQLITE_PURGE_MIGRATION, SQLITE_UNRECORDED_PURGES_MIGRATION } from './sqlite-purge-schema.js';
import {
  SQLITE_ACTOR_MONTHS_MIGRATION,
  SQLITE_ACTOR_QUARTERS_MIGRATION,
  SQLITE_ACTOR_WEEKS_MIGRATION,
  SQLITE_COMBO_ROLLUPS_MIGRATION,
  SQLITE_EARLY_YEARS_ROLLUPS_MIGRATION,
  SQLITE_ROLLUPS_MIGRATION,
} from './sqlite-rollups-schema.js';
import { SQLITE_SEQ_GUARD_FAIL_MIGRATION } from './sqlite-seq-guard-schema.js';
import { SQLITE_SUBJECT_KEYS_MIGRATION } from './sqlite-subject-keys-schema.js';

/**
 * Versioned schema. A migration runs once, in its own transaction, recorded in `schema_migrations`; never
 * edit one that has shipped — add the next. The PostgreSQL store mirrors these in postgres-schema.ts; sqlite-migrations.ts applies them.
 */
export const SQLITE_MIGRATIONS: { version: number; name: string; sql: string }[] = [
  {
    version: 1,
    name: 'events, chain heads, search chunks, tokens, meta',
    sql: `
      CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;

      CREATE TABLE chain_heads (
        tenant TEXT PRIMARY KEY,
        seq INTEGER NOT NULL,
        hash TEXT NOT NULL
      ) STRICT;

      CREATE TABLE events (
        rid INTEGER PRIMARY KEY,
        tenant TEXT NOT NULL,
        seq INTEGER NOT NULL,
        id TEXT NOT NULL,
        occurred_ms INTEGER NOT NULL,
        received_ms INTEGER NOT NULL,
        actor_id TEXT NOT NULL,
        actor_username TEXT,
        actor_username_f TEXT,
        actor_display_name TEXT,
        action TEXT NOT NULL,
        category TEXT NOT NULL,
        event_type TEXT NOT NULL,
        target_type TEXT NOT NULL,
        target_id TEXT NOT NULL,
        target_id_f TEXT NOT NULL,
        target_name_f TEXT,
        ip_key TEXT,
        session_id TEXT,
        body TEXT NOT NULL,
        search TEXT NOT NULL,
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL
      ) STRICT;
      -- Few, cheap B-trees: each one costs every insert. Low-cardinality filters (action, category) scan
      -- the time index; target and IP go through the search chunks; usernames resolve through actors.
      CREATE UNIQUE INDEX events_seq ON events (tenant, seq);
      CREATE UNIQUE INDEX events_id ON events (tenant, id);
      CREATE INDEX events_time ON events (tenant, occurred_ms, seq);
      CREATE INDEX events_actor ON events (tenant, actor_id, occurred_ms, seq);
      CREATE INDEX events_type ON events (tenant, event_type, occurred_ms, seq);
      CREATE INDEX events_session ON events (tenant, session_id, occurred_ms, seq) WHERE session_id IS NOT NULL;

      CREATE TABLE event_search_chunks (lo INTEGER PRIMARY KEY, hi INTEGER NOT NULL, tenant TEXT NOT NULL) STRICT;
      CREATE VIRTUAL TABLE event_search USING fts5(
        doc, tokenize = 'trigram case_sensitive 1', content = '', detail = full, columnsize = 0
      );

      -- Every (actor id, username) seen, for suggestions and labels; maintained by the writer.
      CREATE TABLE actors (
        tenant TEXT NOT NULL,
        actor_id TEXT NOT NULL,
        username TEXT NOT NULL,
        username_f TEXT NOT NULL,
        display_name TEXT,
        PRIMARY KEY (tenant, actor_id, username)
      ) STRICT, WITHOUT ROWID;
      CREATE INDEX actors_username ON actors (tenant, username_f);

      CREATE TABLE tokens (
        id TEXT PRIMARY KEY,
        tenant TEXT NOT NULL,
        name TEXT,
        scopes TEXT NOT NULL,
        secret_hash TEXT NOT NULL,
        created_ms INTEGER NOT NULL,
        revoked_ms INTEGER,
        expires_ms INTEGER,
        kind TEXT NOT NULL
      ) STRICT;

      -- The log is append-only at the storage level too: the only writer is append.
      CREATE TRIGGER events_no_update BEFORE UPDATE ON events
        BEGIN SELECT RAISE(ABORT, 'auditlog: events are append-only'); END;
      CREATE TRIGGER events_no_delete BEFORE DELETE ON events
        BEGIN SELECT RAISE(ABORT, 'auditlog: events are append-only'); END;
    `,
  },
  {
    version: 2,
    name: 'authentication events and sessions',
    sql: `
      CREATE TABLE auth_events (
        rid INTEGER PRIMARY KEY,
        tenant TEXT NOT NULL,
        seq INTEGER NOT NULL,
        id TEXT NOT NULL,
        occurred_ms INTEGER NOT NULL,
        received_ms INTEGER NOT NULL,
        type TEXT NOT NULL,
        user_id TEXT,
        username TEXT NOT NULL,
        username_f TEXT NOT NULL,
        method TEXT,
        reason TEXT,
        session_id TEXT,
        ip_key TEXT NOT NULL,
        body TEXT NOT NULL,
        search TEXT NOT NULL,
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL
      ) STRICT;
      CREATE UNIQUE INDEX auth_events_seq ON auth_events (tenant, seq);
      CREATE UNIQUE INDEX auth_events_id ON auth_events (tenant, id);
      CREATE INDEX auth_events_time ON auth_events (tenant, occurred_ms, seq);
      CREATE INDEX auth_events_user ON auth_events (tenant, username_f, occurred_ms, seq);
      CREATE INDEX auth_events_ip ON auth_events (tenant, ip_key, occurred_ms, seq);
      -- Failed logins by time: the failures view and attack detection read only these.
      CREATE INDEX auth_events_failures ON auth_events (tenant, occurred_ms) WHERE type = 'login_failure';

      CREATE TRIGGER auth_events_no_update BEFORE UPDATE ON auth_events
        BEGIN SELECT RAISE(ABORT, 'auditlog: events are append-only'); END;
      CREATE TRIGGER auth_events_no_delete BEFORE DELETE ON auth_events
        BEGIN SELECT RAISE(ABORT, 'auditlog: events are append-only'); END;

      -- Derived from auth_events (core/session-merge.ts); rebuildable, so not append-only.
      CREATE TABLE sessions (
        tenant TEXT NOT NULL,
        session_id TEXT NOT NULL,
        user_id TEXT,
        username TEXT,
        username_f TEXT,
        display_name TEXT,
        method TEXT,
        ip TEXT,
        ip_key TEXT,
        user_agent TEXT,
        login_ms INTEGER,
        ended_ms INTEGER,
        end_reason TEXT,
        sort_ms INTEGER NOT NULL,
        PRIMARY KEY (tenant, session_id)
      ) STRICT, WITHOUT ROWID;
      CREATE INDEX sessions_order ON sessions (tenant, sort_ms, session_id);
      CREATE INDEX sessions_user ON sessions (tenant, username_f, sort_ms);
      CREATE INDEX sessions_user_id ON sessions (tenant, user_id, sort_ms);
      CREATE INDEX sessions_ip ON sessions (tenant, ip_key, sort_ms);
      CREATE INDEX sessions_open ON sessions (tenant, sort_ms, session_id) WHERE ended_ms IS NULL;
    `,
  },
  {
    version: 3,
    name: 'signed checkpoints and signing keys',
    sql: `
      CREATE TABLE checkpoints (
        tenant TEXT NOT NULL,
        seq INTEGER NOT NULL,
        hash TEXT NOT NULL,
        signed_at TEXT NOT NULL,
        key_id TEXT NOT NULL,
        signature TEXT NOT NULL,
        PRIMARY KEY (tenant, seq, key_id)
      ) STRICT, WITHOUT ROWID;
      CREATE TRIGGER checkpoints_no_update BEFORE UPDATE ON checkpoints
        BEGIN SELECT RAISE(ABORT, 'auditlog: checkpoints are append-only'); END;
      CREATE TRIGGER checkpoints_no_delete BEFORE DELETE ON checkpoints
        BEGIN SELECT RAISE(ABORT, 'auditlog: checkpoints are append-only'); END;

      CREATE TABLE signing_keys (
        key_id TEXT PRIMARY KEY,
        public_key_pem TEXT NOT NULL,
        created_ms INTEGER NOT NULL
      ) STRICT;
    `,
  },
  {
    version: 4,
    name: 'search index progress (entries are indexed a full chunk at a time)',
    sql: `
      CREATE TABLE search_progress (tenant TEXT PRIMARY KEY, indexed_seq INTEGER NOT NULL) STRICT;
      INSERT INTO search_progress (tenant, indexed_seq) SELECT tenant, seq FROM chain_heads;
    `,
  },
  {
    version: 5,
    name: 'a seq belongs to one entry of either stream',
    // Each table's unique (tenant, seq) index keeps a seq to one row of that table; the two streams share
    // one chain, so a row of one table must not take a seq of the other either. One probe of the other
    // table's seq index per insert (the same rightmost pages the writer just touched).
    sql: `
      CREATE TRIGGER events_seq_unique BEFORE INSERT ON events
        WHEN EXISTS (SELECT 1 FROM auth_events WHERE tenant = NEW.tenant AND seq = NEW.seq)
        BEGIN SELECT RAISE(ABORT, 'auditlog: the seq belongs to another entry'); END;
      CREATE TRIGGER auth_events_seq_unique BEFORE INSERT ON auth_events
        WHEN EXISTS (SELECT 1 FROM events WHERE tenant = NEW.tenant AND seq = NEW.seq)
        BEGIN SELECT RAISE(ABORT, 'auditlog: the seq belongs to another entry'); END;
    `,
  },
  {
    version: 6,
    name: 'a viewer token names the token that minted it',
    // Viewer tokens minted before this have no parent and are refused from now on (they lived ≤ 1 hour).
    sql: `
      ALTER TABLE tokens ADD COLUMN parent_id TEXT;
      CREATE INDEX tokens_parent ON tokens (parent_id) WHERE parent_id IS NOT NULL;
    `,
  },
  {
    version: 7,
    name: 'stream destinations and their delivery cursors',
    sql: `
      CREATE TABLE destinations (
        id TEXT PRIMARY KEY,
        tenant TEXT NOT NULL,
        name TEXT NOT NULL,
        kind TEXT NOT NULL,
        settings TEXT NOT NULL,
        secret_box TEXT,
        public_key TEXT,
        secret_fingerprint TEXT,
        state TEXT NOT NULL,
        paused_reason TEXT,
        created_ms INTEGER NOT NULL,
        updated_ms INTEGER NOT NULL,
        cursor_seq INTEGER NOT NULL,
        delivered_ms INTEGER,
        last_error TEXT,
        failures INTEGER NOT NULL,
        next_attempt_ms INTEGER NOT NULL,
        generation INTEGER NOT NULL,
        lease_owner TEXT,
        lease_until_ms INTEGER NOT NULL DEFAULT 0
      ) STRICT;
      CREATE INDEX destinations_tenant ON destinations (tenant, created_ms);
    `,
  },
  {
    version: 8,
    name: 'retention policies, legal holds, signed purges and tombstones',
    // A purged entry leaves a tombstone in purged_entries (its seq, stream, id, receive time, digest,
    // prevHash, hash): the chain links through it. The delete guards now let a row go only once its
    // tombstone, with the same hash, is written (core/domain/purge-record.ts); tombstones and purge records
    // are append-only like the entries.
    sql: `
      CREATE TABLE retention_policies (
        tenant TEXT NOT NULL,
        stream TEXT NOT NULL,
        category TEXT NOT NULL, -- '' for every category
        max_age_days INTEGER NOT NULL,
        updated_ms INTEGER NOT NULL,
        PRIMARY KEY (tenant, stream, category)
      ) STRICT, WITHOUT ROWID;

      CREATE TABLE legal_holds (
        id TEXT PRIMARY KEY,
        tenant TEXT NOT NULL,
        reason TEXT NOT NULL,
        actor_id TEXT,
        target_type TEXT,
        target_id TEXT,
        category TEXT,
        from_ms INTEGER,
        to_ms INTEGER,
        created_ms INTEGER NOT NULL,
        created_by TEXT NOT NULL,
        released_ms INTEGER,
        released_by TEXT
      ) STRICT;
      CREATE INDEX legal_holds_tenant ON legal_holds (tenant, created_ms);

      CREATE TABLE purges (
        tenant TEXT NOT NULL,
        purge_id TEXT NOT NULL,
        first_seq INTEGER NOT NULL,
        record TEXT NOT NULL,
        PRIMARY KEY (tenant, purge_id)
      ) STRICT, WITHOUT ROWID;

      CREATE TABLE purged_entries (
        tenant TEXT NOT NULL,
        seq INTEGER NOT NULL,
        stream TEXT NOT NULL,
        id TEXT NOT NULL,
        received_ms INTEGER NOT NULL,
        digest TEXT NOT NULL,
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL,
        purge_id TEXT NOT NULL,
        PRIMARY KEY (tenant, seq)
      ) STRICT, WITHOUT ROWID;

      DROP TRIGGER events_no_delete;
      CREATE TRIGGER events_no_delete BEFORE DELETE ON events
        WHEN NOT EXISTS (SELECT 1 FROM purged_entries p
          WHERE p.tenant = OLD.tenant AND p.seq = OLD.seq AND p.hash = OLD.hash AND p.stream = 'event')
        BEGIN SELECT RAISE(ABORT, 'auditlog: events are append-only'); END;
      DROP TRIGGER auth_events_no_delete;
      CREATE TRIGGER auth_events_no_delete BEFORE DELETE ON auth_events
        WHEN NOT EXISTS (SELECT 1 FROM purged_entries p
          WHERE p.tenant = OLD.tenant AND p.seq = OLD.seq AND p.hash = OLD.hash AND p.stream = 'auth')
        BEGIN SELECT RAISE(ABORT, 'auditlog: events are append-only'); END;
      CREATE TRIGGER purged_entries_no_update BEFORE UPDATE ON purged_entries
        BEGIN SELECT RAISE(ABORT, 'auditlog: tombstones are append-only'); END;
      CREATE TRIGGER purged_entries_no_delete BEFORE DELETE ON purged_entries
        BEGIN SELECT RAISE(ABORT, 'auditlog: tombstones are append-only'); END;
      CREATE TRIGGER purges_no_update BEFORE UPDATE ON purges
        BEGIN SELECT RAISE(ABORT, 'auditlog: purge records are append-only'); END;
      CREATE TRIGGER purges_no_delete BEFORE DELETE ON purges
        BEGIN SELECT RAISE(ABORT, 'auditlog: purge records are append-only'); END;
    `,
  },
  SQLITE_MERKLE_MIGRATION,
  SQLITE_ROLLUPS_MIGRATION,
  SQLITE_SUBJECT_KEYS_MIGRATION,
  SQLITE_CATEGORY_MIGRATION,
  SQLITE_PURGE_MIGRATION,
  SQLITE_ACTOR_MONTHS_MIGRATION,
  {
    version: 15,
    name: 'target B-trees, as on PostgreSQL',
    // Through the search chunks only, a hot target combined with a common filter (`create`) read 1,024
    // candidate chunks — 131,072 rows — for one page (issue 18's skewed workload). Walked in page order, its
    // own index finds the page in about a page's rows. Type + id and IP stay with the chunks.
    sql: `
      CREATE INDEX events_target_id_f ON events (tenant, target_id_f, occurred_ms, seq);
      CREATE INDEX events_target_name_f ON events (tenant, target_name_f, occurred_ms, seq)
        WHERE target_name_f IS NOT NULL;
    `,
  },
  SQLITE_FACETS_MIGRATION,
  SQLITE_COVERING_MIGRATION,
  SQLITE_ACTOR_WEEKS_MIGRATION,
  SQLITE_ACTOR_QUARTERS_MIGRATION,
  SQLITE_SEQ_GUARD_FAIL_MIGRATION,
  SQLITE_EARLY_YEARS_ROLLUPS_MIGRATION,
  SQLITE_UNRECORDED_PURGES_MIGRATION,
  SQLITE_COMBO_ROLLUPS_MIGRATION,
  SQLITE_AUDIT_OUTBOX_MIGRATION,
];
