import { randomBytes } from 'node:crypto';
import { AuditError, invalidQuery } from '../domain/errors.js';
import type { EventFilter } from '../domain/filters.js';
import { newId } from '../domain/ids.js';
import { checkEvents, type PrepareContext } from '../domain/prepare-event.js';
import type { EntryRow } from '../domain/rows.js';
import { usernameSubject } from '../domain/shred-auth-event.js';
import { checkPersonalPaths, type EventShredder, revealEventBody } from '../domain/shred-event.js';
import {
  blindIndex,
  envelopeKids,
  newSubjectKey,
  subjectRef,
  type TenantKeys,
  tenantKeys,
  unwrapSubjectKey,
  wrapSubjectKey,
} from '../domain/subject-crypto.js';
import { fold } from '../domain/text-fold.js';
import type { PendingRecord } from '../ports/audit-outbox.js';
import type { Store } from '../ports/store.js';
import type { ErasedSubject } from '../ports/subject-key-repository.js';

export interface PersonalDataOptions {
  /** Store personal fields encrypted under per-subject keys (crypto-shredding); default false. */
  encrypt?: boolean;
  /** JSON Pointers of personal values: `/newValue/phone`, `/values/email` (both values), `/metadata/…`. */
  paths?: readonly string[];
  /** The master secret (base64 of 32 bytes); default: the store's erasure key file, created once. */
  key?: string;
  /**
   * How long (ms) a cached subject key is used before its row is checked again (default 5000): the bound on
   * how long another node sharing the database keeps decrypting a subject erased elsewhere.
   */
  keyCacheTtlMs?: number;
}

/** Unwrapped keys kept in memory (LRU by insertion); a subject key is 32 bytes. */
const CACHE_LIMIT = 10_000;
const DEFAULT_TTL_MS = 5000;
/** How many of a user id's latest sign-ins an erasure reads for the usernames it signed in with. */
const SIGN_IN_NAMES_SCAN = 1000;

/** A cached key and when (monotonic ms) its row was last seen in the store. */
interface Cached {
  kid: string;
  key: Buffer | null;
  seenAt: number;
}

/**
 * Crypto-shredding over a store (docs/lifecycle.md#erasure-of-a-data-subject): subject keys for ingest,
 * reveal for reads, blind indexes for filters, and erasure. Disabled, it changes nothing anywhere.
 */
export class PersonalData {
  readonly enabled: boolean;
  readonly #store: Store;
  readonly #master: Buffer | null;
  readonly #paths: readonly string[];
  readonly #now: () => number;
  readonly #ttlMs: number;
  readonly #tenants = new Map<string, TenantKeys>();
  /**
   * `tenant ␀ ref` → the subject's key; `tenant ␀ kid` → key, or null once erased (final: a key id is never
   * reused). A live key older than the TTL is checked against its row again before use, since another node
   * may have erased it (docs/lifecycle.md#several-nodes).
   */
  readonly #byRef = new Map<string, Cached>();
  readonly #byKid = new Map<string, Cached>();

  private constructor(
    store: Store,
    master: Buffer | null,
    paths: readonly string[],
    now: () => number,
    ttlMs: number,
  ) {
    this.enabled = master !== null;
    this.#store = store;
    this.#master = master;
    this.#paths = paths;
    this.#now = now;
    this.#ttlMs = ttlMs;
  }

  static async open(store: Store, options: PersonalDataOptions, now: () => number): Promise<PersonalData> {
    const paths = checkPersonalPaths(options.paths ?? []);
    const ttl = options.keyCacheTtlMs ?? DEFAULT_TTL_MS;
    if (!options.encrypt) return new PersonalData(store, null, paths, now, ttl);
    const secret =
      options.key ??
      (await store.loadErasureKey()) ??
      (await store.saveErasureKey(randomBytes(32).toString('base64')));
    return new PersonalData(store, erasureMaster(secret, 'The erasure key'), paths, now, ttl);
  }

  #keys(tenant: string): TenantKeys {
    let keys = this.#tenants.get(tenant);
    if (!keys) {
      keys = tenantKeys(this.#master!, tenant);
      this.#tenants.set(tenant, keys);
    }
    return keys;
  }

  /** With crypto-shredding on: the batch checked first, then its actors' subject keys resolved. */
  async context(
    items: readonly unknown[],
    paths: readonly string[],
    ctx: PrepareContext,
  ): Promise<PrepareContext> {
    if (!this.enabled) return ctx;
    checkEvents(items, paths, ctx);
    const actorIds = items.map((e) => (e as { actor: { id: string } }).actor.id);
    return { ...ctx, checked: true, shredder: await this.shredder(ctx.tenant, actorIds) };
  }

  /** The shredder for one batch: every actor's subject key resolved (created when new) beforehand. */
  async shredder(tenant: string, actorIds: readonly string[]): Promise<EventShredder | undefined> {
    if (!this.enabled) return undefined;
    const keys = this.#keys(tenant);
    const resolved = new Map<string, { kid: string; key: Buffer }>();
    const stale: { actorId: string; ref: string; kid: string }[] = [];
    const unknown: { actorId: string; ref: string }[] = [];
    const now = performance.now();
    for (const actorId of new Set(actorIds)) {
      const ref = subjectRef(keys.blind, actorId);
      const known = this.#byRef.get(`${tenant}\u0000${ref}`);
      if (!known) unknown.push({ actorId, ref });
      else if (now - known.seenAt <= this.#ttlMs)
        resolved.set(actorId, known as { kid: string; key: Buffer });
      else stale.push({ actorId, ref, kid: known.kid });
    }
    // A key cached longer than the TTL is used again only if its row still exists (no erasure elsewhere).
    const live = await this.#live(
      tenant,
      stale.map((s) => s.kid),
    );
    for (const s of stale) {
      const cached = this.#byRef.get(`${tenant}\u0000${s.ref}`)!;
      if (live.has(s.kid)) {
        cached.seenAt = now;
        resolved.set(s.actorId, cached as { kid: string; key: Buffer });
      } else {
        this.#byRef.delete(`${tenant}\u0000${s.ref}`);
        unknown.push(s);
      }
    }
    const fresh = unknown.map((u) => {
      const kid = newId();
      const wrapped = wrapSubjectKey(keys.wrap, tenant, kid, newSubjectKey());
      return { ...u, kid, wrapped, createdMs: this.#now() };
    });
    const stored = await this.#store.subjects.getOrCreate(tenant, fresh);
    fresh.forEach((f, i) => {
      const { kid, wrapped } = stored[i]!;
      const subject = { kid, key: unwrapSubjectKey(keys.wrap, tenant, kid, wrapped), seenAt: now };
      remember(this.#byRef, `${tenant}\u0000${f.ref}`, subject);
      remember(this.#byKid, `${tenant}\u0000${kid}`, subject);
      resolved.set(f.actorId, subject);
    });
    return { keyFor: (id) => resolved.get(id)!, blind: keys.blind, paths: this.#paths };
  }

  /** The key ids whose rows still exist; the others are remembered as erased. */
  async #live(tenant: string, kids: string[]): Promise<Set<string>> {
    if (kids.length === 0) return new Set();
    const live = new Set((await this.#store.subjects.byKids(tenant, kids)).map((k) => k.kid));
    for (const kid of kids) {
      if (!live.has(kid)) this.#byKid.set(`${tenant}\u0000${kid}`, { kid, key: null, seenAt: 0 });
    }
    return live;
  }

  /** Rows with their envelopes opened, or erased where the subject's key is gone. */
  async reveal<R extends Pick<EntryRow, 'body'>>(tenant: string, rows: R[]): Promise<R[]> {
    if (!this.enabled || rows.length === 0) return rows;
    const keys = await this.keys(
      tenant,
      rows.flatMap((row) => envelopeKids(row.body)),
    );
    return rows.map((row) => ({ ...row, body: revealEventBody(row.body, keys) }));
  }

  /** The subject keys of these key ids: the key, or null where the subject was erased. */
  async keys(tenant: string, kids: Iterable<string>): Promise<Map<string, Buffer | null>> {
    const needed = new Set(kids);
    const now = performance.now();
    const missing: string[] = [];
    const stale: string[] = [];
    for (const kid of needed) {
      const cached = this.#byKid.get(`${tenant}\u0000${kid}`);
      if (!cached) missing.push(kid);
      else if (cached.key !== null && now - cached.seenAt > this.#ttlMs) stale.push(kid);
    }
    const live = await this.#live(tenant, stale);
    for (const kid of live) this.#byKid.get(`${tenant}\u0000${kid}`)!.seenAt = now;
    if (missing.length > 0) {
      const wrap = this.#keys(tenant).wrap;
      const found = new Map(
        (await this.#store.subjects.byKids(tenant, missing)).map((k) => [k.kid, k.wrapped]),
      );
      for (const kid of missing) {
        const wrapped = found.get(kid);
        const key = wrapped === undefined ? null : unwrapSubjectKey(wrap, tenant, kid, wrapped);
        remember(this.#byKid, `${tenant}\u0000${kid}`, { kid, key, seenAt: now });
      }
    }
    const keys = new Map<string, Buffer | null>();
    for (const kid of needed) keys.set(kid, this.#byKid.get(`${tenant}\u0000${kid}`)?.key ?? null);
    return keys;
  }

  /** The filter with user and IP values turned into the blind indexes the columns hold. */
  filter<F extends Pick<EventFilter, 'users' | 'usersFolded' | 'ip'>>(tenant: string, f: F): F {
    if (!this.enabled || (!f.users?.length && !f.ip)) return f;
    const b = this.#keys(tenant).blind;
    const out = { ...f };
    if (f.users?.length) {
      out.users = f.users.map((u) => blindIndex(b, 'actor', u));
      out.usersFolded = (f.usersFolded ?? []).map((u) => blindIndex(b, 'user', u));
    }
    if (f.ip) {
      if (f.ip.lo !== f.ip.hi) {
        throw invalidQuery(
          '/ip',
          'must be one address: IP addresses are encrypted, so blocks cannot be searched',
        );
      }
      const key = blindIndex(b, 'ip', f.ip.lo);
      out.ip = { lo: key, hi: key, prefix: key };
    }
    return out;
  }

  /**
   * What a legal hold by actor id (or username) matches in encrypted entries: the blind index of the id
   * (actor and user id columns) and of the folded username (username columns). None when disabled.
   */
  aliases(tenant: string, actorId: string): string[] {
    if (!this.enabled) return [];
    const b = this.#keys(tenant).blind;
    return [blindIndex(b, 'actor', actorId), blindIndex(b, 'user', fold(actorId))];
  }

  /**
   * Destroys the subject's key (then every read shows its fields erased), with the keys of sign-ins that
   * named only a username: `actorId` taken as a username, and each username the id signed in with (read from
   * its latest sign-ins while its key still opens them). Undefined when none of them has a key.
   */
  async erase(
    tenant: string,
    actorId: string,
    pending?: (kids: readonly string[]) => PendingRecord,
  ): Promise<ErasedSubject | undefined> {
    if (!this.enabled) return undefined;
    const b = this.#keys(tenant).blind;
    const names = [actorId, ...(await this.#signInNames(tenant, actorId))];
    const subjects = [actorId, ...new Set(names.map(usernameSubject))];
    const refs = subjects.map((s) => subjectRef(b, s));
    const erased = await this.#store.subjects.erase(tenant, refs, blindIndex(b, 'actor', actorId), pending);
    for (const ref of refs) this.#byRef.delete(`${tenant}\u0000${ref}`);
    for (const kid of erased?.kids ?? [])
      this.#byKid.set(`${tenant}\u0000${kid}`, { kid, key: null, seenAt: 0 });
    return erased;
  }

  /** The usernames of the user id's latest sign-ins (at most SIGN_IN_NAMES_SCAN of them). */
  async #signInNames(tenant: string, userId: string): Promise<string[]> {
    const filter = this.filter(tenant, { users: [userId], usersFolded: [] });
    const rows = await this.#store.listAuthEvents(tenant, filter, {
      order: 'desc',
      limit: SIGN_IN_NAMES_SCAN,
    });
    const names = new Set<string>();
    for (const row of await this.reveal(tenant, rows)) {
      const user = (JSON.parse(row.body) as { user?: { id?: unknown; username?: unknown } }).user;
      if (user?.id === userId && typeof user.username === 'string') names.add(user.username);
    }
    return [...names];
  }
}

function remember<V>(cache: Map<string, V>, key: string, value: V): void {
  if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
  cache.set(key, value);
}

/** The master secret of crypto-shredding from its base64 text (`name` says where it came from). */
export function erasureMaster(secret: string, name: string): Buffer {
  const master = Buffer.from(secret, 'base64');
  if (master.length < 32)
    throw new AuditError('invalid_request', `${name} must be at least 32 bytes, base64`);
  return master;
}
