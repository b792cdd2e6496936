import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { AlertPage, AlertQuery, AlertRules, FailedAttempt } from '../../core/domain/attack-detection.js';
import type { AppendBatch, AppendedEntry } from '../../core/domain/entry.js';
import { AuditError } from '../../core/domain/errors.js';
import type {
  AuthEventFilter,
  EventFilter,
  PageSpec,
  SessionFilter,
  SessionPageSpec,
  StatsKey,
} from '../../core/domain/filters.js';
import type { ChainHead } from '../../core/domain/hash-chain.js';
import type {
  ActorSummary,
  ChainLink,
  ChainRow,
  CsvPage,
  EntryRow,
  EventSearchPage,
  FailureGroup,
  NdjsonPage,
  StatsGroup,
} from '../../core/domain/rows.js';
import type { SessionRow } from '../../core/domain/session-merge.js';
import type { SignedCheckpoint } from '../../core/domain/signing.js';
import type { Store, StoreCapabilities, StoreHealth } from '../../core/ports/store.js';
import { erasureKeyFileBeside, readKeyFile, writeKeyFileOnce } from '../key-file.js';
import { WorkerPool } from '../threads/worker-pool.js';
import { PostgresAuditOutbox } from './postgres-audit-outbox.js';
import * as auth from './postgres-auth-queries.js';
import { PostgresAvailability } from './postgres-availability.js';
import { createPool, type PgPool, probeDatabase, translatePgError } from './postgres-connection.js';
import { PostgresDestinationRepository } from './postgres-destinations.js';
import * as events from './postgres-event-queries.js';
import * as integrity from './postgres-integrity-queries.js';
import { PostgresLifecycleRepository } from './postgres-lifecycle-repository.js';
import { PostgresMerkleStore } from './postgres-merkle-store.js';
import { migratePostgres } from './postgres-migrations.js';
import { ensurePartitions } from './postgres-partitions.js';
import type { PgReaderArgs, PgReaderOp, PgReaderResult } from './postgres-read-ops.js';
import { PostgresSubjectKeys } from './postgres-subject-keys.js';
import { PostgresTokenRepository } from './postgres-token-repository.js';
import { PostgresWriter } from './postgres-writer.js';

export interface PostgresStoreOptions {
  /** postgres://user@host:port/database */
  url: string;
  /** Open for reading only (`auditlog verify`): no migration, no writer, nothing is modified. */
  readonly?: boolean;
  /** Connections for queries; default 8. */
  poolSize?: number;
  /**
   * Where this node keeps the private signing key when AUDITLOG_SIGNING_KEY is not set: a file, never the
   * database (whoever can write the database must not be able to sign). Default
   * `./data/postgres-<database>.signing-key.pem`. Nodes sharing a database should share one key through
   * AUDITLOG_SIGNING_KEY; each node's own key also works, as every public key is recorded.
   */
  keyFile?: string;
  /** Most entries one group commit may hold. */
  maxGroupEntries?: number;
}

/** What a reader thread connects with. */
interface ReaderData {
  url: string;
  connections: number;
  statementTimeoutMs?: number;
}

/** Reader threads, each with READER_CONNECTIONS connections of its own. */
const READERS = 2;
const READER_CONNECTIONS = 3;

/**
 * The production store: PostgreSQL, shared by any number of `auditlog serve` processes. Reads use a pool;
 * appends go through PostgresWriter (group commit under per-tenant chain-head locks). The reads of many rows
 * with a small answer (an export page as CSV, a page of alerts) run in reader threads with their own
 * connections, started on first use, so that neither the rows nor the work over them reach the event loop.
 * Every call goes through PostgresAvailability: while the database is away calls fail at once with
 * `store_unavailable`, and the store reconnects by itself when it is back.
 */
export class PostgresStore implements Store {
  readonly description: string;
  readonly capabilities: StoreCapabilities = {
    ensurePartitions: (monthsAhead) => ensurePartitions(this.#pool, Date.now(), monthsAhead),
  };
  readonly tokens: PostgresTokenRepository;
  readonly subjects: PostgresSubjectKeys;
  readonly destinations: PostgresDestinationRepository;
  readonly lifecycle: PostgresLifecycleRepository;
  readonly merkle: PostgresMerkleStore;
  readonly outbox: PostgresAuditOutbox;
  readonly #pool: PgPool;
  readonly #writer: PostgresWriter | null;
  readonly #writerPool: PgPool | null;
  readonly #availability: PostgresAvailability;
  readonly #keyFile: string;
  readonly #partitionTimer: NodeJS.Timeout | null;
  readonly #readers = new WorkerPool(
    new URL('./postgres-reader-worker.js', import.meta.url),
    'A PostgreSQL reader thread',
  );
  readonly #readerData: ReaderData;
  #closed: Promise<void> | null = null;

  private constructor(
    url: string,
    pool: PgPool,
    writerPool: PgPool | null,
    keyFile: string,
    readerData: ReaderData,
    maxGroupEntries?: number,
  ) {
    this.description = `PostgreSQL ${databaseName(url)}`;
    this.#pool = pool;
    this.#readerData = readerData;
    this.#writerPool = writerPool;
    this.#availability = new PostgresAvailability({ probe: () => probeDatabase(url) });
    this.#writer = writerPool ? new PostgresWriter(writerPool, this.#availability, maxGroupEntries) : null;
    this.#keyFile = keyFile;
    this.tokens = new PostgresTokenRepository(pool, this.#availability);
    this.outbox = new PostgresAuditOutbox(pool, this.#availability);
    this.subjects = new PostgresSubjectKeys(writerPool ?? pool, this.#availability);
    this.destinations = new PostgresDestinationRepository(pool, this.#availability);
    this.lifecycle = new PostgresLifecycleRepository(pool, writerPool, this.#availability);
    this.merkle = new PostgresMerkleStore(pool, this.#availability);
    this.#partitionTimer = writerPool
      ? setInterval(() => void ensurePartitions(pool).catch(() => {}), 24 * 3600_000).unref()
      : null;
  }

  static async open(options: PostgresStoreOptions): Promise<PostgresStore> {
    const database = databaseName(options.url);
    const keyFile = resolve(options.keyFile ?? `./data/postgres-${database}.signing-key.pem`);
    // Reads are bounded: a statistics query over a huge range is cancelled instead of holding a connection.
    const statementTimeoutMs = options.readonly ? undefined : 60_000;
    const pool = createPool(options.url, options.poolSize ?? 8, 'auditlog', statementTimeoutMs);
    const readerData = { url: options.url, connections: READER_CONNECTIONS, statementTimeoutMs };
    try {
      await pool.query('SELECT 1');
      if (options.readonly) {
        const { rows } = await pool.query("SELECT to_regclass('events') AS t");
        if (!rows[0]?.t)
          throw new AuditError('store_unavailable', `No auditlog schema in database ${database}`);
        return new PostgresStore(options.url, pool, null, keyFile, readerData);
      }
      await migratePostgres(pool);
      await ensurePartitions(pool);
    } catch (error) {
      await pool.end().catch(() => {});
      throw unavailable(error, database);
    }
    const writerPool = createPool(options.url, 1, 'auditlog-writer');
    return new PostgresStore(options.url, pool, writerPool, keyFile, readerData, options.maxGroupEntries);
  }

  append(batch: AppendBatch): Promise<AppendedEntry[]> {
    if (!this.#writer)
      return Promise.reject(new AuditError('store_unavailable', 'The store is open read-only'));
    return this.#writer.append(batch);
  }

  async flush(): Promise<void> {
    await this.#writer?.flush();
  }

  async refreshStatistics(): Promise<void> {
    // Autovacuum analyses a table once 10% of it changed, checking every minute; until then a freshly
    // loaded table is planned as nearly empty (verify read 15k instead of 150k entries/s a minute after
    // a 255k-event demo: bitmap scans and a sort over each partition instead of ordered index scans).
    if (!this.#writerPool) return;
    await this.#writerPool.query('ANALYZE events, auth_events, sessions, actors, event_search_chunks');
  }

  tenants(): Promise<string[]> {
    return this.#read(() => integrity.tenants(this.#pool));
  }

  chainHead(tenant: string): Promise<ChainHead | undefined> {
    return this.#read(() => integrity.chainHead(this.#pool, tenant));
  }

  entryHashAt(tenant: string, seq: number): Promise<string | undefined> {
    return this.#read(() => integrity.entryHashAt(this.#pool, tenant, seq));
  }

  scanChain(tenant: string, afterSeq: number, limit: number): Promise<ChainRow[]> {
    return this.#read(() => integrity.scanChain(this.#pool, tenant, afterSeq, limit));
  }

  chainLinks(tenant: string, afterSeq: number, limit: number): Promise<ChainLink[]> {
    return this.#read(() => integrity.chainLinks(this.#pool, tenant, afterSeq, limit));
  }

  async putCheckpoint(checkpoint: SignedCheckpoint): Promise<void> {
    if (!this.#writer) throw new AuditError('store_unavailable', 'The store is open read-only');
    await this.#writer.putCheckpoint(checkpoint);
  }

  latestCheckpoint(tenant: string): Promise<SignedCheckpoint | undefined> {
    return this.#read(() => integrity.latestCheckpoint(this.#pool, tenant));
  }

  listCheckpoints(tenant: string, afterSeq: number, limit: number): Promise<SignedCheckpoint[]> {
    return this.#read(() => integrity.listCheckpoints(this.#pool, tenant, afterSeq, limit));
  }

  putPublicKey(keyId: string, publicKeyPem: string): Promise<void> {
    return this.#read(() => integrity.putPublicKey(this.#pool, keyId, publicKeyPem, Date.now()));
  }

  publicKeys(): Promise<{ keyId: string; publicKeyPem: string; createdMs: number }[]> {
    return this.#read(() => integrity.publicKeys(this.#pool));
  }

  async loadSigningKey(): Promise<string | undefined> {
    return existsSync(this.#keyFile) ? readFileSync(this.#keyFile, 'utf8') : undefined;
  }

  async saveSigningKey(pem: string): Promise<string> {
    mkdirSync(dirname(this.#keyFile), { recursive: true });
    try {
      writeFileSync(this.#keyFile, pem, { mode: 0o600, flag: 'wx' });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    return readFileSync(this.#keyFile, 'utf8');
  }

  /** Beside the signing key's file (`…erasure-key`), never in the database. */
  async loadErasureKey(): Promise<string | undefined> {
    return readKeyFile(erasureKeyFileBeside(this.#keyFile));
  }

  async saveErasureKey(secret: string): Promise<string> {
    return writeKeyFileOnce(erasureKeyFileBeside(this.#keyFile), secret);
  }

  listEvents(tenant: string, filter: EventFilter, page: PageSpec): Promise<EntryRow[]> {
    return this.#read(() => events.listEvents(this.#pool, tenant, filter, page));
  }

  async csvPage(tenant: string, filter: EventFilter, page: PageSpec): Promise<CsvPage> {
    const { head, rest } = await this.#inReader('csvPage', tenant, filter, page);
    rest.catch(() => {}); // the caller may abandon it; it still sees the rejection when it awaits
    return { ...head, csv: rest, release: (bytes) => this.#readers.recycle(bytes) };
  }

  async ndjsonPage(tenant: string, filter: EventFilter, page: PageSpec): Promise<NdjsonPage> {
    const { head, rest } = await this.#inReader('ndjsonPage', tenant, filter, page);
    rest.catch(() => {}); // as csvPage's
    return { ...head, lines: rest, release: (bytes) => this.#readers.recycle(bytes) };
  }

  searchEvents(
    tenant: string,
    filter: EventFilter,
    page: PageSpec,
    scanLimit: number,
  ): Promise<EventSearchPage> {
    return this.#read(() => events.searchEvents(this.#pool, tenant, filter, page, scanLimit));
  }

  getEvent(tenant: string, id: string): Promise<EntryRow | undefined> {
    return this.#read(() => events.getEvent(this.#pool, tenant, id));
  }

  eventStats(tenant: string, filter: EventFilter, groupBy: StatsKey): Promise<StatsGroup[]> {
    return this.#read(() => events.eventStats(this.#pool, tenant, filter, groupBy));
  }

  listActors(tenant: string, prefix: string, limit: number): Promise<ActorSummary[]> {
    return this.#read(() => events.listActors(this.#pool, tenant, prefix, limit));
  }

  getAuthEvent(tenant: string, id: string): Promise<EntryRow | undefined> {
    return this.#read(() => auth.getAuthEvent(this.#pool, tenant, id));
  }

  listAuthEvents(tenant: string, filter: AuthEventFilter, page: PageSpec): Promise<EntryRow[]> {
    return this.#read(() => auth.listAuthEvents(this.#pool, tenant, filter, page));
  }

  listSessions(tenant: string, filter: SessionFilter, page: SessionPageSpec): Promise<SessionRow[]> {
    return this.#read(() => auth.listSessions(this.#pool, tenant, filter, page));
  }

  getSession(tenant: string, sessionId: string): Promise<SessionRow | undefined> {
    return this.#read(() => auth.getSession(this.#pool, tenant, sessionId));
  }

  failureGroups(
    tenant: string,
    fromMs: number,
    toMs: number,
    groupBy: 'user' | 'ip',
  ): Promise<FailureGroup[]> {
    return this.#read(() => auth.failureGroups(this.#pool, tenant, fromMs, toMs, groupBy));
  }

  failures(tenant: string, fromMs: number, toMs: number): Promise<FailedAttempt[]> {
    return this.#read(() => auth.failures(this.#pool, tenant, fromMs, toMs));
  }

  alertPage(tenant: string, rules: AlertRules, query: AlertQuery): Promise<AlertPage> {
    return this.#inReader('alertPage', tenant, rules, query);
  }

  async getMeta(key: string): Promise<string | undefined> {
    return this.#read(async () => {
      const { rows } = await this.#pool.query<{ value: string }>('SELECT value FROM meta WHERE key = $1', [
        key,
      ]);
      return rows[0]?.value;
    });
  }

  async putMetaIfAbsent(key: string, value: string): Promise<string> {
    return this.#read(async () => {
      await this.#pool.query('INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING', [
        key,
        value,
      ]);
      const { rows } = await this.#pool.query<{ value: string }>('SELECT value FROM meta WHERE key = $1', [
        key,
      ]);
      return rows[0]!.value;
    });
  }

  health(): Promise<StoreHealth> {
    return this.#availability.health();
  }

  close(): Promise<void> {
    this.#closed ??= (async () => {
      if (this.#partitionTimer) clearInterval(this.#partitionTimer);
      await this.#writer?.flush();
      this.#availability.close();
      await this.#writerPool?.end();
      await this.#pool.end();
      await this.#readers.close();
    })();
    return this.#closed;
  }

  /** A read in a reader thread, started when first needed (one that failed is started again). */
  #inReader<K extends PgReaderOp>(op: K, ...args: PgReaderArgs<K>): Promise<PgReaderResult<K>> {
    return this.#availability.run(() => {
      while (this.#readers.size < READERS) this.#readers.spawn(this.#readerData).catch(() => {});
      return this.#readers.run(op, args) as Promise<PgReaderResult<K>>;
    });
  }

  #read<T>(fn: () => Promise<T>): Promise<T> {
    return this.#availability.run(fn);
  }
}

function databaseName(url: string): string {
  try {
    return decodeURIComponent(new URL(url).pathname.replace(/^\//, '')) || 'postgres';
  } catch {
    throw new AuditError(
      'invalid_request',
      'The database URL is not valid (postgres://user@host:port/database)',
    );
  }
}

function unavailable(error: unknown, database: string): unknown {
  const translated = translatePgError(error);
  if (translated instanceof AuditError) return translated;
  return new AuditError(
    'store_unavailable',
    `Cannot open PostgreSQL database ${database}: ${(error as Error).message}`,
    [],
    {
      cause: error,
    },
  );
}
