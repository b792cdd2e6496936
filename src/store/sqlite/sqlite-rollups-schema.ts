import { dayStart, ROLLUP_DIMS, rollupRowsOf } from '../sql/rollups-sql.js';

const D = ROLLUP_DIMS;
const day = (row: 'NEW' | 'OLD') => dayStart(`${row}.occurred_ms`);
const PK = 'tenant, dim, day_ms, key, label';

/** Each dimension's key and label of an events row. */
const dims = (row: 'NEW' | 'OLD') => [
  [D.category, `${row}.category`, "''"],
  [D.action, `${row}.action`, "''"],
  [D.eventType, `${row}.event_type`, "''"],
  [D.user, `${row}.actor_id`, `coalesce(${row}.actor_username, '')`],
];

/**
 * Migration: per-day rollups for `GET /v1/stats` (sql/rollups-sql.ts), backfilled from the events already
 * stored. The writer adds each group commit's counts before its COMMIT (sqlite-writer.ts, RollupCounter:
 * a per-row insert trigger cost 3× the raw insert), counting only the batches whose savepoint was
 * released; a purge's deletes take them off by a row trigger, in the same transaction. A counter that reaches 0 is deleted, so no purged username
 * lingers as a label.
 */
export const SQLITE_ROLLUPS_MIGRATION = {
  version: 10,
  name: 'Per-day statistics rollups by category, action, event type and actor',
  sql: `
    CREATE TABLE event_rollups (
      tenant TEXT NOT NULL,
      dim TEXT NOT NULL,
      day_ms INTEGER NOT NULL,
      key TEXT NOT NULL,
      label TEXT NOT NULL,
      n INTEGER NOT NULL,
      PRIMARY KEY (${PK})
    ) STRICT, WITHOUT ROWID;
    INSERT INTO event_rollups (${PK}, n) ${rollupRowsOf('events')};
    CREATE TRIGGER events_rollup_delete AFTER DELETE ON events BEGIN
      ${dims('OLD')
        .map(
          ([dim, key, label]) => `UPDATE event_rollups SET n = n - 1 WHERE tenant = OLD.tenant
        AND dim = '${dim}' AND day_ms = ${day('OLD')} AND key = ${key} AND label = ${label};`,
        )
        .join('\n      ')}
      DELETE FROM event_rollups WHERE tenant = OLD.tenant AND dim IN ('${Object.values(D).join("', '")}')
        AND day_ms = ${day('OLD')} AND n = 0;
    END;
  `,
};
