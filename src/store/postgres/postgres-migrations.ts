import type { PgPool } from './postgres-connection.js';
import { POSTGRES_MIGRATIONS } from './postgres-schema.js';

const MIGRATION_LOCK = 0x6175_6469; // "audi"

export async function migratePostgres(pool: PgPool): Promise<void> {
  const client = await pool.connect();
  try {
    // A migration may build indexes over millions of rows: no statement timeout for it.
    await client.query('SET statement_timeout = 0');
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    try {
      // Checked first: CREATE … IF NOT EXISTS still needs CREATE on the schema, which an application role
      // running a database the owner migrated does not have.
      const { rows } = await client.query("SELECT to_regclass('schema_migrations') AS t");
      if (!rows[0]?.t) {
        await client.query(
          'CREATE TABLE schema_migrations (version integer PRIMARY KEY, name text, applied_ms bigint)',
        );
      }
      const applied = new Set(
        (await client.query<{ version: number }>('SELECT version FROM schema_migrations')).rows.map(
          (r) => r.version,
        ),
      );
      for (const m of POSTGRES_MIGRATIONS) {
        if (applied.has(m.version)) continue;
        await client.query('BEGIN');
        try {
          await client.query(m.sql);
          await client.query(
            'INSERT INTO schema_migrations (version, name, applied_ms) VALUES ($1, $2, $3)',
            [m.version, m.name, Date.now()],
          );
          await client.query('COMMIT');
        } catch (error) {
          await client.query('ROLLBACK');
          throw error;
        }
      }
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
      await client.query('RESET statement_timeout');
    }
  } finally {
    client.release();
  }
}
