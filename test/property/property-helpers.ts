import { generateKeyPairSync } from 'node:crypto';
import { expect } from 'vitest';
import { type CliResult, runCli } from '../helpers/cli.js';
import type { tempDir } from '../helpers/temp-dir.js';
import type { TestServer } from '../helpers/test-server.js';

/** GET `path`, which MUST answer 200 with a body that is JSON; returns it parsed. */
export async function readJson(server: TestServer, path: string): Promise<any> {
  const res = await server.request(path);
  const text = await res.text();
  expect(res.status, `GET ${path}: ${text.slice(0, 300)}`).toBe(200);
  return JSON.parse(text);
}

/** The event lines of an NDJSON export; every line MUST be JSON. */
export function ndjsonEvents(text: string): any[] {
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line))
    .filter((line) => !('bridge' in line) && !('checkpoint' in line) && !('end' in line));
}

export interface CliStore {
  /** `--db FILE` or `--database-url URL`. */
  args: string[];
  run: (args: string[]) => Promise<CliResult>;
}

// The CLI on PostgreSQL keeps a generated signing key under ./data; a key of the test's own keeps the
// checkout clean.
const SIGNING_KEY = generateKeyPairSync('ed25519')
  .privateKey.export({ format: 'pem', type: 'pkcs8' })
  .toString();
const run = (args: string[]) => runCli(args, { AUDITLOG_SIGNING_KEY: SIGNING_KEY });

/** The CLI pointed at the test server's store, and at a fresh, empty store of the same kind. */
export function cliStore(
  server: TestServer,
  dir: ReturnType<typeof tempDir>,
): CliStore & { fresh: () => Promise<CliStore & { remove: () => Promise<void> }> } {
  const postgres = server.storeKind === 'postgres';
  return {
    args: postgres ? ['--database-url', server.databaseUrl!] : ['--db', server.dbFile],
    run,
    fresh: async () => {
      if (!postgres) return { args: ['--db', dir.file('fresh.db')], run, remove: async () => {} };
      const { createTestDatabase } = await import('../helpers/postgres.js');
      const db = await createTestDatabase();
      return { args: ['--database-url', db.url], run, remove: db.drop };
    },
  };
}
