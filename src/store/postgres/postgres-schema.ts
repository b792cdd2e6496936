import { POSTGRES_AUDIT_OUTBOX_MIGRATION } from './postgres-audit-outbox.js';
import { POSTGRES_MERKLE_MIGRATION } from './postgres-merkle-schema.js';
import { POSTGRES_PLANNER_MIGRATIONS } from './postgres-planner-schema.js';
import { POSTGRES_PURGE_MIGRATION, POSTGRES_UNRECORDED_PURGES_MIGRATION } from './postgres-purge-schema.js';
import * as rollups from './postgres-rollups-schema.js';
import { POSTGRES_SUBJECT_KEYS_MIGRATION } from './postgres-subject-keys-schema.js';

/** Identifier-like text compares byte-wise, as in SQLite, so orders and keysets match across stores. */
const T = 'text COLLATE "C"';

/**
 * Versioned schema, the twin of sqlite-schema.ts, applied by postgres-migrations.ts: each migration once, in
 * its own transaction, under an advisory lock (nodes starting together migrate once). Never edit a shipped one.
 *
 * Event tables are partitioned by month of `occurred_ms` (postgres-partitions.ts), so retention drops
 * partitions. With no unique index across partitions, an append holds its chain-head row lock while it checks
 * ids and assigns seqs (postgres-writer.ts), and a trigger the application role cannot drop (migration 3)
 * claims each (tenant, seq) in `chain_seqs`. Later migrations live in files of their own.
 */
export const POSTGRES_MIGRATIONS: { version: number; name: string; sql: string }[] = [
  {
    version: 1,
    name: 'events, auth events, sessions, chain heads, search chunks, tokens, checkpoints, keys, meta',
    sql: `
      CREATE EXTENSION IF NOT EXISTS pg_trgm;

      CREATE TABLE meta (key ${T} PRIMARY KEY, value text NOT NULL);

      -- One row per tenant: the newest link of its chain, locked FOR UPDATE by every append (one linear
      -- chain across processes), and how far the search chunks cover its events.
      CREATE TABLE chain_heads (
        tenant ${T} PRIMARY KEY,
        seq bigint NOT NULL,
        hash text NOT NULL,
        indexed_seq bigint NOT NULL DEFAULT 0,
        unindexed integer NOT NULL DEFAULT 0
      );

      CREATE TABLE events (
        tenant ${T} NOT NULL,
        seq bigint NOT NULL,
        id ${T} NOT NULL,
        occurred_ms bigint NOT NULL,
        received_ms bigint NOT NULL,
        actor_id ${T} NOT NULL,
        actor_username ${T},
        actor_username_f ${T},
        actor_display_name text,
        action ${T} NOT NULL,
        category ${T} NOT NULL,
        event_type ${T} NOT NULL,
        target_type ${T} NOT NULL,
        target_id ${T} NOT NULL,
        target_id_f ${T} NOT NULL,
        target_name_f ${T},
        ip_key ${T},
        session_id ${T},
        body text NOT NULL,
        search text NOT NULL,
        prev_hash text NOT NULL,
        hash text NOT NULL
      ) PARTITION BY RANGE (occurred_ms);
      CREATE TABLE events_default PARTITION OF events DEFAULT;
      -- The B-trees of SQLite, plus target and IP: at 10M events the chunk index answered entity history in
      -- 0.3–0.45 s and an IP in 0.1 s, over the 50 ms goal (EXPLAIN ANALYZE in BENCHMARKS.md). Each B-tree
      -- costs every insert, and PostgreSQL has the write headroom SQLite lacks.
      CREATE INDEX events_seq ON events (tenant, seq);
      CREATE INDEX events_id ON events (tenant, id);
      CREATE INDEX events_time ON events (tenant, occurred_ms, seq);
      CREATE INDEX events_actor ON events (tenant, actor_id, occurred_ms, seq);
      CREATE INDEX events_type ON events (tenant, event_type, occurred_ms, seq);
      CREATE INDEX events_session ON events (tenant, session_id, occurred_ms, seq) WHERE session_id IS NOT NULL;
      CREATE INDEX events_target ON events (tenant, target_type, target_id, occurred_ms, seq);
      CREATE INDEX events_ip ON events (tenant, ip_key, occurred_ms, seq) WHERE ip_key IS NOT NULL;

      -- The chunked keyword index (search-chunks.ts): one trigram-indexed document per 128 events.
      CREATE TABLE event_search_chunks (
        tenant ${T} NOT NULL,
        lo bigint NOT NULL,
        hi bigint NOT NULL,
        doc text NOT NULL,
        PRIMARY KEY (tenant, lo)
      );
      CREATE INDEX event_search_chunks_doc ON event_search_chunks USING gin (doc gin_trgm_ops);

      CREATE TABLE actors (
        tenant ${T} NOT NULL,
        actor_id ${T} NOT NULL,
        username ${T} NOT NULL,
        username_f ${T} NOT NULL,
        display_name text,
        PRIMARY KEY (tenant, actor_id, username)
      );
      CREATE INDEX actors_username ON actors (tenant, username_f);

      CREATE TABLE auth_events (
        tenant ${T} NOT NULL,
        seq bigint NOT NULL,
        id ${T} NOT NULL,
        occurred_ms bigint NOT NULL,
        received_ms bigint NOT NULL,
        type ${T} NOT NULL,
        user_id ${T},
        username ${T} NOT NULL,
        username_f ${T} NOT NULL,
        method ${T},
        reason ${T},
        session_id ${T},
        ip ${T} NOT NULL,
        ip_key ${T} NOT NULL,
        body text NOT NULL,
        search text NOT NULL,
        prev_hash text NOT NULL,
        hash text NOT NULL
      ) PARTITION BY RANGE (occurred_ms);
      CREATE TABLE auth_events_default PARTITION OF auth_events DEFAULT;
      CREATE INDEX auth_events_seq ON auth_events (tenant, seq);
      CREATE INDEX auth_events_id ON auth_events (tenant, id);
      CREATE INDEX auth_events_time ON auth_events (tenant, occurred_ms, seq);
      CREATE INDEX auth_events_user ON auth_events (tenant, username_f, occurred_ms, seq);
      CREATE INDEX auth_events_ip ON auth_events (tenant, ip_key, occurred_ms, seq);
      CREATE INDEX auth_events_failures ON auth_events (tenant, occurred_ms) WHERE type = 'login_failure';

      -- Derived from auth_events (core/session-merge.ts); rebuildable, so not append-only.
      CREATE TABLE sessions (
        tenant ${T} NOT NULL,
        session_id ${T} NOT NULL,
        user_id ${T},
        username ${T},
        username_f ${T},
        display_name text,
        method ${T},
        ip ${T},
        ip_key ${T},
        user_agent text,
        login_ms bigint,
        ended_ms bigint,
        end_reason ${T},
        sort_ms bigint NOT NULL,
        PRIMARY KEY (tenant, session_id)
      );
      CREATE INDEX sessions_order ON sessions (tenant, sort_ms, session_id);
      CREATE INDEX sessions_user ON sessions (tenant, username_f, sort_ms, session_id);
      CREATE INDEX sessions_user_id ON sessions (tenant, user_id, sort_ms, session_id);
      CREATE INDEX sessions_ip ON sessions (tenant, ip_key, sort_ms);
      CREATE INDEX sessions_open ON sessions (tenant, sort_ms, session_id) WHERE ended_ms IS NULL;

      CREATE TABLE checkpoints (
        tenant ${T} NOT NULL,
        seq bigint NOT NULL,
        hash text NOT NULL,
        signed_at ${T} NOT NULL,
        key_id ${T} NOT NULL,
        signature text NOT NULL,
        PRIMARY KEY (tenant, seq, key_id)
      );

      CREATE TABLE signing_keys (
        key_id ${T} PRIMARY KEY,
        public_key_pem text NOT NULL,
        created_ms bigint NOT NULL
      );

      CREATE TABLE tokens (
        id ${T} PRIMARY KEY,
        tenant ${T} NOT NULL,
        name text,
        scopes text NOT NULL,
        secret_hash text NOT NULL,
        created_ms bigint NOT NULL,
        revoked_ms bigint,
        expires_ms bigint,
        kind ${T} NOT NULL
      );

      -- Append-only at the storage level: a trigger refuses UPDATE, DELETE and TRUNCATE for every role, and
      -- PUBLIC holds no such privilege. Row triggers are cloned onto each partition; statement triggers
      -- (TRUNCATE) are not, so each partition gets its own (here and in postgres-partitions.ts). Retention
      -- drops whole partitions, which only the owner can do.
      CREATE FUNCTION auditlog_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION 'auditlog: % is append-only', TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege'; END
      $$;
      CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON events
        FOR EACH ROW EXECUTE FUNCTION auditlog_append_only();
      CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events
        FOR EACH STATEMENT EXECUTE FUNCTION auditlog_append_only();
      CREATE TRIGGER auth_events_append_only BEFORE UPDATE OR DELETE ON auth_events
        FOR EACH ROW EXECUTE FUNCTION auditlog_append_only();
      CREATE TRIGGER auth_events_no_truncate BEFORE TRUNCATE ON auth_events
        FOR EACH STATEMENT EXECUTE FUNCTION auditlog_append_only();
      CREATE TRIGGER checkpoints_append_only BEFORE UPDATE OR DELETE ON checkpoints
        FOR EACH ROW EXECUTE FUNCTION auditlog_append_only();
      CREATE TRIGGER checkpoints_no_truncate BEFORE TRUNCATE ON checkpoints
        FOR EACH STATEMENT EXECUTE FUNCTION auditlog_append_only();
      CREATE TRIGGER events_default_no_truncate BEFORE TRUNCATE ON events_default
        FOR EACH STATEMENT EXECUTE FUNCTION auditlog_append_only();
      CREATE TRIGGER auth_events_default_no_truncate BEFORE TRUNCATE ON auth_events_default
        FOR EACH STATEMENT EXECUTE FUNCTION auditlog_append_only();
      REVOKE UPDATE, DELETE, TRUNCATE ON events, auth_events, checkpoints FROM PUBLIC;
    `,
  },
  {
    version: 2,
    name: 'B-trees for the target filter (an id or a name, case-insensitive)',
    // Through the keyword chunks, `target=main-menu` took 190 ms at 10M events (it checks every entry of
    // every candidate chunk); two ordered index scans merged answer a page in a few milliseconds.
    sql: `
      CREATE INDEX events_target_id_f ON events (tenant, target_id_f, occurred_ms, seq);
      CREATE INDEX events_target_name_f ON events (tenant, target_name_f, occurred_ms, seq)
        WHERE target_name_f IS NOT NULL;
    `,
  },
  {
    version: 3,
    name: 'a seq belongs to one entry of either stream, for every role but the owner',
    // The partitioned tables cannot hold a unique (tenant, seq) index, so each insert claims its seq in a
    // plain table whose primary key refuses a second claim. The row trigger is cloned onto every partition,
    // present and future (an INSERT naming a partition is caught too), and only the owner can drop or
    // disable it. SECURITY DEFINER: it writes chain_seqs as the owner, so the application role needs no
    // grant there; the table is named with its schema, so a caller's temporary table cannot stand in for it.
    // Existing entries are claimed first; a seq already taken twice stays for `auditlog verify` to report.
    // Cost: ~7–10 µs of database CPU per row against ~45–50 µs for the raw insert (README); a statement-level
    // trigger costs ~3–5 µs but is not cloned, so every partition would need its own — one forgotten is a hole.
    sql: `
      CREATE TABLE chain_seqs (tenant ${T} NOT NULL, seq bigint NOT NULL, PRIMARY KEY (tenant, seq));
      INSERT INTO chain_seqs (tenant, seq)
        SELECT tenant, seq FROM events UNION ALL SELECT tenant, seq FROM auth_events
        ON CONFLICT DO NOTHING;
      DO $migration$ BEGIN
        EXECUTE format($fn$
          CREATE FUNCTION auditlog_claim_seq() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER AS $body$
            BEGIN INSERT INTO %I.chain_seqs (tenant, seq) VALUES (NEW.tenant, NEW.seq); RETURN NEW; END
          $body$$fn$, current_schema());
      END $migration$;
      CREATE TRIGGER events_claim_seq BEFORE INSERT ON events
        FOR EACH ROW EXECUTE FUNCTION auditlog_claim_seq();
      CREATE TRIGGER auth_events_claim_seq BEFORE INSERT ON auth_events
        FOR EACH ROW EXECUTE FUNCTION auditlog_claim_seq();
    `,
  },
  {
    version: 4,
    name: 'a viewer token names the token that minted it',
    // Viewer tokens minted before this have no parent and are refused from now on (they lived ≤ 1 hour).
    sql: `
      ALTER TABLE tokens ADD COLUMN parent_id ${T};
      CREATE INDEX tokens_parent ON tokens (parent_id) WHERE parent_id IS NOT NULL;
    `,
  },
  {
    version: 5,
    name: 'stream destinations and their delivery cursors',
    sql: `
      CREATE TABLE destinations (
        id ${T} PRIMARY KEY,
        tenant ${T} NOT NULL,
        name ${T} NOT NULL,
        kind ${T} NOT NULL,
        settings ${T} NOT NULL,
        secret_box ${T},
        public_key ${T},
        secret_fingerprint ${T},
        state ${T} NOT NULL,
        paused_reason ${T},
        created_ms bigint NOT NULL,
        updated_ms bigint NOT NULL,
        cursor_seq bigint NOT NULL,
        delivered_ms bigint,
        last_error ${T},
        failures integer NOT NULL,
        next_attempt_ms bigint NOT NULL,
        generation integer NOT NULL,
        lease_owner ${T},
        lease_until_ms bigint NOT NULL DEFAULT 0
      );
      CREATE INDEX destinations_tenant ON destinations (tenant, created_ms);
    `,
  },
  {
    version: 6,
    name: 'retention policies, legal holds, signed purges and tombstones',
    // The twin of SQLite migration 8. A purged entry leaves a tombstone in purged_entries (its seq, stream,
    // id, receive time, digest, prevHash, hash) so the chain links through it; the delete trigger lets a row
    // go only once its tombstone, with the same hash, is written (schema-qualified: a caller's temporary
    // table cannot stand in). UPDATE and TRUNCATE stay refused; tombstones and purge records are append-only.
    // The seq stays claimed in chain_seqs. Deleting still needs the DELETE privilege (postgres.md).
    sql: `
      CREATE TABLE retention_policies (
        tenant ${T} NOT NULL,
        stream ${T} NOT NULL,
        category ${T} NOT NULL, -- '' for every category
        max_age_days integer NOT NULL,
        updated_ms bigint NOT NULL,
        PRIMARY KEY (tenant, stream, category)
      );
      CREATE TABLE legal_holds (
        id ${T} PRIMARY KEY,
        tenant ${T} NOT NULL,
        reason text NOT NULL,
        actor_id ${T},
        target_type ${T},
        target_id ${T},
        category ${T},
        from_ms bigint,
        to_ms bigint,
        created_ms bigint NOT NULL,
        created_by text NOT NULL,
        released_ms bigint,
        released_by text
      );
      CREATE INDEX legal_holds_tenant ON legal_holds (tenant, created_ms);
      CREATE TABLE purges (
        tenant ${T} NOT NULL,
        purge_id ${T} NOT NULL,
        first_seq bigint NOT NULL,
        record text NOT NULL,
        PRIMARY KEY (tenant, purge_id)
      );
      CREATE TABLE purged_entries (
        tenant ${T} NOT NULL,
        seq bigint NOT NULL,
        stream ${T} NOT NULL,
        id ${T} NOT NULL,
        received_ms bigint NOT NULL,
        digest text NOT NULL,
        prev_hash text NOT NULL,
        hash text NOT NULL,
        purge_id ${T} NOT NULL,
        PRIMARY KEY (tenant, seq)
      );
      DO $migration$ BEGIN
        EXECUTE format($fn$
          CREATE FUNCTION auditlog_delete_purged() RETURNS trigger LANGUAGE plpgsql AS $body$
            BEGIN
              IF EXISTS (SELECT 1 FROM %I.purged_entries p
                          WHERE p.tenant = OLD.tenant AND p.seq = OLD.seq AND p.hash = OLD.hash) THEN
                RETURN OLD;
              END IF;
              RAISE EXCEPTION 'auditlog: %% is append-only', TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
            END
          $body$$fn$, current_schema());
      END $migration$;
      DROP TRIGGER events_append_only ON events;
      CREATE TRIGGER events_append_only BEFORE UPDATE ON events
        FOR EACH ROW EXECUTE FUNCTION auditlog_append_only();
      CREATE TRIGGER events_delete_purged BEFORE DELETE ON events
        FOR EACH ROW EXECUTE FUNCTION auditlog_delete_purged();
      DROP TRIGGER auth_events_append_only ON auth_events;
      CREATE TRIGGER auth_events_append_only BEFORE UPDATE ON auth_events
        FOR EACH ROW EXECUTE FUNCTION auditlog_append_only();
      CREATE TRIGGER auth_events_delete_purged BEFORE DELETE ON auth_events
        FOR EACH ROW EXECUTE FUNCTION auditlog_delete_purged();
      CREATE TRIGGER purged_entries_append_only BEFORE UPDATE OR DELETE ON purged_entries
        FOR EACH ROW EXECUTE FUNCTION auditlog_append_only();
      CREATE TRIGGER purged_entries_no_truncate BEFORE TRUNCATE ON purged_entries
        FOR EACH STATEMENT EXECUTE FUNCTION auditlog_append_only();
      CREATE TRIGGER purges_append_only BEFORE UPDATE OR DELETE ON purges
        FOR EACH ROW EXECUTE FUNCTION auditlog_append_only();
      CREATE TRIGGER purges_no_truncate BEFORE TRUNCATE ON purges
        FOR EACH STATEMENT EXECUTE FUNCTION auditlog_append_only();
      REVOKE UPDATE, DELETE, TRUNCATE ON purged_entries, purges FROM PUBLIC;
    `,
  },
  POSTGRES_MERKLE_MIGRATION,
  rollups.POSTGRES_ROLLUPS_MIGRATION,
  POSTGRES_SUBJECT_KEYS_MIGRATION,
  POSTGRES_PURGE_MIGRATION,
  rollups.POSTGRES_ACTOR_MONTHS_MIGRATION,
  ...POSTGRES_PLANNER_MIGRATIONS,
  rollups.POSTGRES_ACTOR_WEEKS_MIGRATION,
  rollups.POSTGRES_ACTOR_QUARTERS_MIGRATION,
  rollups.POSTGRES_COVERING_ROLLUPS_MIGRATION,
  POSTGRES_UNRECORDED_PURGES_MIGRATION,
  rollups.POSTGRES_COMBO_ROLLUPS_MIGRATION,
  POSTGRES_AUDIT_OUTBOX_MIGRATION,
];
