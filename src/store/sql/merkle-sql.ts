/** The cosignature columns under the names of StoredCosignature (merkle-store.ts), for both engines. */
export const COSIGNATURE_COLUMNS =
  'tenant, tree_size AS "treeSize", root_hash AS "rootHash", witness, key_id AS "keyId", line, time, received_ms AS "receivedMs"';
