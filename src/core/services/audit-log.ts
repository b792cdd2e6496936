import { randomBytes } from 'node:crypto';
import type { AlertRules } from '../domain/attack-detection.js';
import { splitBatch, withBatchPaths } from '../domain/batch-body.js';
import { type Catalog, categoryKeys, categoryLabel, DEFAULT_CATALOG } from '../domain/catalog.js';
import { encodeCursor } from '../domain/cursor.js';
import type { AppendedEntry, PreparedEntry, Stream } from '../domain/entry.js';
import { invalidQuery, notFound } from '../domain/errors.js';
import { PAGE_PARAMS, parseEventFilter, parsePage, type RawQuery } from '../domain/event-query.js';
import type { EventFilter, StatsKey } from '../domain/filters.js';
import { formatEvent } from '../domain/format-event.js';
import { newId } from '../domain/ids.js';
import { checkEvents, prepareEvents } from '../domain/prepare-event.js';
import { type RedactionOptions, Redactor } from '../domain/redact.js';
import type { StoredEvent } from '../domain/schemas/event-schema.js';
import type { SigningKey } from '../domain/signing.js';
import type { Store } from '../ports/store.js';
import { AccessControl, type ActingParty } from './access-control.js';
import { AuditOutboxDrain, type PendingReporter } from './audit-outbox.js';
import { AuthLog } from './auth-log.js';
import { Checkpointer, type CheckpointPolicy, loadSigningKey } from './checkpointer.js';
import { Deliverer } from './delivery/deliverer.js';
import { Destinations } from './destinations.js';
import { Erasure } from './erasure.js';
import { chunkWritten, csvExport, parseExportQuery, type StartedExport } from './export-stream.js';
import { Integrity } from './integrity.js';
import { Lifecycle } from './lifecycle.js';
import { MerkleLog } from './merkle-log.js';
import { PersonalData, type PersonalDataOptions } from './personal-data.js';
import { selfAuditHooks } from './self-audit.js';
import { verifiableExportStream } from './verifiable-export.js';

export interface AuditLogOptions {
  store: Store;
  /** Categories events may carry; default: the seed's eight. */
  catalog?: Catalog;
  redaction?: RedactionOptions;
  /** Milliseconds since the epoch; tests pass a fixed clock. */
  now?: () => number;
  /** Thresholds of the brute-force and password-spraying alerts. */
  alertRules?: Partial<AlertRules>;
  /** Ed25519 private key (PEM or base64 PKCS#8); default: the key kept with the store, created once. */
  signingKey?: string;
  checkpoints?: Partial<CheckpointPolicy>;
  /**
   * A page of GET /v1/events checks at most this many entries one by one for keywords the index cannot
   * narrow (shorter than three characters); the page then ends early with a cursor to search further.
   */
  keywordScanLimit?: number;
  /** Keep each tenant's Merkle tree up to date after appends (default true; false: only when a proof asks). */
  maintainMerkleTree?: boolean;
  /** Crypto-shredding of personal fields (docs/lifecycle.md#erasure-of-a-data-subject); off by default. */
  personalData?: PersonalDataOptions;
  /** A record of the log's own administration that could not be appended yet (default: a line on stderr). */
  onSelfAuditPending?: PendingReporter;
  /** Called after every successful append (metrics). */
  onAppend?: (stream: Stream, entries: readonly AppendedEntry[]) => void;
}

export interface EventPage {
  events: StoredEvent[];
  nextCursor: string | null;
  /** With afterSeq: every entry up to this seq has been considered; poll again with afterSeq=highSeq. */
  highSeq?: number;
}

// A page's work bounded for its latency: an entry read through a B-tree costs 1.5–3.6 µs, so a page that
// finds nothing stays near 15 ms (issue 18's workload over 25 ms: 2–4 shapes at 10,000, none at 5,000).
const KEYWORD_SCAN_LIMIT = 5_000;

const STATS_KEYS: readonly StatsKey[] = ['action', 'category', 'user', 'eventType', 'day'];

/**
 * The library: everything auditlog does, over a Store. The HTTP server, the CLI and the UI only translate
 * to and from it. Append is a pipeline this class owns — validate → redact → limit sizes → diff →
 * serialise → store (which chains and commits).
 */
export class AuditLog {
  readonly store: Store;
  readonly catalog: Catalog;
  readonly now: () => number;
  readonly access: AccessControl;
  readonly auth: AuthLog;
  readonly checkpoints: Checkpointer;
  readonly integrity: Integrity;
  /** Stream destinations (management) and their delivery, which `serve` starts. */
  readonly destinations: Destinations;
  readonly delivery: Deliverer;
  readonly lifecycle: Lifecycle;
  readonly merkle: MerkleLog;
  readonly personal: PersonalData;
  readonly erasure: Erasure;
  /** Appends the log's own records written with their changes (audit-outbox.ts); `serve` runs it on a schedule. */
  readonly outbox: AuditOutboxDrain;
  readonly #redactor: Redactor;
  readonly #categories: ReadonlySet<string>;
  readonly #onAppend: AuditLogOptions['onAppend'];
  readonly #keywordScanLimit: number;
  readonly #maintainMerkleTree: boolean;

  private constructor(
    options: AuditLogOptions,
    redactor: Redactor,
    signingKey: SigningKey,
    destinationKey: Buffer,
    personal: PersonalData,
  ) {
    this.personal = personal;
    this.store = options.store;
    this.catalog = options.catalog ?? DEFAULT_CATALOG;
    this.now = options.now ?? Date.now;
    this.#redactor = redactor;
    this.#categories = new Set(categoryKeys(this.catalog));
    this.#onAppend = options.onAppend;
    this.#keywordScanLimit = Math.max(1, options.keywordScanLimit ?? KEYWORD_SCAN_LIMIT);
    this.checkpoints = new Checkpointer(this.store, signingKey, this.now, options.checkpoints);
    this.integrity = new Integrity(this.store, this.checkpoints);
    const record = (tenant: string, event: Record<string, unknown>) => this.recordSelfAudit(tenant, event);
    this.outbox = new AuditOutboxDrain(this.store, record, options.onSelfAuditPending);
    const selfAudit = selfAuditHooks(() => this.#selfAuditRules(), record, this.outbox);
    this.lifecycle = new Lifecycle({
      store: this.store,
      now: this.now,
      checkpoints: this.checkpoints,
      categories: this.#categories,
      ...selfAudit,
      aliases: (tenant, actorId) => personal.aliases(tenant, actorId),
    });
    this.merkle = new MerkleLog(this.store, signingKey);
    this.erasure = new Erasure(this.store, personal, selfAudit);
    this.#maintainMerkleTree = options.maintainMerkleTree ?? true;
    this.access = new AccessControl(this.store, this.now, selfAudit);
    this.destinations = new Destinations(this.store, this.now, selfAudit, destinationKey, this.#categories);
    this.delivery = new Deliverer(this.store, this.destinations, this.now);
    this.destinations.onChange = (id) => {
      this.delivery.forget(id);
      this.delivery.refresh();
    };
    this.auth = new AuthLog(
      this.store,
      this.now,
      (tenant, entries, paths) => this.#commit(tenant, entries, paths),
      redactor,
      options.alertRules,
    );
    this.auth.personal = personal;
    this.delivery.revealRows = (tenant, rows) => personal.reveal(tenant, rows);
  }

  static async open(options: AuditLogOptions): Promise<AuditLog> {
    const key = await options.store.putMetaIfAbsent('redaction_hmac_key', randomBytes(32).toString('base64'));
    const signingKey = await loadSigningKey(options.store, options.signingKey);
    const destinationKey = await options.store.putMetaIfAbsent(
      'destination_secret_key',
      randomBytes(32).toString('base64'),
    );
    const log = new AuditLog(
      options,
      new Redactor(Buffer.from(key, 'base64'), options.redaction),
      signingKey,
      Buffer.from(destinationKey, 'base64'),
      await PersonalData.open(options.store, options.personalData ?? {}, options.now ?? Date.now),
    );
    log.checkpoints.start();
    // Records a change left pending (its process died, its append failed); silent on a read-only older copy.
    await log.outbox.drain().catch(() => {});
    return log;
  }

  /**
   * Appends one event or `{ events: [ … ] }` for `tenant`; all or nothing, durable when it resolves. The
   * log's reserved event types and actors are refused (reserved-events.ts) unless `operator` is set: the CLI
   * import, since an export of the log holds the log's own records.
   */
  async appendEvents(
    tenant: string,
    body: unknown,
    by: { operator?: boolean } = {},
  ): Promise<AppendedEntry[]> {
    const { items, paths } = splitBatch(body);
    const ctx = {
      tenant,
      now: this.now(),
      categories: this.#categories,
      redactor: this.#redactor,
      allowReserved: by.operator === true,
    };
    const entries = prepareEvents(items, paths, await this.personal.context(items, paths, ctx));
    return this.#commit(tenant, entries, paths);
  }

  /** The last step of every append: the store chains and commits; conflicts get the client's paths. */
  async #commit(
    tenant: string,
    entries: PreparedEntry[],
    paths: readonly string[],
  ): Promise<AppendedEntry[]> {
    let appended: AppendedEntry[];
    try {
      appended = await this.store.append({ tenant, entries });
    } catch (error) {
      throw withBatchPaths(error, paths);
    }
    if (entries[0]) this.#onAppend?.(entries[0].stream, appended);
    let last = 0;
    for (const a of appended) if (a.seq > last) last = a.seq;
    this.checkpoints.noteAppended(tenant, last);
    this.delivery.wake();
    if (this.#maintainMerkleTree) this.merkle.noteAppended(tenant);
    return appended;
  }

  /** Validates like appendEvents and stores nothing; throws the same errors. */
  checkEvents(body: unknown, by: { operator?: boolean } = {}): void {
    const { items, paths } = splitBatch(body);
    checkEvents(items, paths, {
      now: this.now(),
      categories: this.#categories,
      allowReserved: by.operator === true,
    });
  }

  /**
   * A page of matching events. With `afterSeq=n` (an addition, for live views): the matching events recorded
   * after entry n, in the order they were recorded (seq ascending), whatever their occurredAt.
   */
  async listEvents(tenant: string, query: RawQuery): Promise<EventPage> {
    const filter = parseEventFilter(query, new Set([...PAGE_PARAMS, 'afterSeq']));
    const afterSeq = query.afterSeq;
    if (afterSeq === undefined) return this.#page(tenant, filter, parsePage(query, { order: 'desc' }));
    if (typeof afterSeq !== 'string' || !/^\d{1,15}$/.test(afterSeq)) {
      throw invalidQuery('/afterSeq', 'must be a non-negative integer');
    }
    if (query.cursor !== undefined || query.order !== undefined) {
      throw invalidQuery('/afterSeq', 'cannot be combined with cursor or order');
    }
    const limit = parsePage({ limit: query.limit }, { order: 'asc' }).limit;
    // Read the head first: every entry up to it is visible to the query that follows.
    const head = (await this.store.chainHead(tenant))?.seq ?? 0;
    const rows = await this.store.listEvents(tenant, this.personal.filter(tenant, filter), {
      order: 'asc',
      orderBy: 'seq',
      limit,
      after: { occurredMs: 0, seq: Number(afterSeq) },
    });
    const last = rows.at(-1)?.seq ?? 0;
    // Where the next poll can start: past the newest match, or past the head when the page was not full.
    const highSeq = rows.length === limit ? last : Math.max(head, last, Number(afterSeq));
    const shown = await this.personal.reveal(tenant, rows);
    return { events: shown.map((r) => formatEvent(r)), nextCursor: null, highSeq };
  }

  async getEvent(tenant: string, id: string): Promise<StoredEvent> {
    const row = await this.store.getEvent(tenant, id);
    if (!row) throw notFound(`Event ${id}`);
    const [shown] = await this.personal.reveal(tenant, [row]);
    return formatEvent(shown!);
  }

  /** Every event of one entity, oldest first (further filters allowed). */
  async entityHistory(
    tenant: string,
    targetType: string,
    targetId: string,
    query: RawQuery,
  ): Promise<EventPage> {
    const filter = { ...parseEventFilter(query, new Set(PAGE_PARAMS)), targetType, targetId };
    const page = parsePage(query, { order: 'asc' });
    return this.#page(tenant, filter, page);
  }

  async stats(
    tenant: string,
    query: RawQuery,
  ): Promise<{ groups: { key: string; label?: string; count: number }[] }> {
    const groupBy = query.groupBy;
    if (typeof groupBy !== 'string' || !(STATS_KEYS as readonly string[]).includes(groupBy)) {
      throw invalidQuery('/groupBy', `must be one of: ${STATS_KEYS.join(', ')}`);
    }
    const filter = parseEventFilter(query, new Set(['groupBy']));
    const groups = await this.store.eventStats(
      tenant,
      this.personal.filter(tenant, filter),
      groupBy as StatsKey,
    );
    if (groupBy === 'category') {
      return {
        groups: groups.map((g) => {
          const label = categoryLabel(this.catalog, g.key);
          return label ? { ...g, label } : g;
        }),
      };
    }
    return { groups };
  }

  async actors(tenant: string, prefix: string, limit = 20) {
    return this.store.listActors(tenant, prefix, Math.min(Math.max(limit, 1), 100));
  }

  /**
   * A page in keyset order. With keywords, a scan the index cannot narrow stops after keywordScanLimit
   * entries: the page may then hold fewer events than asked (even none) and its cursor continues the search
   * after the last entry examined, so a rare two-letter word never holds a request for a whole-log scan.
   */
  async #page(tenant: string, clear: EventFilter, page: ReturnType<typeof parsePage>): Promise<EventPage> {
    const filter = this.personal.filter(tenant, clear);
    const spec = { ...page, limit: page.limit + 1 };
    const { rows, scannedTo } = filter.terms?.length
      ? await this.store.searchEvents(tenant, filter, spec, this.#keywordScanLimit)
      : { rows: await this.store.listEvents(tenant, filter, spec), scannedTo: null };
    const more = rows.length > page.limit;
    const shown = more ? rows.slice(0, page.limit) : rows;
    const last = more ? shown[shown.length - 1] : scannedTo;
    return {
      events: (await this.personal.reveal(tenant, shown)).map((r) => formatEvent(r)),
      nextCursor: last
        ? encodeCursor({ occurredMs: last.occurredMs, seq: last.seq, order: page.order })
        : null,
    };
  }

  /**
   * Validates the export query up front (a 400 before any byte is streamed), then streams. When the stream
   * ends or is abandoned, an `auditlog.export` event records the filters and the row count; `recorded`
   * settles once that event is committed. A server calls `written(chunk)` once its socket wrote a chunk of
   * the stream, so that the store can reuse its memory (export-stream.ts, chunkWritten).
   */
  startExport(
    tenant: string,
    query: RawQuery,
    by: ActingParty,
    options: { onRow?: () => void } = {},
  ): StartedExport {
    const { format, filter: clear, order } = parseExportQuery(query);
    const filter = this.personal.filter(tenant, clear);
    let rowCount = 0;
    const counted = () => {
      rowCount++;
      options.onRow?.();
    };
    const exportId = newId();
    const filters = Object.fromEntries(
      Object.entries(query).filter(([k, v]) => k !== 'format' && v !== undefined),
    );
    // NDJSON is the verifiable evidence format, in chain order; CSV is for people, in time order.
    const stream =
      format === 'ndjson'
        ? verifiableExportStream(this, tenant, filter, { exportId, filters }, counted)
        : csvExport(this.store, tenant, filter, order, counted, this.personal);
    const recorded = new Promise<void>((resolve) => {
      let done = false;
      const record = (completed: boolean) => {
        if (done) return;
        done = true;
        this.recordSelfAudit(tenant, {
          ...by,
          action: 'create',
          category: 'security',
          eventType: 'auditlog.export',
          target: { type: 'Export', id: exportId },
          newValue: { format, filters, rowCount, completed },
        }).then(resolve, resolve);
      };
      stream.on('end', () => record(true));
      stream.on('close', () => record(stream.readableEnded));
    });
    return { stream, format, recorded, written: chunkWritten };
  }

  /** Appends an event about the log's own administration (category security, always allowed). */
  async recordSelfAudit(tenant: string, event: Record<string, unknown>): Promise<void> {
    const ctx = { tenant, ...this.#selfAuditRules(), redactor: this.#redactor };
    const entries = prepareEvents([event], [''], await this.personal.context([event], [''], ctx));
    await this.#commit(tenant, entries, ['']);
  }

  #selfAuditRules() {
    return { now: this.now(), categories: new Set([...this.#categories, 'security']), allowReserved: true };
  }

  /** Signs a final checkpoint for every tenant, then closes the store (which lets in-flight appends finish). */
  async close(): Promise<void> {
    try {
      await this.delivery.stop();
      await this.lifecycle.stop();
      await this.outbox.stop();
      await this.store.flush();
      await this.checkpoints.stop();
      await this.merkle.idle();
    } finally {
      await this.store.close();
    }
  }
}

export function openAuditLog(options: AuditLogOptions): Promise<AuditLog> {
  return AuditLog.open(options);
}
