/** Migration: the subject keys of crypto-shredding (docs/lifecycle.md#erasure-of-a-data-subject). */
export const SQLITE_SUBJECT_KEYS_MIGRATION = {
  version: 11,
  name: 'subject keys of crypto-shredding',
  // One random key per data subject, wrapped by the tenant key (kept in a key file, never here); `ref` is
  // the blind index of the subject's actor id. Erasure deletes the row (docs/lifecycle.md).
  sql: `
    CREATE TABLE subject_keys (
      tenant TEXT NOT NULL,
      ref TEXT NOT NULL,
      kid TEXT NOT NULL,
      wrapped TEXT NOT NULL,
      created_ms INTEGER NOT NULL,
      PRIMARY KEY (tenant, ref)
    ) STRICT, WITHOUT ROWID;
    CREATE UNIQUE INDEX subject_keys_kid ON subject_keys (tenant, kid);
  `,
};
