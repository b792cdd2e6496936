/** Identifier-like text compares byte-wise, as in postgres-schema.ts. */
const T = 'text COLLATE "C"';

/** Migration: the Merkle tree's nodes, the sizes they cover and witnesses' cosignatures (core/services/merkle-log.ts). */
export const POSTGRES_MERKLE_MIGRATION = {
  version: 7,
  name: 'Merkle tree nodes, the size they cover, witness cosignatures',
  // Insert-only, like the chain: a node follows from the entries alone, so the application role needs no
  // UPDATE or DELETE here, and two nodes extending one tree insert the same rows.
  sql: `
      CREATE TABLE merkle_nodes (
        tenant ${T} NOT NULL,
        level smallint NOT NULL,
        idx bigint NOT NULL,
        hash bytea NOT NULL,
        PRIMARY KEY (tenant, level, idx)
      );
      CREATE TABLE merkle_sizes (tenant ${T} NOT NULL, size bigint NOT NULL, PRIMARY KEY (tenant, size));
      CREATE TABLE merkle_cosignatures (
        tenant ${T} NOT NULL,
        tree_size bigint NOT NULL,
        root_hash text NOT NULL,
        witness ${T} NOT NULL,
        key_id text NOT NULL,
        line text NOT NULL,
        time bigint NOT NULL,
        received_ms bigint NOT NULL,
        PRIMARY KEY (tenant, tree_size, witness, key_id)
      );
      CREATE TRIGGER merkle_nodes_append_only BEFORE UPDATE OR DELETE ON merkle_nodes
        FOR EACH ROW EXECUTE FUNCTION auditlog_append_only();
      CREATE TRIGGER merkle_cosignatures_append_only BEFORE UPDATE OR DELETE ON merkle_cosignatures
        FOR EACH ROW EXECUTE FUNCTION auditlog_append_only();
    `,
};
