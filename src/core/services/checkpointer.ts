import { type CheckpointPolicy, DEFAULT_CHECKPOINT_POLICY } from '../domain/checkpoint-schedule.js';
import { AuditError } from '../domain/errors.js';
import { type ExportEndClaim, type SignedExportEnd, signExportEnd } from '../domain/export-end.js';
import { type PurgeClaim, type SignedPurge, signPurge } from '../domain/purge-record.js';
import {
  generateSigningKey,
  parsePrivateKey,
  type SignedCheckpoint,
  type SigningKey,
  signCheckpoint,
} from '../domain/signing.js';
import { formatTimestamp } from '../domain/time.js';
import type { Store } from '../ports/store.js';
import { TenantQueue } from './tenant-queue.js';

export type { CheckpointPolicy };

/**
 * Resolves the signing key: AUDITLOG_SIGNING_KEY when given, else the key kept with the store, else a new
 * one (kept with the store from then on). Every public key that ever signed is recorded in the store, so a
 * rotated key's checkpoints still verify.
 */
export async function loadSigningKey(store: Store, configured?: string): Promise<SigningKey> {
  let key: SigningKey;
  if (configured) {
    key = parsePrivateKey(configured);
  } else {
    const kept = await store.loadSigningKey();
    if (kept) key = parsePrivateKey(kept);
    else {
      const fresh = generateSigningKey();
      key = parsePrivateKey(await store.saveSigningKey(fresh.privatePem));
    }
  }
  await store.putPublicKey(key.keyId, key.publicKeyPem);
  return key;
}

/**
 * Signs checkpoints: whenever a tenant has `everyEntries` unsigned entries (at exact multiples, so no more
 * than that many entries are ever between two checkpoints), every `everyMs` while entries are unsigned, on
 * demand, and at shutdown. Several server processes may sign the same tenant; the store keeps one of each.
 */
export class Checkpointer {
  readonly #store: Store;
  readonly #key: SigningKey;
  readonly #now: () => number;
  readonly #policy: CheckpointPolicy;
  readonly #signed = new Map<string, number>();
  /** One signing task per tenant at a time, so concurrent triggers do not sign the same seq twice. */
  readonly #queue = new TenantQueue();
  #timer: NodeJS.Timeout | null = null;

  constructor(store: Store, key: SigningKey, now: () => number, policy: Partial<CheckpointPolicy> = {}) {
    this.#store = store;
    this.#key = key;
    this.#now = now;
    this.#policy = { ...DEFAULT_CHECKPOINT_POLICY, ...policy };
  }

  get keyId(): string {
    return this.#key.keyId;
  }

  get publicKeyPem(): string {
    return this.#key.publicKeyPem;
  }

  /** Signs a purge record (purge-record.ts) with the checkpoint key, dated now. */
  signPurge(claim: Omit<PurgeClaim, 'keyId' | 'signedAt'>): SignedPurge {
    return signPurge(this.#key, { ...claim, signedAt: formatTimestamp(this.#now()) });
  }

  /** Signs an export's end line (export-end.ts) with the checkpoint key, dated now. */
  signExportEnd(claim: Omit<ExportEndClaim, 'keyId' | 'signedAt'>): SignedExportEnd {
    return signExportEnd(this.#key, { ...claim, signedAt: formatTimestamp(this.#now()) });
  }

  start(): void {
    this.#timer ??= setInterval(() => void this.signAll().catch(() => {}), this.#policy.everyMs);
    this.#timer.unref();
  }

  /** After an append: sign the multiples of `everyEntries` the tenant has passed. */
  noteAppended(tenant: string, lastSeq: number): void {
    const signed = this.#signed.get(tenant);
    if (signed !== undefined && lastSeq - signed < this.#policy.everyEntries) return;
    void this.#queue.run(tenant, () => this.#catchUp(tenant)).catch(() => {});
  }

  /** A checkpoint that covers the tenant's newest entry, signing one when needed; undefined for no entries. */
  latest(tenant: string): Promise<SignedCheckpoint | undefined> {
    return this.#queue.run(tenant, async () => {
      const head = await this.#store.chainHead(tenant);
      const last = await this.#store.latestCheckpoint(tenant);
      if (!head || head.seq === 0) return last;
      if (last && last.seq >= head.seq) return last;
      await this.#catchUp(tenant);
      return this.#sign(tenant, head.seq, head.hash);
    });
  }

  /** Signs every tenant's unsigned head (the timer, and a clean shutdown). */
  async signAll(): Promise<void> {
    for (const tenant of await this.#store.tenants()) await this.latest(tenant);
  }

  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    await this.signAll();
  }

  async #catchUp(tenant: string): Promise<void> {
    const head = await this.#store.chainHead(tenant);
    if (!head) return;
    const step = this.#policy.everyEntries;
    let signed = this.#signed.get(tenant) ?? (await this.#store.latestCheckpoint(tenant))?.seq ?? 0;
    for (let seq = (Math.floor(signed / step) + 1) * step; seq <= head.seq; seq += step) {
      const hash = await this.#store.entryHashAt(tenant, seq);
      if (hash === undefined)
        throw new AuditError('chain_broken', `Tenant ${tenant} has no entry at seq ${seq}`);
      await this.#sign(tenant, seq, hash);
      signed = seq;
    }
    this.#signed.set(tenant, Math.max(signed, this.#signed.get(tenant) ?? 0));
  }

  async #sign(tenant: string, seq: number, hash: string): Promise<SignedCheckpoint> {
    const checkpoint = signCheckpoint(this.#key, {
      tenant,
      seq,
      hash,
      signedAt: formatTimestamp(this.#now()),
    });
    await this.#store.putCheckpoint(checkpoint);
    this.#signed.set(tenant, Math.max(seq, this.#signed.get(tenant) ?? 0));
    return checkpoint;
  }
}
