import { assertStorableBody } from '../domain/admin-text.js';
import { AuditError, notFound } from '../domain/errors.js';
import { formatEvent } from '../domain/format-event.js';
import type { StoredEvent } from '../domain/schemas/event-schema.js';
import type { Store } from '../ports/store.js';
import type { ActingParty } from './access-control.js';
import type { PersonalData } from './personal-data.js';
import type { SelfAudit } from './self-audit.js';

export interface ErasureResult {
  keyId: string;
  erasedAt: string;
  status: 'completed';
}

/**
 * Erasure of a data subject (GDPR Art. 17) by crypto-shredding: its key is destroyed, so every envelope it
 * sealed reads as erased, while the chain, which covers the ciphertext, still verifies. Each erasure is an
 * `auditlog.subject_erased` event naming the key id only, never the subject.
 */
export class Erasure {
  readonly #store: Store;
  readonly #personal: PersonalData;
  readonly #audit: SelfAudit;

  constructor(store: Store, personal: PersonalData, audit: SelfAudit) {
    this.#store = store;
    this.#personal = personal;
    this.#audit = audit;
  }

  get enabled(): boolean {
    return this.#personal.enabled;
  }

  async erase(tenant: string, actorId: string, by: ActingParty): Promise<ErasureResult> {
    if (!this.#personal.enabled) {
      throw new AuditError(
        'not_found',
        'Personal data is not encrypted by this process (AUDITLOG_ENCRYPT_PERSONAL_DATA is not set): it has no subject to erase',
      );
    }
    assertStorableBody({ actorId }, 'The data subject is not valid');
    // One time for the answer and the record that lists it (GET /v1/erasures reads occurredAt).
    const erasedAt = new Date().toISOString();
    const event = (kids: readonly string[]) => ({
      ...by,
      occurredAt: erasedAt,
      action: 'delete',
      category: 'security',
      eventType: 'auditlog.subject_erased',
      target: { type: 'SubjectKey', id: kids[0] },
      // With the keys of sign-ins that named only the subject's usernames, when there were any.
      oldValue: kids.length > 1 ? { keyId: kids[0], keyIds: kids } : { keyId: kids[0] },
    });
    // The key ids are known in the erasure's transaction: the record is checked with a stand-in of their
    // form, and written there with them (same id and time).
    const stamp = this.#audit.pending(tenant, event(['key-id']));
    const pending = (kids: readonly string[]) => ({ ...stamp, event: { ...event(kids), id: stamp.id } });
    const erased = await this.#personal.erase(tenant, actorId, pending);
    if (!erased) throw notFound(`Data subject ${actorId}`);
    const [keyId] = erased.kids as [string, ...string[]];
    await this.#audit.settle();
    return { keyId, erasedAt, status: 'completed' };
  }

  /** The tenant's erasures, newest first, read from their audit events. */
  async list(tenant: string, limit = 100): Promise<ErasureResult[]> {
    const rows = await this.#store.listEvents(
      tenant,
      { eventTypes: ['auditlog.subject_erased'] },
      { order: 'desc', limit },
    );
    return rows.map((row) => {
      const e: StoredEvent = formatEvent(row);
      return { keyId: e.target.id, erasedAt: e.occurredAt, status: 'completed' as const };
    });
  }
}
