import type { DeliveryProgress, DestinationRecord, DestinationSettings } from '../domain/destination.js';
import type { PendingRecord } from './audit-outbox.js';

/** What an update may change; progress is changed only by the delivery (recordProgress) or a replay. */
export interface DestinationPatch {
  name?: string;
  settings?: DestinationSettings;
  state?: 'active' | 'paused';
  pausedReason?: string | null;
  /** A secret rotation: the new sealed keys, public key and fingerprint, set together. */
  secrets?: { secretBox: string; publicKey: string; secretFingerprint: string };
  /** A replay or a resume: sets the progress and bumps the generation (in-flight progress is discarded). */
  progress?: DeliveryProgress;
  updatedMs: number;
}

/**
 * Stream destinations of every tenant and their durable delivery cursors. Several server processes may share
 * one store: a lease names the one process that delivers for a destination until it expires.
 */
export interface DestinationRepository {
  /** Stores a new destination (and its pending record, in one transaction); its id is new (a UUIDv7). */
  create(d: DestinationRecord, pending?: PendingRecord): Promise<void>;
  /** One destination; MUST NOT find another tenant's. */
  get(tenant: string, id: string): Promise<DestinationRecord | undefined>;
  /** The tenant's destinations, or every tenant's when `tenant` is undefined, in creation order. */
  list(tenant?: string): Promise<DestinationRecord[]>;
  /**
   * Applies a patch; returns the destination afterwards, undefined when there is none. `pending` is written
   * in the same transaction when there was one to change; so is it by `delete`.
   */
  update(
    tenant: string,
    id: string,
    patch: DestinationPatch,
    pending?: PendingRecord,
  ): Promise<DestinationRecord | undefined>;
  delete(tenant: string, id: string, pending?: PendingRecord): Promise<boolean>;
  /**
   * Records delivery progress — and, with `pausedReason`, pauses the destination — only while `owner` holds
   * the lease and the generation is still `generation`; returns whether it was recorded. With
   * `pausedReason`, only while the destination is still active (an administrator's pause is kept); the
   * pause's `pending` record is written in the same transaction when it was recorded.
   */
  recordProgress(
    id: string,
    expect: { owner: string; generation: number },
    progress: DeliveryProgress,
    pausedReason?: string,
    pending?: PendingRecord,
  ): Promise<boolean>;
  /**
   * Takes the delivery lease of a destination for `owner` until nowMs + ttlMs when it is free, expired or
   * already the owner's (a renewal); returns whether `owner` holds it now. At most one owner at a time.
   */
  acquireLease(id: string, owner: string, nowMs: number, ttlMs: number): Promise<boolean>;
  /** Gives the lease up (a node shutting down), so another node takes over at once. */
  releaseLease(id: string, owner: string): Promise<void>;
}
