import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
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
import { readKeyFile, writeKeyFileOnce } from '../key-file.js';
import { SqliteAuditOutbox } from './sqlite-audit-outbox.js';
import {
  type FileIdentity,
  fileIdentity,
  fileMoved,
  openSqlite,
  type SqliteDb,
  translateSqliteError,
} from './sqlite-connection.js';
import { SqliteDestinationRepository } from './sqlite-destinations.js';
import * as integrity from './sqlite-integrity-queries.js';
import { SqliteLifecycleRepository } from './sqlite-lifecycle-repository.js';
import { SqliteMerkleStore } from './sqlite-merkle-store.js';
import { migrateSqlite } from './sqlite-migrations.js';
import { type ReadArgs, type ReadOp, type ReadResult, runReadOp } from './sqlite-read-ops.js';
import { SqliteReaderPool } from './sqlite-reader-pool.js';
import { SqliteSubjectKeys } from './sqlite-subject-keys.js';
import { SqliteTokenRepository } from './sqlite-token-repository.js';
import { SqliteWriterClient } from './sqlite-writer-client.js';

export interface SqliteStoreOptions {
  /** Path of the database file; its directory is created when missing. */
  file: string;
  /** Reader threads for queries (a server uses them so that no query blocks its event loop); default 0. */
  readers?: number;
  /**
   * Open for reading only (`auditlog verify` on a copied file): no migration, no writer thread, and the
   * file is never modified.
   */
  readonly?: boolean;
  /** Most entries one group commit may hold. */
  maxGroupEntries?: number;
}

/**
 * The embedded store: one SQLite file in WAL mode. Appends go to a writer thread (group commit, one fsync
 * per group); reads run in reader threads when `readers` is set (the server sets it), else on this thread's
 * connection; WAL lets either proceed during writes.
 */
export class SqliteStore implements Store {
  readonly description: string;
  readonly capabilities: StoreCapabilities = {};
  readonly file: string;
  readonly tokens: SqliteTokenRepository;
  readonly destinations: SqliteDestinationRepository;
  readonly lifecycle: SqliteLifecycleRepository;
  readonly merkle: SqliteMerkleStore;
  readonly subjects: SqliteSubjectKeys;
  readonly outbox: SqliteAuditOutbox;
  readonly #db: SqliteDb;
  readonly #writer: SqliteWriterClient | null;
  readonly #readers: SqliteReaderPool | null;
  readonly #identity: FileIdentity | null;
  #closed: Promise<void> | null = null;

  private constructor(
    file: string,
    db: SqliteDb,
    writer: SqliteWriterClient | null,
    readers: SqliteReaderPool | null,
  ) {
    this.file = file;
    this.description = `SQLite ${file}`;
    this.#identity = fileIdentity(file);
    this.#db = db;
    this.#writer = writer;
    this.#readers = readers;
    this.tokens = new SqliteTokenRepository(db);
    this.outbox = new SqliteAuditOutbox(db);
    this.destinations = new SqliteDestinationRepository(db);
    this.lifecycle = new SqliteLifecycleRepository(db, (step) =>
      writer
        ? writer.purge(step)
        : Promise.reject(new AuditError('store_unavailable', 'The store is open read-only')),
    );
    this.merkle = new SqliteMerkleStore(db, (tenant, size, nodes) =>
      writer
        ? writer.extendMerkle(tenant, size, nodes)
        : Promise.reject(new AuditError('store_unavailable', 'The store is open read-only')),
    );
    this.subjects = new SqliteSubjectKeys(db, () =>
      writer
        ? writer.vacuum()
        : Promise.reject(new AuditError('store_unavailable', 'The store is open read-only')),
    );
  }

  static async open(options: SqliteStoreOptions): Promise<SqliteStore> {
    if (options.readonly) {
      if (!existsSync(options.file))
        throw new AuditError('store_unavailable', `No database at ${options.file}`);
      const db = openSqlite(options.file, { readonly: true });
      const readers = options.readers
        ? await SqliteReaderPool.start(options.file, options.readers, true)
        : null;
      return new SqliteStore(options.file, db, null, readers);
    }
    if (options.file !== ':memory:') mkdirSync(dirname(options.file), { recursive: true });
    const db = openSqlite(options.file);
    try {
      migrateSqlite(db);
    } catch (error) {
      db.close();
      throw translateSqliteError(error);
    }
    // The writer and the readers start together (each thread loads its own modules): a server starts sooner.
    const writer = new SqliteWriterClient(options.file, { maxGroupEntries: options.maxGroupEntries });
    const starting = options.readers ? SqliteReaderPool.start(options.file, options.readers) : null;
    const [started, readers] = await Promise.allSettled([writer.ready, starting]);
    if (started.status === 'rejected' || readers.status === 'rejected') {
      if (readers.status === 'fulfilled') await readers.value?.close();
      if (started.status === 'fulfilled') await writer.close();
      db.close();
      throw translateSqliteError(
        started.status === 'rejected' ? started.reason : (readers as PromiseRejectedResult).reason,
      );
    }
    return new SqliteStore(options.file, db, writer, readers.value);
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
    // The writer runs PRAGMA optimize when the store closes, which a bulk command does next.
    await this.flush();
  }

  async tenants(): Promise<string[]> {
    return this.#query('tenants');
  }

  async chainHead(tenant: string): Promise<ChainHead | undefined> {
    return this.#query('chainHead', tenant);
  }

  async entryHashAt(tenant: string, seq: number): Promise<string | undefined> {
    return this.#query('entryHashAt', tenant, seq);
  }

  async scanChain(tenant: string, afterSeq: number, limit: number): Promise<ChainRow[]> {
    return this.#query('scanChain', tenant, afterSeq, limit);
  }

  async chainLinks(tenant: string, afterSeq: number, limit: number): Promise<ChainLink[]> {
    return this.#query('chainLinks', tenant, afterSeq, limit);
  }

  async putCheckpoint(checkpoint: SignedCheckpoint): Promise<void> {
    if (!this.#writer) throw new AuditError('store_unavailable', 'The store is open read-only');
    await this.#writer.putCheckpoint(checkpoint);
  }

  async latestCheckpoint(tenant: string): Promise<SignedCheckpoint | undefined> {
    return this.#query('latestCheckpoint', tenant);
  }

  async listCheckpoints(tenant: string, afterSeq: number, limit: number): Promise<SignedCheckpoint[]> {
    return this.#query('listCheckpoints', tenant, afterSeq, limit);
  }

  async putPublicKey(keyId: string, publicKeyPem: string): Promise<void> {
    this.#read(() => integrity.putPublicKey(this.#db, keyId, publicKeyPem, Date.now()));
  }

  async publicKeys(): Promise<{ keyId: string; publicKeyPem: string; createdMs: number }[]> {
    return this.#query('publicKeys');
  }

  /** The private key lives in `<db>.signing-key.pem`, readable by the owner only. */
  async loadSigningKey(): Promise<string | undefined> {
    const file = this.#keyFile();
    return existsSync(file) ? readFileSync(file, 'utf8') : undefined;
  }

  async saveSigningKey(pem: string): Promise<string> {
    const file = this.#keyFile();
    try {
      writeFileSync(file, pem, { mode: 0o600, flag: 'wx' });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    return readFileSync(file, 'utf8');
  }

  /** The erasure master secret lives in `<db>.erasure-key`, beside the signing key, owner-only. */
  async loadErasureKey(): Promise<string | undefined> {
    return readKeyFile(this.#keyFile('erasure-key'));
  }

  async saveErasureKey(secret: string): Promise<string> {
    return writeKeyFileOnce(this.#keyFile('erasure-key'), secret);
  }

  #keyFile(kind = 'signing-key.pem'): string {
    if (this.file === ':memory:')
      throw new AuditError('store_unavailable', 'An in-memory store keeps no key file');
    return `${this.file}.${kind}`;
  }

  async listEvents(tenant: string, filter: EventFilter, page: PageSpec): Promise<EntryRow[]> {
    return this.#query('listEvents', tenant, filter, page);
  }

  async csvPage(tenant: string, filter: EventFilter, page: PageSpec): Promise<CsvPage> {
    const { head, rest } = await this.#query('csvPage', tenant, filter, page);
    rest.catch(() => {}); // the caller may abandon it; it still sees the rejection when it awaits
    const readers = this.#readers;
    return readers
      ? { ...head, csv: rest, release: (bytes) => readers.recycle(bytes) }
      : { ...head, csv: rest };
  }

  async ndjsonPage(tenant: string, filter: EventFilter, page: PageSpec): Promise<NdjsonPage> {
    const { head, rest } = await this.#query('ndjsonPage', tenant, filter, page);
    rest.catch(() => {}); // as csvPage's
    const readers = this.#readers;
    return readers
      ? { ...head, lines: rest, release: (bytes) => readers.recycle(bytes) }
      : { ...head, lines: rest };
  }

  async searchEvents(
    tenant: string,
    filter: EventFilter,
    page: PageSpec,
    scanLimit: number,
  ): Promise<EventSearchPage> {
    return this.#query('searchEvents', tenant, filter, page, scanLimit);
  }

  async getEvent(tenant: string, id: string): Promise<EntryRow | undefined> {
    return this.#query('getEvent', tenant, id);
  }

  async eventStats(tenant: string, filter: EventFilter, groupBy: StatsKey): Promise<StatsGroup[]> {
    return this.#query('eventStats', tenant, filter, groupBy);
  }

  async getAuthEvent(tenant: string, id: string): Promise<EntryRow | undefined> {
    return this.#query('getAuthEvent', tenant, id);
  }

  async listAuthEvents(tenant: string, filter: AuthEventFilter, page: PageSpec): Promise<EntryRow[]> {
    return this.#query('listAuthEvents', tenant, filter, page);
  }

  async listSessions(tenant: string, filter: SessionFilter, page: SessionPageSpec): Promise<SessionRow[]> {
    return this.#query('listSessions', tenant, filter, page);
  }

  async getSession(tenant: string, sessionId: string): Promise<SessionRow | undefined> {
    return this.#query('getSession', tenant, sessionId);
  }

  async failureGroups(
    tenant: string,
    fromMs: number,
    toMs: number,
    groupBy: 'user' | 'ip',
  ): Promise<FailureGroup[]> {
    return this.#query('failureGroups', tenant, fromMs, toMs, groupBy);
  }

  async failures(tenant: string, fromMs: number, toMs: number): Promise<FailedAttempt[]> {
    return this.#query('failures', tenant, fromMs, toMs);
  }

  async alertPage(tenant: string, rules: AlertRules, query: AlertQuery): Promise<AlertPage> {
    return this.#query('alertPage', tenant, rules, query);
  }

  async listActors(tenant: string, prefix: string, limit: number): Promise<ActorSummary[]> {
    return this.#query('listActors', tenant, prefix, limit);
  }

  async getMeta(key: string): Promise<string | undefined> {
    return this.#read(
      () => this.#db.prepare('SELECT value FROM meta WHERE key = ?').pluck().get(key) as string | undefined,
    );
  }

  async putMetaIfAbsent(key: string, value: string): Promise<string> {
    return this.#read(() => {
      this.#db
        .prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING')
        .run(key, value);
      return this.#db.prepare('SELECT value FROM meta WHERE key = ?').pluck().get(key) as string;
    });
  }

  /** Not ready while the file is gone or replaced, or while writes fail (a full disk) until a probe commits. */
  async health(): Promise<StoreHealth> {
    const moved = fileMoved(this.#identity);
    if (moved) return { ready: false, reason: moved };
    return this.#writer ? this.#writer.health() : { ready: true };
  }

  close(): Promise<void> {
    this.#closed ??= (this.#writer?.close() ?? Promise.resolve()).finally(async () => {
      await this.#readers?.close();
      this.#db.close();
    });
    return this.#closed;
  }

  /** A read: in a reader thread when the store has them, else on this thread's connection. */
  async #query<K extends ReadOp>(op: K, ...args: ReadArgs<K>): Promise<ReadResult<K>> {
    if (this.#readers) return this.#readers.run(op, ...args);
    return this.#read(() => runReadOp(this.#db, op, args));
  }

  #read<T>(fn: () => T): T {
    try {
      return fn();
    } catch (error) {
      throw translateSqliteError(error);
    }
  }
}
