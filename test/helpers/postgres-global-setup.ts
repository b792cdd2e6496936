// Once per run of the `postgres` project: drops the test databases that an interrupted run left behind.
import { dropStaleTestDatabases, postgresStatus } from './postgres.js';

export default async function setup(): Promise<void> {
  if (!(await postgresStatus()).ok) return; // each test then fails with the reason (AUDITLOG_TEST_REQUIRE_ALL=1)
  const dropped = await dropStaleTestDatabases();
  if (dropped.length > 0)
    console.warn(`dropped ${dropped.length} stale test database(s): ${dropped.join(', ')}`);
}
