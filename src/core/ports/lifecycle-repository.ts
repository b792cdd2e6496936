import type { Stream } from '../domain/entry.js';
import type { PurgeClaim, SignedPurge } from '../domain/purge-record.js';
import type { LegalHold, PurgeCandidate, PurgeSelector, RetentionPolicy } from '../domain/retention.js';
import type { PendingRecord } from './audit-outbox.js';

/** One bounded purge step: these seqs of one stream become tombstones under `record`, in one transaction. */
export interface PurgeStep {
  tenant: string;
  stream: Stream;
  /** Increasing; exactly the seqs `record` signs (count, seqsDigest). */
  seqs: number[];
  record: SignedPurge;
  /** Which run and which of its records this is: stored with the record until its audit event is appended. */
  run: PurgeRunStep;
}

/** A purge run (one `Lifecycle.purge` call) and a record's place in it, 0 first. */
export interface PurgeRunStep {
  runId: string;
  step: number;
}

/** A signed purge record that no `auditlog.purge` event accounts for yet (its run may still be going). */
export interface UnrecordedPurge {
  run: PurgeRunStep;
  record: SignedPurge;
}

/** A tenant's share of a partition about to be dropped: what its one purge record must sign. */
export type PartitionShare = Pick<
  PurgeClaim,
  'tenant' | 'stream' | 'count' | 'firstSeq' | 'lastSeq' | 'seqsDigest'
>;

/** A partition dropped whole: its name, stream and entries, and the reason when it was not. */
export interface PartitionOutcome {
  partition: string;
  stream: Stream;
  dropped: boolean;
  entries: number;
  /** How long the parent table was locked: from the DETACH (its wait included) to the COMMIT. */
  lockedMs?: number;
  /** Why it was not dropped (not expired, held, not the owner, busy…); the stepped purge handles it. */
  reason?: string;
}

/**
 * Stores that keep entries in time partitions (PostgreSQL) drop a whole partition when every row of it is
 * expired under its tenant's policy and no active hold covers any: tombstones with one INSERT … SELECT, one
 * signed purge record per tenant, then DETACH and DROP, in one transaction.
 */
export interface PartitionPurger {
  /** Partitions whose whole time range ended before `beforeMs` (candidates; checked again in `drop`). */
  candidates(beforeMs: number): Promise<{ partition: string; stream: Stream }[]>;
  /**
   * Drops one partition if `cutoff` (tenant, category → expired before, or null) expires each of its rows
   * and no active hold covers any (the holds as `expandHolds` gives them: with their blind-index aliases);
   * `sign` is called, inside the transaction, with each tenant's share and returns the signed records to
   * store. Not dropped (with a reason) otherwise — nothing changed then.
   */
  drop(partition: string, stream: Stream, rules: PartitionDropRules): Promise<PartitionOutcome>;
}

/** What decides a partition drop: each row's expiry, the holds with their aliases, the signed records. */
export interface PartitionDropRules {
  cutoff: (tenant: string, category: string | null) => number | null;
  expandHolds: (holds: LegalHold[]) => LegalHold[];
  sign: (shares: PartitionShare[]) => Promise<SignedPurge[]>;
  /** The run and place of each record `sign` returned, stored with it as a step's (PurgeStep.run). */
  runOf: (purgeId: string) => PurgeRunStep;
}

/**
 * What data lifecycle (core/services/lifecycle.ts) keeps in a store: retention policies, legal holds, and
 * purges. Every engine implements it (Store.lifecycle) and passes test/store-contract/lifecycle.test.ts.
 */
export interface LifecycleRepository {
  /** Policies of one tenant, or of every tenant; in (tenant, stream, category) order, null category first. */
  listPolicies(tenant?: string): Promise<RetentionPolicy[]>;
  /**
   * Creates or replaces the policy of (tenant, stream, category). Each change here writes its `pending`
   * record in its own transaction, when it changed something (audit-outbox.ts).
   */
  putPolicy(policy: RetentionPolicy, pending?: PendingRecord): Promise<void>;
  /** Whether a policy was there to delete. */
  deletePolicy(
    tenant: string,
    stream: Stream,
    category: string | null,
    pending?: PendingRecord,
  ): Promise<boolean>;

  /** A tenant's holds, newest first; released ones only when asked. */
  listHolds(tenant: string, includeReleased: boolean): Promise<LegalHold[]>;
  getHold(tenant: string, id: string): Promise<LegalHold | undefined>;
  putHold(hold: LegalHold, pending?: PendingRecord): Promise<void>;
  /** Releases an active hold; false when there is none of that id (or it is released already). */
  releaseHold(
    tenant: string,
    id: string,
    releasedMs: number,
    releasedBy: string,
    pending?: PendingRecord,
  ): Promise<boolean>;

  /**
   * Entries of `selector` (one stream, occurred before beforeMs, its categories) after the keyset position
   * `after` (occurredMs, seq), in (occurredMs, seq) order; at most `limit`.
   */
  purgeCandidates(
    tenant: string,
    selector: PurgeSelector,
    after: { occurredMs: number; seq: number } | null,
    limit: number,
  ): Promise<PurgeCandidate[]>;
  /**
   * Turns the step's entries into tombstones (seq, stream, id, receive time, digest, prevHash and hash kept;
   * content and filter columns removed) and stores the signed record, all or nothing, in one short
   * transaction. Fails with `idempotency_conflict` when one of the seqs is not a live entry of that stream.
   */
  purge(step: PurgeStep): Promise<void>;
  /** A tenant's signed purge records, oldest first. */
  listPurges(tenant: string): Promise<SignedPurge[]>;
  /**
   * Records stored with their run (PurgeStep.run) and not yet marked recorded, every tenant's, in (tenant,
   * runId, step) order: a run that died before its audit event leaves its records here.
   */
  unrecordedPurges(): Promise<UnrecordedPurge[]>;
  /** Marks these records as accounted for by an `auditlog.purge` event (idempotent). */
  markPurgesRecorded(tenant: string, purgeIds: string[]): Promise<void>;
  /** Whole-partition drops, where the engine has partitions (PostgreSQL). */
  readonly partitions?: PartitionPurger;
}
