import { AuditError, notFound } from '../domain/errors.js';
import { formatEvent } from '../domain/format-event.js';
import type { StoredEvent } from '../domain/schemas/event-schema.js';
import type { Store } from '../ports/store.js';
import type { ActingParty } from './access-control.js';
import type { PersonalData } from './personal-data.js';

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
  readonly #record: (tenant: string, event: Record<string, unknown>) => Promise<void>;

  constructor(
    store: Store,
    personal: PersonalData,
    record: (tenant: string, event: Record<string, unknown>) => Promise<void>,
  ) {
    this.#store = store;
    this.#personal = personal;
    this.#record = record;
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
    const erased = await this.#personal.erase(tenant, actorId);
    if (!erased) throw notFound(`Data subject ${actorId}`);
    const [keyId] = erased.kids as [string, ...string[]];
    // One time for the answer and the record that lists it (GET /v1/erasures reads occurredAt).
    const erasedAt = new Date().toISOString();
    await this.#record(tenant, {
      ...by,
      occurredAt: erasedAt,
      action: 'delete',
      category: 'security',
      eventType: 'auditlog.subject_erased',
      target: { type: 'SubjectKey', id: keyId },
      // With the keys of sign-ins that named only the subject's usernames, when there were any.
      oldValue: erased.kids.length > 1 ? { keyId, keyIds: erased.kids } : { keyId },
    });
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
