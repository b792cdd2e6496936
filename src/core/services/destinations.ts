import { assertStorableBody } from '../domain/admin-text.js';
import {
  type DestinationRecord,
  errorText,
  NO_PROGRESS,
  publicSettings,
  settingsFor,
  targetChanged,
} from '../domain/destination.js';
import { maskServerCredentials } from '../domain/destination-address.js';
import {
  generateWebhookKeys,
  openSecret,
  sealSecret,
  secretFingerprint,
  type WebhookKeys,
} from '../domain/destination-secrets.js';
import { AuditError, notFound } from '../domain/errors.js';
import { newId } from '../domain/ids.js';
import { compileSchema, schemaErrors } from '../domain/schema-validator.js';
import {
  DEFAULT_ROTATION_OVERLAP_S,
  DestinationCreate,
  DestinationReplay,
  DestinationRotate,
  DestinationUpdate,
} from '../domain/schemas/destination-schema.js';
import { formatTimestamp, parseRfc3339Bound } from '../domain/time.js';
import { maskUrlSecrets } from '../domain/url-secrets.js';
import type { PendingRecord } from '../ports/audit-outbox.js';
import type { DestinationPatch } from '../ports/destination-repository.js';
import type { Store } from '../ports/store.js';
import type { ActingParty } from './access-control.js';
import {
  type DestinationStatusView,
  destinationStatus,
  firstSeqAtOrAfter,
} from './delivery/destination-status.js';
import { senderFor } from './delivery/sender.js';
import { testEntry } from './delivery/test-entry.js';
import { destinationEvent } from './destination-events.js';
import { audited, type SelfAudit } from './self-audit.js';

export type DestinationView = ReturnType<typeof publicSettings> & { status: DestinationStatusView };

/** What creating a webhook answers once: the signing secret (never shown again) and the public key. */
export interface CreatedDestination {
  destination: DestinationView;
  secret?: string;
}

const SYSTEM: ActingParty = {
  actor: { id: 'auditlog:delivery', username: 'auditlog delivery', type: 'system' },
};

/**
 * Stream destinations of a tenant: create, update, pause, resume, replay, delete, and their status. Secrets
 * are sealed before they reach the store and never returned after creation. Every change is recorded as an
 * `auditlog.destination_*` security event of the tenant, attributed to whoever made it.
 */
export class Destinations {
  readonly #store: Store;
  readonly #now: () => number;
  readonly #audit: SelfAudit;
  /** Appends the records written with changes, once made (SelfAudit.settle): the delivery's pauses. */
  readonly settle: () => Promise<void>;
  readonly #key: Buffer;
  readonly #categories: ReadonlySet<string>;
  /** Called after every change, so that the delivery drops what it knew of the destination at once. */
  onChange: (id: string) => void = () => {};

  constructor(
    store: Store,
    now: () => number,
    audit: SelfAudit,
    key: Buffer,
    categories: ReadonlySet<string>,
  ) {
    this.#store = store;
    this.#now = now;
    this.#audit = audit;
    this.settle = () => audit.settle();
    this.#key = key;
    this.#categories = categories;
  }

  async create(tenant: string, body: unknown, by: ActingParty): Promise<CreatedDestination> {
    const input = this.#check(DestinationCreate, body) as { kind: DestinationRecord['kind']; name: string };
    const settings = settingsFor(input.kind, undefined, input as Record<string, unknown>);
    this.#checkCategories(settings.filter.categories);
    const nowMs = this.#now();
    let secret: string | undefined;
    let sealed: string | null = null;
    let publicKey: string | null = null;
    if (input.kind === 'webhook') {
      const generated = generateWebhookKeys();
      secret = generated.keys.secret;
      sealed = sealSecret(this.#key, generated.keys);
      publicKey = generated.publicKey;
    }
    const record: DestinationRecord = {
      id: newId(),
      tenant,
      name: input.name,
      kind: input.kind,
      settings,
      secretBox: sealed,
      publicKey,
      secretFingerprint: secret ? secretFingerprint(secret) : null,
      state: 'active',
      pausedReason: null,
      createdMs: nowMs,
      updatedMs: nowMs,
      // A new destination receives what is recorded from now on (replay reaches back).
      progress: { ...NO_PROGRESS, cursorSeq: (await this.#store.chainHead(tenant))?.seq ?? 0 },
      generation: 0,
    };
    const event = destinationEvent(record, 'created', 'create', by, null, publicSettings(record));
    await audited(this.#audit, tenant, event, (p) => this.#store.destinations.create(record, p));
    this.onChange(record.id);
    return { destination: await this.view(record), ...(secret ? { secret } : {}) };
  }

  async list(tenant: string): Promise<DestinationView[]> {
    const all = await this.#store.destinations.list(tenant);
    return Promise.all(all.map((d) => this.view(d)));
  }

  /** Every tenant's destinations with their status (metrics). */
  async statuses(): Promise<DestinationView[]> {
    const all = await this.#store.destinations.list();
    return Promise.all(all.map((d) => this.view(d)));
  }

  async get(tenant: string, id: string): Promise<DestinationView> {
    return this.view(await this.find(tenant, id));
  }

  async update(tenant: string, id: string, body: unknown, by: ActingParty): Promise<DestinationView> {
    const input = this.#check(DestinationUpdate, body) as Record<string, unknown>;
    const before = await this.find(tenant, id);
    const settings = settingsFor(before.kind, before.settings, input);
    this.#checkCategories(settings.filter.categories);
    // A new receiver owes nothing to the old one's failures: its backoff starts again.
    const retarget = targetChanged(before.settings, settings);
    const patch = {
      ...(typeof input.name === 'string' ? { name: input.name } : {}),
      settings,
      ...(retarget ? { progress: { ...before.progress, failures: 0, nextAttemptMs: 0 } } : {}),
    };
    const after = await this.#patchRecorded(
      before,
      patch,
      'updated',
      by,
      publicSettings(before),
      publicSettings,
    );
    this.onChange(id);
    return this.view(after);
  }

  async pause(tenant: string, id: string, by: ActingParty): Promise<DestinationView> {
    const before = await this.find(tenant, id);
    const patch = { state: 'paused' as const, pausedReason: 'paused by an administrator' };
    const after = await this.#patchRecorded(
      before,
      patch,
      'paused',
      by,
      publicSettings(before),
      publicSettings,
    );
    this.onChange(id);
    return this.view(after);
  }

  /** Resumes delivery from where it stopped, at once (failures and backoff are forgotten). */
  async resume(tenant: string, id: string, by: ActingParty): Promise<DestinationView> {
    const before = await this.find(tenant, id);
    const patch = {
      state: 'active' as const,
      pausedReason: null,
      progress: { ...before.progress, failures: 0, nextAttemptMs: 0 },
    };
    const after = await this.#patchRecorded(
      before,
      patch,
      'resumed',
      by,
      publicSettings(before),
      publicSettings,
    );
    this.onChange(id);
    return this.view(after);
  }

  /**
   * Delivers again from `fromSeq`, or from the first entry received at or after `fromTime`: receivers see
   * those entries a second time (with the same ids, which they dedupe on).
   */
  async replay(tenant: string, id: string, body: unknown, by: ActingParty): Promise<DestinationView> {
    const input = this.#check(DestinationReplay, body) as { fromSeq?: number; fromTime?: string };
    if ((input.fromSeq === undefined) === (input.fromTime === undefined))
      throw new AuditError('invalid_request', 'Name where to replay from', [
        { path: '/fromSeq', message: 'give exactly one of fromSeq and fromTime' },
      ]);
    const before = await this.find(tenant, id);
    // A cursor past the newest entry would skip every entry until the log caught up with it, unseen.
    const head = (await this.#store.chainHead(tenant))?.seq ?? 0;
    if (input.fromSeq !== undefined && input.fromSeq > head + 1)
      throw new AuditError('invalid_request', 'Nothing to replay from there', [
        { path: '/fromSeq', message: `is past the newest entry (seq ${head}): at most ${head + 1}` },
      ]);
    const fromSeq =
      input.fromSeq ??
      (await firstSeqAtOrAfter(this.#store, tenant, parseRfc3339Bound(input.fromTime as string) ?? 0));
    const progress = {
      ...before.progress,
      cursorSeq: fromSeq - 1,
      failures: 0,
      nextAttemptMs: 0,
      lastError: null,
    };
    const after = await this.#patchRecorded(
      before,
      { progress },
      'replayed',
      by,
      { cursorSeq: before.progress.cursorSeq },
      () => ({ cursorSeq: fromSeq - 1, ...(input.fromTime ? { fromTime: input.fromTime } : { fromSeq }) }),
    );
    this.onChange(id);
    return this.view(after);
  }

  /**
   * New signing keys for a webhook (secret and Ed25519 pair). The new secret is answered once; the old keys
   * keep signing alongside for `overlapSeconds`, so receivers can switch without refusing a delivery.
   */
  async rotateSecret(
    tenant: string,
    id: string,
    body: unknown,
    by: ActingParty,
  ): Promise<CreatedDestination> {
    const input = this.#check(DestinationRotate, body) as { overlapSeconds?: number };
    const before = await this.find(tenant, id);
    const old = this.webhookKeys(before);
    if (before.kind !== 'webhook' || !old)
      throw new AuditError('invalid_request', 'Only a webhook destination has a signing secret', [
        { path: '/kind', message: `a ${before.kind} destination has no secret to rotate` },
      ]);
    const overlapMs = (input.overlapSeconds ?? DEFAULT_ROTATION_OVERLAP_S) * 1000;
    const generated = generateWebhookKeys();
    const keys: WebhookKeys = {
      ...generated.keys,
      ...(overlapMs > 0
        ? { previous: { secret: old.secret, signingKey: old.signingKey, untilMs: this.#now() + overlapMs } }
        : {}),
    };
    const secrets = {
      secretBox: sealSecret(this.#key, keys),
      publicKey: generated.publicKey,
      secretFingerprint: secretFingerprint(keys.secret),
    };
    const until = formatTimestamp(this.#now() + overlapMs);
    const shown = (d: DestinationRecord) => ({
      secretFingerprint: d.secretFingerprint,
      publicKey: d.publicKey,
    });
    const after = await this.#patchRecorded(
      before,
      { secrets },
      'secret_rotated',
      by,
      shown(before),
      (d) => ({
        ...shown(d),
        oldKeysSignUntil: until,
      }),
    );
    this.onChange(id);
    return { destination: await this.view(after), secret: keys.secret };
  }

  async delete(tenant: string, id: string, by: ActingParty): Promise<void> {
    const before = await this.find(tenant, id);
    const event = destinationEvent(before, 'deleted', 'delete', by, publicSettings(before), null);
    const pending = this.#audit.pending(tenant, event);
    if (!(await this.#store.destinations.delete(tenant, id, pending))) throw notFound(`Destination ${id}`);
    this.onChange(id);
    await this.#audit.settle();
  }

  /**
   * Sends one made-up entry (`auditlog.destination_test`, not in the log) to the destination now, whatever its
   * state, and tells whether the receiver took it.
   */
  async testSend(
    tenant: string,
    id: string,
  ): Promise<{ delivered: boolean; error: string | null; ms: number }> {
    const d = await this.find(tenant, id);
    const sender = senderFor(d, this.webhookKeys(d));
    const started = performance.now();
    try {
      await sender.send([testEntry(tenant, this.#now())], `test.${newId()}`);
      return { delivered: true, error: null, ms: Math.round(performance.now() - started) };
    } catch (error) {
      return { delivered: false, error: errorText(error), ms: Math.round(performance.now() - started) };
    } finally {
      await sender.close();
    }
  }

  /** The record of the delivery's pause of a destination that kept failing, written with it (recordProgress). */
  automaticPause(d: DestinationRecord, reason: string): PendingRecord {
    const after = { ...d, state: 'paused' as const, pausedReason: reason };
    const event = destinationEvent(
      after,
      'paused',
      'update',
      SYSTEM,
      publicSettings(d),
      publicSettings(after),
    );
    return this.#audit.pending(d.tenant, event);
  }

  /** The opened signing keys of a webhook (for the delivery only). */
  webhookKeys(d: DestinationRecord): WebhookKeys | null {
    return d.secretBox ? openSecret<WebhookKeys>(this.#key, d.secretBox) : null;
  }

  async view(d: DestinationRecord): Promise<DestinationView> {
    return {
      ...publicSettings(d),
      // Masked on read only: audit events keep the URL for the tenant's redaction, which marks it by hash.
      ...(d.settings.url === undefined ? {} : { url: maskUrlSecrets(d.settings.url) }),
      ...(d.settings.servers === undefined ? {} : { servers: maskServerCredentials(d.settings.servers) }),
      status: await destinationStatus(this.#store, d, this.#now()),
    };
  }

  async find(tenant: string, id: string): Promise<DestinationRecord> {
    const d = await this.#store.destinations.get(tenant, id);
    if (!d) throw notFound(`Destination ${id}`);
    return d;
  }

  async #patch(
    d: DestinationRecord,
    patch: Omit<DestinationPatch, 'updatedMs'>,
    updatedMs = this.#now(),
    pending?: PendingRecord,
  ): Promise<DestinationRecord> {
    const after = await this.#store.destinations.update(d.tenant, d.id, { ...patch, updatedMs }, pending);
    if (!after) throw notFound(`Destination ${d.id}`);
    return after;
  }

  #check(schema: object, body: unknown): unknown {
    const details = schemaErrors(compileSchema(schema), body ?? {});
    if (details.length > 0) throw new AuditError('invalid_request', 'The destination is not valid', details);
    assertStorableBody(body ?? {}, 'The destination is not valid');
    return body ?? {};
  }

  #checkCategories(categories: readonly string[] | undefined): void {
    const unknown = (categories ?? []).findIndex((c) => !this.#categories.has(c) && c !== 'security');
    if (unknown >= 0)
      throw new AuditError('invalid_request', 'The destination is not valid', [
        { path: `/filter/categories/${unknown}`, message: 'is not a category of the catalog' },
      ]);
  }

  /**
   * Applies `patch` and records it (`auditlog.destination_<verb>`, newValue from the destination as the patch
   * leaves it): the record is checked first, so a refused record changes nothing, and written with the change.
   */
  async #patchRecorded(
    before: DestinationRecord,
    patch: Omit<DestinationPatch, 'updatedMs'>,
    verb: string,
    by: ActingParty,
    oldValue: unknown,
    newValue: (d: DestinationRecord) => unknown,
  ): Promise<DestinationRecord> {
    const updatedMs = this.#now();
    const expected = { ...before, ...patch, ...patch.secrets, updatedMs };
    const event = destinationEvent(expected, verb, 'update', by, oldValue, newValue(expected));
    const after = await this.#patch(before, patch, updatedMs, this.#audit.pending(before.tenant, event));
    await this.#audit.settle();
    return after;
  }
}
