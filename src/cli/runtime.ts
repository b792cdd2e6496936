import { existsSync } from 'node:fs';
import { userInfo } from 'node:os';
import { AuditError } from '../core/domain/errors.js';
import { checkPersonalPaths } from '../core/domain/shred-event.js';
import { parsePrivateKey } from '../core/domain/signing.js';
import type { Store } from '../core/ports/store.js';
import type { ActingParty } from '../core/services/access-control.js';
import { type AuditLog, openAuditLog } from '../core/services/audit-log.js';
import { erasureMaster, type PersonalDataOptions } from '../core/services/personal-data.js';

export interface StoreFlags {
  db?: string;
  databaseUrl?: string;
  /** Open without migrating or writing (verify). */
  readonly?: boolean;
  /** Reader threads for queries (serve). */
  readers?: number;
}

export const DEFAULT_DB = './data/auditlog.db';

/** Flags beat environment variables; naming both a SQLite file and a PostgreSQL URL is an error. */
export function resolveStoreFlags(flags: StoreFlags, env: NodeJS.ProcessEnv = process.env): StoreFlags {
  if (flags.db !== undefined && flags.databaseUrl !== undefined) {
    throw new AuditError('invalid_request', 'Give either --db or --database-url, not both');
  }
  if (flags.db !== undefined) return { db: flags.db, readonly: flags.readonly };
  if (flags.databaseUrl !== undefined) return { databaseUrl: flags.databaseUrl, readonly: flags.readonly };
  if (env.AUDITLOG_DB && env.DATABASE_URL) {
    throw new AuditError('invalid_request', 'Set either AUDITLOG_DB or DATABASE_URL, not both');
  }
  if (env.DATABASE_URL) return { databaseUrl: env.DATABASE_URL, readonly: flags.readonly };
  return { db: env.AUDITLOG_DB || DEFAULT_DB, readonly: flags.readonly };
}

/**
 * For a command that only reads an existing log (prove, export): a SQLite file that is not there is refused
 * (exit 2, naming it and `why`) rather than created empty with a new signing key, which then answered that
 * the log had no entries.
 */
export function requireExistingStore(flags: StoreFlags, why: string): void {
  const resolved = resolveStoreFlags(flags);
  if (resolved.databaseUrl !== undefined || (resolved.db !== undefined && existsSync(resolved.db))) return;
  throw new AuditError(
    'invalid_request',
    `no store at ${resolved.db}: ${why}; give --db FILE or --database-url URL (or set AUDITLOG_DB or DATABASE_URL)`,
  );
}

export async function openStore(flags: StoreFlags): Promise<Store> {
  const resolved = resolveStoreFlags(flags);
  // Only the engine in use is loaded: a command on SQLite never loads pg, and the other way round.
  if (resolved.databaseUrl !== undefined) {
    const { PostgresStore } = await import('../store/postgres/postgres-store.js');
    return PostgresStore.open({ url: resolved.databaseUrl, readonly: resolved.readonly });
  }
  const { SqliteStore } = await import('../store/sqlite/sqlite-store.js');
  return SqliteStore.open({
    file: resolved.db ?? DEFAULT_DB,
    readonly: resolved.readonly,
    readers: flags.readers,
  });
}

/**
 * Crypto-shredding from the environment (docs/configuration.md): AUDITLOG_ENCRYPT_PERSONAL_DATA=1 turns it
 * on, AUDITLOG_PERSONAL_PATHS lists JSON Pointers (comma-separated), AUDITLOG_ERASURE_KEY gives the master
 * secret (else the key file beside the signing key).
 */
export function personalDataFromEnv(env: NodeJS.ProcessEnv = process.env): PersonalDataOptions {
  const flag = (env.AUDITLOG_ENCRYPT_PERSONAL_DATA ?? '').toLowerCase();
  if (!['', '0', 'false', '1', 'true'].includes(flag)) {
    throw new AuditError('invalid_request', 'AUDITLOG_ENCRYPT_PERSONAL_DATA must be 1, true, 0 or false');
  }
  const paths = (env.AUDITLOG_PERSONAL_PATHS ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '');
  named('AUDITLOG_PERSONAL_PATHS', () => checkPersonalPaths(paths));
  const key = env.AUDITLOG_ERASURE_KEY || undefined;
  if (key !== undefined) erasureMaster(key, 'AUDITLOG_ERASURE_KEY');
  return { encrypt: flag === '1' || flag === 'true', paths, key };
}

export async function openRuntime(
  flags: StoreFlags,
  options: Omit<Parameters<typeof openAuditLog>[0], 'store'> = {},
): Promise<AuditLog> {
  // Both read before the store is opened: a malformed value is exit 2 and creates no database file.
  const personalData = personalDataFromEnv();
  const signingKey = process.env.AUDITLOG_SIGNING_KEY || undefined;
  if (signingKey) named('AUDITLOG_SIGNING_KEY', () => parsePrivateKey(signingKey));
  const store = await openStore(flags);
  try {
    // Every command that may sign (a head checkpoint, an export's end line, an import's checkpoints) signs
    // with the key the servers use: without it, the key kept with the store, or a new one made there.
    return await openAuditLog({
      personalData,
      signingKey,
      ...options,
      store,
    });
  } catch (error) {
    await store.close();
    throw error;
  }
}

/** The acting party for the log's self-audit events when an operator works from the command line. */
export function cliActor(command: string): ActingParty {
  let user = 'unknown';
  try {
    user = userInfo().username;
  } catch {
    // No passwd entry (some containers): keep "unknown".
  }
  return { actor: { id: `cli:${user}`, username: user, displayName: `auditlog ${command}`, type: 'system' } };
}

/** Runs a check of a variable's value; its refusal names the variable (the core's message does not). */
function named(variable: string, check: () => unknown): void {
  try {
    check();
  } catch (error) {
    throw new AuditError('invalid_request', `${variable}: ${(error as Error).message}`);
  }
}
