import type { PendingRecord } from './audit-outbox.js';

/** A subject's key as stored: random, wrapped by the tenant key (core/domain/subject-crypto.ts). */
export interface StoredSubjectKey {
  kid: string;
  wrapped: string;
}

/** What erasing a subject removed. */
export interface ErasedSubject {
  /** The key ids destroyed, in the order of the references asked (those that had a key). */
  kids: string[];
  /** Rows of the actor suggestions (derived) deleted with the key. */
  actorRows: number;
}

/**
 * The `subject_keys` table of crypto-shredding (docs/lifecycle.md#erasure-of-a-data-subject). A subject is
 * named by its reference (a blind index of its actor id), never its clear id. Every engine implements it
 * (Store.subjects) and passes test/store-contract/subject-keys.test.ts.
 */
export interface SubjectKeyRepository {
  /**
   * Each subject's key, in the order asked; a candidate is stored (one transaction for all) for each subject
   * that has none, and concurrent callers all get the key that was stored first.
   */
  getOrCreate(
    tenant: string,
    candidates: readonly (StoredSubjectKey & { ref: string; createdMs: number })[],
  ): Promise<StoredSubjectKey[]>;
  /** The keys of these ids that still exist (an erased subject's id is absent). */
  byKids(tenant: string, kids: readonly string[]): Promise<StoredSubjectKey[]>;
  /** The subject's key id, if it has a key. */
  find(tenant: string, ref: string): Promise<StoredSubjectKey | undefined>;
  /**
   * Destroys the keys of these references — a subject's, and those of the usernames it signed in with — in
   * one transaction with its rows of derived tables (actor suggestions under `actorRef`), then leaves no copy
   * of them in the engine's files (SQLite: VACUUM and a truncating WAL checkpoint). Undefined when none of
   * the references has a key. `pending`, given the key ids destroyed, is the record written in that
   * transaction (audit-outbox.ts); none when nothing was destroyed.
   */
  erase(
    tenant: string,
    refs: readonly string[],
    actorRef: string,
    pending?: (kids: readonly string[]) => PendingRecord,
  ): Promise<ErasedSubject | undefined>;
}
