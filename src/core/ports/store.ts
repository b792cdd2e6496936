import type { AlertPage, AlertQuery, AlertRules, FailedAttempt } from '../domain/attack-detection.js';
import type { AppendBatch, AppendedEntry } from '../domain/entry.js';
import type {
  AuthEventFilter,
  EventFilter,
  PageSpec,
  SessionFilter,
  SessionPageSpec,
  StatsKey,
} from '../domain/filters.js';
import type { ChainHead } from '../domain/hash-chain.js';
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
} from '../domain/rows.js';
import type { SessionRow } from '../domain/session-merge.js';
import type { SignedCheckpoint } from '../domain/signing.js';
import type { AuditOutbox } from './audit-outbox.js';
import type { DestinationRepository } from './destination-repository.js';
import type { LifecycleRepository } from './lifecycle-repository.js';
import type { MerkleStore } from './merkle-store.js';
import type { SubjectKeyRepository } from './subject-key-repository.js';
import type { TokenRepository } from './token-repository.js';

/**
 * The one contract every storage engine implements (SQLite embedded, PostgreSQL for production). A store
 * persists what the core prepared and answers ordered reads; it never validates, redacts or decides policy.
 * One contract test suite (test/store-contract) runs against every implementation.
 */
export interface Store {
  /** What the store is, for people (`SQLite ./data/auditlog.db`, `PostgreSQL auditlog`); never parsed. */
  readonly description: string;

  /** Operations only some engines have; a caller asks for one instead of testing which engine it holds. */
  readonly capabilities: StoreCapabilities;

  /**
   * Appends one batch. MUST be all or nothing: either every entry is committed durably (the promise
   * resolves only after the commit is on disk) or none is. MUST assign each tenant's `seq` without gaps
   * and link the hash chain (core/hash-chain.ts) in `seq` order, also when several processes append to one
   * database. An entry whose id exists with the same content (core/idempotency.ts) MUST NOT be stored again
   * and is answered `duplicate: true` with the stored seq; with other content the whole batch MUST fail with
   * `idempotency_conflict`. Concurrent calls SHOULD share one commit (group commit).
   */
  append(batch: AppendBatch): Promise<AppendedEntry[]>;

  /** Administrative events of one tenant matching `filter`, in keyset order; at most `page.limit`. */
  listEvents(tenant: string, filter: EventFilter, page: PageSpec): Promise<EntryRow[]>;

  /**
   * A page of listEvents as CSV records (core/csv-format.ts csvRecords), for exports. Formatting is most of
   * an export's work: it MUST NOT run on the caller's thread when the store has another (the reader threads
   * of a SQLite server or of PostgreSQL), so that no export holds the event loop. Resolves once the
   * rows are read — `count` and `last` let the caller ask for the next page while this one is formatted —
   * and `csv` follows; a caller MAY leave `csv` unawaited (an abandoned export).
   */
  csvPage(tenant: string, filter: EventFilter, page: PageSpec): Promise<CsvPage>;

  /**
   * A page of listEvents as verifiable export lines (core/domain/export-lines.ts), for NDJSON exports in seq
   * order: like csvPage, made off the caller's thread where the store has another. Resolves once the rows are
   * read, with their seqs; `lines` follows and MAY be left unawaited.
   */
  ndjsonPage(tenant: string, filter: EventFilter, page: PageSpec): Promise<NdjsonPage>;

  /**
   * listEvents for people searching: when keyword terms (`filter.terms`) cannot be narrowed by the store's
   * keyword index (a term shorter than three characters, or too many candidates) and would be checked
   * entry by entry, at most `scanLimit` entries are examined, in page order from the cursor: in time order,
   * those of the date range and of at most one filter of one value with an index of its own (user,
   * category, event type; the store picks the one reaching farthest), so that a page's cost does not depend
   * on how rare the other filters are together; by seq, those matching every other filter. `scannedTo` is
   * the last entry examined when that limit ended the scan before `page.limit` rows were found (the next
   * page starts after it), else null.
   */
  searchEvents(
    tenant: string,
    filter: EventFilter,
    page: PageSpec,
    scanLimit: number,
  ): Promise<EventSearchPage>;

  /** One administrative event by id; MUST NOT find another tenant's event. */
  getEvent(tenant: string, id: string): Promise<EntryRow | undefined>;

  /** Counts of matching events per group, largest first (ties by key); `day` groups in date order. */
  eventStats(tenant: string, filter: EventFilter, groupBy: StatsKey): Promise<StatsGroup[]>;

  /** One authentication event by id; MUST NOT find another tenant's. */
  getAuthEvent(tenant: string, id: string): Promise<EntryRow | undefined>;

  /** Authentication events of one tenant matching `filter`, in keyset order; at most `page.limit`. */
  listAuthEvents(tenant: string, filter: AuthEventFilter, page: PageSpec): Promise<EntryRow[]>;

  /** Sessions (derived from authentication events, core/session-merge.ts), in (sortMs, sessionId) order. */
  listSessions(tenant: string, filter: SessionFilter, page: SessionPageSpec): Promise<SessionRow[]>;
  getSession(tenant: string, sessionId: string): Promise<SessionRow | undefined>;

  /** Failed logins with occurredAt in [fromMs, toMs), grouped by the username typed or by IP. */
  failureGroups(
    tenant: string,
    fromMs: number,
    toMs: number,
    groupBy: 'user' | 'ip',
  ): Promise<FailureGroup[]>;
  /** Every failed login with occurredAt in [fromMs, toMs). */
  failures(tenant: string, fromMs: number, toMs: number): Promise<FailedAttempt[]>;
  /**
   * A page of attack alerts (core/attack-detection.ts alertPage) over the failed logins with occurredAt in
   * [query.fromMs − rules.windowMs, query.toMs). As for csvPage, the detection MUST NOT run on the caller's
   * thread when the store has another: an attack leaves any number of failures, and only the page comes back.
   */
  alertPage(tenant: string, rules: AlertRules, query: AlertQuery): Promise<AlertPage>;

  /** Distinct actors whose id, username or display name starts with `prefix`, case-insensitively (suggestions). */
  listActors(tenant: string, prefix: string, limit: number): Promise<ActorSummary[]>;

  /** Every tenant that has entries or checkpoints. */
  tenants(): Promise<string[]>;
  /** The tenant's newest chain link as the writer recorded it. */
  chainHead(tenant: string): Promise<ChainHead | undefined>;
  /** The hash of the tenant's entry at `seq`, in either stream or a tombstone (a purged entry). */
  entryHashAt(tenant: string, seq: number): Promise<string | undefined>;
  /**
   * Entries of both streams in seq order, for verification and bridges: every entry whose seq lies in one
   * range of `limit` seqs — (afterSeq, afterSeq + limit] when that holds any entry, else the `limit` seqs
   * from the least seq after afterSeq; none when no entry lies after afterSeq. A page is a range of seqs,
   * never a count of rows: entries sharing a seq (only a forgery makes one) MUST all come in one page, so
   * paging on the last row's seq MUST NOT skip a row. An intact chain gives at most `limit` rows.
   * Tombstones of purged entries come in their place, with `digest` and `purgeId` and an empty body.
   */
  scanChain(tenant: string, afterSeq: number, limit: number): Promise<ChainRow[]>;
  /**
   * scanChain's rows as links only (seq, prevHash, hash), over the same range: what the Merkle log's catch-up
   * reads after every append, without the bodies (~17% of a server's CPU per ingested event with them).
   */
  chainLinks(tenant: string, afterSeq: number, limit: number): Promise<ChainLink[]>;
  /** Stores a signed checkpoint; one that is already stored is ignored. */
  putCheckpoint(checkpoint: SignedCheckpoint): Promise<void>;
  latestCheckpoint(tenant: string): Promise<SignedCheckpoint | undefined>;
  /** Checkpoints with seq > afterSeq in seq order. */
  listCheckpoints(tenant: string, afterSeq: number, limit: number): Promise<SignedCheckpoint[]>;
  /** Public keys that signed checkpoints; rotation adds keys and never removes one. */
  putPublicKey(keyId: string, publicKeyPem: string): Promise<void>;
  publicKeys(): Promise<{ keyId: string; publicKeyPem: string; createdMs: number }[]>;
  /** The private signing key kept with the store (a 0600 file next to a SQLite database), if any. */
  loadSigningKey(): Promise<string | undefined>;
  /** Keeps `pem` unless a key is kept already; returns the key kept afterwards. */
  saveSigningKey(pem: string): Promise<string>;

  /** A store-wide setting, e.g. the redaction key. */
  getMeta(key: string): Promise<string | undefined>;
  /** Sets `key` unless it is set; returns the value that is stored afterwards (first writer wins). */
  putMetaIfAbsent(key: string, value: string): Promise<string>;

  readonly tokens: TokenRepository;

  /** Stream destinations and their delivery cursors (destination-repository.ts). */
  readonly destinations: DestinationRepository;
  /** Retention policies, legal holds and purges (lifecycle-repository.ts). */
  readonly lifecycle: LifecycleRepository;
  /** The log's own records written with their changes and not yet appended (audit-outbox.ts). */
  readonly outbox: AuditOutbox;
  /** Crypto-shredding's subject keys (subject-key-repository.ts). */
  readonly subjects: SubjectKeyRepository;
  /**
   * The master secret of crypto-shredding, kept in a key file beside the signing key (never in the
   * database); undefined when there is none yet. `save` writes it once and answers the kept one.
   */
  loadErasureKey(): Promise<string | undefined>;
  saveErasureKey(secret: string): Promise<string>;
  /** Each tenant's Merkle tree over its entries (merkle-store.ts). */
  readonly merkle: MerkleStore;

  /** Resolves when every append submitted so far has its outcome. */
  flush(): Promise<void>;

  /**
   * After a bulk write (demo, import): refreshes the planner's statistics, so that the next queries — a
   * `verify` right after — are planned for the data now stored. A server leaves this to the database.
   */
  refreshStatistics(): Promise<void>;

  /**
   * Whether the store can serve now, or why not (the database is unreachable, the disk is full, the file was
   * deleted). MUST NOT throw and MUST answer within seconds while the database is away; a store that
   * recovers by itself MUST report ready again once it has.
   */
  health(): Promise<StoreHealth>;

  /** Finishes in-flight appends, then releases connections. Idempotent. */
  close(): Promise<void>;
}

export type StoreHealth = { ready: true } | { ready: false; reason: string };

/**
 * Optional operations. Each is present exactly when the engine has it; an absent one means there is nothing
 * to do on that engine (SQLite has no partitions), never that the caller should fall back on another path.
 */
export interface StoreCapabilities {
  /**
   * Creates the storage an append in the next `monthsAhead` months will need (PostgreSQL: monthly
   * partitions). MUST be idempotent; reports partitions it could not create (the role may not own the tables).
   */
  ensurePartitions?(monthsAhead: number): Promise<{ created: number; failed: string[] }>;
}
