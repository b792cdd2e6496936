const T = 'text COLLATE "C"';

/** Migration: the subject keys of crypto-shredding (docs/lifecycle.md#erasure-of-a-data-subject). */
export const POSTGRES_SUBJECT_KEYS_MIGRATION = {
  version: 9,
  name: 'subject keys of crypto-shredding',
  // One random key per data subject, wrapped by the tenant key (kept in a key file, never here); `ref` is
  // the blind index of the subject's actor id. Erasure deletes the row (docs/lifecycle.md).
  sql: `
    CREATE TABLE subject_keys (
      tenant ${T} NOT NULL,
      ref text NOT NULL,
      kid text NOT NULL,
      wrapped text NOT NULL,
      created_ms bigint NOT NULL,
      PRIMARY KEY (tenant, ref)
    );
    CREATE UNIQUE INDEX subject_keys_kid ON subject_keys (tenant, kid);
  `,
};
