/** Migration: the Merkle tree's nodes, the sizes they cover and witnesses' cosignatures (core/services/merkle-log.ts). */
export const SQLITE_MERKLE_MIGRATION = {
  version: 9,
  name: 'Merkle tree nodes, the size they cover, witness cosignatures',
  // Insert-only, like the chain: a node follows from the entries alone, so nothing ever changes one.
  sql: `
      CREATE TABLE merkle_nodes (
        tenant TEXT NOT NULL,
        level INTEGER NOT NULL,
        idx INTEGER NOT NULL,
        hash BLOB NOT NULL,
        PRIMARY KEY (tenant, level, idx)
      ) STRICT, WITHOUT ROWID;
      CREATE TABLE merkle_sizes (
        tenant TEXT NOT NULL,
        size INTEGER NOT NULL,
        PRIMARY KEY (tenant, size)
      ) STRICT, WITHOUT ROWID;
      CREATE TABLE merkle_cosignatures (
        tenant TEXT NOT NULL,
        tree_size INTEGER NOT NULL,
        root_hash TEXT NOT NULL,
        witness TEXT NOT NULL,
        key_id TEXT NOT NULL,
        line TEXT NOT NULL,
        time INTEGER NOT NULL,
        received_ms INTEGER NOT NULL,
        PRIMARY KEY (tenant, tree_size, witness, key_id)
      ) STRICT;
      CREATE TRIGGER merkle_nodes_no_update BEFORE UPDATE ON merkle_nodes
        BEGIN SELECT RAISE(ABORT, 'auditlog: Merkle nodes are append-only'); END;
      CREATE TRIGGER merkle_nodes_no_delete BEFORE DELETE ON merkle_nodes
        BEGIN SELECT RAISE(ABORT, 'auditlog: Merkle nodes are append-only'); END;
      CREATE TRIGGER merkle_cosignatures_no_update BEFORE UPDATE ON merkle_cosignatures
        BEGIN SELECT RAISE(ABORT, 'auditlog: cosignatures are append-only'); END;
      CREATE TRIGGER merkle_cosignatures_no_delete BEFORE DELETE ON merkle_cosignatures
        BEGIN SELECT RAISE(ABORT, 'auditlog: cosignatures are append-only'); END;
    `,
};
