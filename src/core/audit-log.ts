import { randomBytes } from 'node:crypto';
import type { EventFilter, Scope, StatsKey, Store, TokenRecord } from '../store/store.js';
import { splitBatch } from './batch-body.js';
import { type Catalog, categoryKeys, categoryLabel, DEFAULT_CATALOG } from './catalog.js';
import { encodeCursor } from './cursor.js';
import type { AppendedEntry, Stream } from './entry.js';
import { AuditError, invalidQuery, notFound } from './errors.js';
import { parseEventFilter, parsePage, type RawQuery } from './event-query.js';
import { formatEvent } from './format-event.js';
import { checkEvents, prepareEvents } from './prepare-event.js';
import { type RedactionOptions, Redactor } from './redact.js';
import type { StoredEvent } from './schemas/event-schema.js';
import {
  bootstrapTokenRecord,
  type IssuedToken,
  isActive,
  issueToken,
  parseBearer,
  SCOPES,
  secretMatches,
  TENANT_PATTERN,
} from './tokens.js';

export interface AuditLogOptions {
  store: Store;
  /** Categories events may carry; default: the seed's eight. */
  catalog?: Catalog;
  redaction?: RedactionOptions;
  /** Milliseconds since the epoch; tests pass a fixed clock. */
  now?: () => number;
  /** Called after every successful append (metrics). */
  onAppend?: (stream: Stream, entries: readonly AppendedEntry[]) => void;
}

export interface EventPage {
  events: StoredEvent[];
  nextCursor: string | null;
}

/** Who is calling: the tenant a token belongs to and what it may do. */
export interface Principal {
  tokenId: string;
  tenant: string;
  scopes: ReadonlySet<Scope>;
  name: string | null;
}

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
  readonly #redactor: Redactor;
  readonly #categories: ReadonlySet<string>;
  readonly #onAppend: AuditLogOptions['onAppend'];

  private constructor(options: AuditLogOptions, redactor: Redactor) {
    this.store = options.store;
    this.catalog = options.catalog ?? DEFAULT_CATALOG;
    this.now = options.now ?? Date.now;
    this.#redactor = redactor;
    this.#categories = new Set(categoryKeys(this.catalog));
    this.#onAppend = options.onAppend;
  }

  static async open(options: AuditLogOptions): Promise<AuditLog> {
    const key = await options.store.putMetaIfAbsent('redaction_hmac_key', randomBytes(32).toString('base64'));
    return new AuditLog(options, new Redactor(Buffer.from(key, 'base64'), options.redaction));
  }

  /** Appends one event or `{ events: [ … ] }` for `tenant`; all or nothing, durable when it resolves. */
  async appendEvents(tenant: string, body: unknown): Promise<AppendedEntry[]> {
    const { items, paths } = splitBatch(body);
    const entries = prepareEvents(items, paths, {
      tenant,
      now: this.now(),
      categories: this.#categories,
      redactor: this.#redactor,
    });
    let appended: AppendedEntry[];
    try {
      appended = await this.store.append({ tenant, entries });
    } catch (error) {
      throw withBatchPaths(error, paths);
    }
    this.#onAppend?.('event', appended);
    return appended;
  }

  /** Validates like appendEvents and stores nothing; throws the same errors. */
  checkEvents(body: unknown): void {
    const { items, paths } = splitBatch(body);
    checkEvents(items, paths, { now: this.now(), categories: this.#categories });
  }

  async listEvents(tenant: string, query: RawQuery): Promise<EventPage> {
    const filter = parseEventFilter(query);
    const page = parsePage(query, { order: 'desc' });
    return this.#page(tenant, filter, page);
  }

  async getEvent(tenant: string, id: string): Promise<StoredEvent> {
    const row = await this.store.getEvent(tenant, id);
    if (!row) throw notFound(`Event ${id}`);
    return formatEvent(row);
  }

  /** Every event of one entity, oldest first (further filters allowed). */
  async entityHistory(
    tenant: string,
    targetType: string,
    targetId: string,
    query: RawQuery,
  ): Promise<EventPage> {
    const filter = { ...parseEventFilter(query), targetType, targetId };
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
    const groups = await this.store.eventStats(tenant, filter, groupBy as StatsKey);
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

  async #page(tenant: string, filter: EventFilter, page: ReturnType<typeof parsePage>): Promise<EventPage> {
    const rows = await this.store.listEvents(tenant, filter, { ...page, limit: page.limit + 1 });
    const more = rows.length > page.limit;
    const shown = more ? rows.slice(0, page.limit) : rows;
    const last = shown[shown.length - 1];
    return {
      events: shown.map((r) => formatEvent(r)),
      nextCursor:
        more && last ? encodeCursor({ occurredMs: last.occurredMs, seq: last.seq, order: page.order }) : null,
    };
  }

  // ---- tokens ----

  /** The principal a bearer token stands for; 401 for a missing, unknown, revoked or expired token. */
  async authenticate(bearer: string | undefined): Promise<Principal> {
    if (!bearer) throw new AuditError('unauthorized', 'Send Authorization: Bearer <token>');
    const { id, secret } = parseBearer(bearer);
    const record = await this.store.tokens.find(id);
    if (!record || !secretMatches(record, secret) || !isActive(record, this.now())) {
      throw new AuditError('unauthorized', 'The token is unknown, revoked or expired');
    }
    return { tokenId: record.id, tenant: record.tenant, scopes: new Set(record.scopes), name: record.name };
  }

  /** Creates the operator's bootstrap token (all scopes, tenant `default`) unless it exists. */
  async ensureBootstrapToken(secret: string): Promise<void> {
    await this.store.tokens.createIfAbsent(bootstrapTokenRecord(secret, this.now()));
  }

  /** On a store with no token at all, creates an admin token and returns it (to print once). */
  async createFirstAdminToken(): Promise<IssuedToken | null> {
    if ((await this.store.tokens.count()) > 0) return null;
    return this.createToken('default', [...SCOPES], 'first admin token');
  }

  async createToken(tenant: string, scopes: Scope[], name: string | null): Promise<IssuedToken> {
    if (!TENANT_PATTERN.test(tenant)) {
      throw new AuditError('invalid_request', 'Invalid tenant', [
        { path: '/tenant', message: 'must be 1-64 letters, digits, dot, dash or underscore' },
      ]);
    }
    const bad = scopes.find((s) => !SCOPES.includes(s));
    if (bad !== undefined || scopes.length === 0) {
      throw new AuditError('invalid_request', 'Invalid scopes', [
        { path: '/scopes', message: `must list one or more of: ${SCOPES.join(', ')}` },
      ]);
    }
    const issued = issueToken(tenant, scopes, { name, nowMs: this.now() });
    await this.store.tokens.create(issued.record);
    return issued;
  }

  async listTokens(tenant?: string): Promise<TokenRecord[]> {
    return this.store.tokens.list(tenant);
  }

  async close(): Promise<void> {
    await this.store.close();
  }
}

/** A store names a conflicting entry by index; the client knows it by the path it sent. */
function withBatchPaths(error: unknown, paths: readonly string[]): unknown {
  if (!(error instanceof AuditError) || error.code !== 'idempotency_conflict') return error;
  const details = error.details.map((d) => {
    const m = /^\/(\d+)(\/.*)?$/.exec(d.path);
    return m ? { ...d, path: `${paths[Number(m[1])] ?? ''}${m[2] ?? ''}` } : d;
  });
  return new AuditError(error.code, error.message, details);
}

export function openAuditLog(options: AuditLogOptions): Promise<AuditLog> {
  return AuditLog.open(options);
}
