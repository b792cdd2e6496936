// An administrative change and its pending record are one transaction (audit_outbox): a change whose append
// fails after it committed (the events table refuses inserts, as a failing database would) stands with its
// record pending, and reopening the store appends that record exactly once, with the change's content. A
// pending record appended again is a duplicate, and two processes draining at once append it once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatEvent } from '../../src/core/domain/format-event.js';
import type { StoredEvent } from '../../src/core/domain/schemas/event-schema.js';
import type { PendingRecord } from '../../src/core/ports/audit-outbox.js';
import type { Store } from '../../src/core/ports/store.js';
import type { ActingParty } from '../../src/core/services/access-control.js';
import { type AuditLog, openAuditLog } from '../../src/core/services/audit-log.js';
import { pendingRecord, securityEvent } from '../../src/core/services/self-audit.js';
import { storePerFile } from './store-under-test.js';

const sut = storePerFile();
const by: ActingParty = { actor: { id: 'cli:ops', username: 'ops', type: 'system' } };
let log: AuditLog;
const reported: unknown[] = [];

const open = (store: Store) => openAuditLog({ store, onSelfAuditPending: (error) => reported.push(error) });

beforeAll(async () => {
  log = await open(sut().store);
});
afterAll(async () => {
  await log?.close();
});

async function records(store: Store, tenant: string): Promise<StoredEvent[]> {
  const rows = await store.listEvents(tenant, {}, { order: 'asc', orderBy: 'seq', limit: 100 });
  return rows.map((r) => formatEvent(r));
}

/** The events table refuses every insert from now on, as a database failing between two writes would. */
async function refuseEvents(): Promise<void> {
  if (sut().kind === 'sqlite') {
    await sut().exec(
      "CREATE TRIGGER refuse_events BEFORE INSERT ON events BEGIN SELECT RAISE(ABORT, 'events refused'); END",
    );
  } else {
    await sut().exec(`
      CREATE FUNCTION refuse_events() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION 'events refused'; END $$;
      CREATE TRIGGER refuse_events BEFORE INSERT ON events FOR EACH ROW EXECUTE FUNCTION refuse_events()`);
  }
}

async function acceptEvents(): Promise<void> {
  await sut().exec(
    sut().kind === 'sqlite'
      ? 'DROP TRIGGER refuse_events'
      : 'DROP TRIGGER refuse_events ON events; DROP FUNCTION refuse_events()',
  );
}

/** What a record says, without what the store adds when it appends it. */
const content = (e: Record<string, unknown>) => {
  const { actor, action, category, eventType, id, occurredAt, target, oldValue, newValue } = e;
  const [before, after] = [oldValue ?? null, newValue ?? null];
  return { actor, action, category, eventType, id, occurredAt, target, before, after };
};

describe('administrative changes and their records', () => {
  it('the normal path leaves no pending record and one record per change', async () => {
    const T = 'outbox-normal';
    const issued = await log.access.createToken({ tenant: T, scopes: ['read'], name: 'reader' }, by);
    await log.lifecycle.setPolicy(T, { maxAgeDays: 30 }, by);
    expect(await log.access.revokeToken(issued.record.id, by)).toBe(true);
    expect(await sut().store.outbox.pending(10)).toEqual([]);
    const stored = await records(sut().store, T);
    expect(stored.map((e) => e.eventType)).toEqual([
      'auditlog.token_created',
      'auditlog.retention_policy_set',
      'auditlog.token_revoked',
    ]);
    expect(stored[0]!.target.id).toBe(issued.record.id);
  });

  it('a change whose append fails stands with its record pending, appended once when the store is reopened', async () => {
    const T = 'outbox-failing';
    reported.length = 0;
    await refuseEvents();
    let pending: PendingRecord[];
    let tokenId: string;
    try {
      // Each change is made and answered; its record stays in the outbox.
      const issued = await log.access.createToken({ tenant: T, scopes: ['read'], name: 'kept' }, by);
      tokenId = issued.record.id;
      const hold = await log.lifecycle.createHold(T, { reason: 'litigation' }, by);
      await log.lifecycle.releaseHold(T, hold.id, by);
      expect(await log.access.revokeToken(tokenId, by)).toBe(true);
      pending = await sut().store.outbox.pending(10);
      expect(pending.map((p) => p.event.eventType)).toEqual([
        'auditlog.token_created',
        'auditlog.legal_hold_created',
        'auditlog.legal_hold_released',
        'auditlog.token_revoked',
      ]);
      expect(reported.length).toBeGreaterThan(0);
      expect(await records(sut().store, T)).toEqual([]);
      expect((await sut().store.tokens.find(tokenId))?.revokedMs).not.toBeNull();
      expect(await sut().store.lifecycle.listHolds(T, false)).toEqual([]);
    } finally {
      await acceptEvents();
    }
    await log.close();
    log = await open(await sut().reopen());
    expect(await sut().store.outbox.pending(10)).toEqual([]);
    const stored = await records(sut().store, T);
    expect(stored.map((e) => content(e as unknown as Record<string, unknown>))).toEqual(
      pending.map((p) => content({ ...p.event, actor: { ...(p.event.actor as object), type: 'system' } })),
    );
    expect(stored[0]!.target.id).toBe(tokenId);
    // A drain with nothing pending appends nothing more.
    expect(await log.outbox.drain()).toBe(0);
    expect(await records(sut().store, T)).toHaveLength(4);
  });

  it('a pending record appended again is a duplicate; two processes draining at once append it once', async () => {
    const T = 'outbox-race';
    const other = await openAuditLog({ store: await sut().openAnother() });
    try {
      for (let round = 0; round < 3; round++) {
        // A change written with its pending record, as a process that died before its append leaves it.
        const event = securityEvent(
          by,
          'update',
          'auditlog.retention_policy_set',
          { type: 'RetentionPolicy', id: `event/round-${round}` },
          { newValue: { stream: 'event', category: null, maxAgeDays: 10 + round } },
        );
        const p = pendingRecord(T, event, Date.now());
        const policy = { tenant: T, stream: 'event' as const, category: null, maxAgeDays: 10 + round };
        await sut().store.lifecycle.putPolicy({ ...policy, updatedMs: Date.now() }, p);
        expect(await sut().store.outbox.pending(10)).toHaveLength(1);
        const drained = await Promise.all([log.outbox.drain(), other.outbox.drain()]);
        expect(drained[0] + drained[1]).toBeGreaterThanOrEqual(1);
        expect(await sut().store.outbox.pending(10)).toEqual([]);
        // The same id with the same content once more: a duplicate, not a second entry.
        await log.recordSelfAudit(T, p.event);
        const stored = await records(sut().store, T);
        expect(stored.filter((e) => e.id === p.id)).toHaveLength(1);
        expect(stored).toHaveLength(round + 1);
      }
    } finally {
      await other.close();
    }
  });

  it('with personal data encrypted, a record appended before its process died leaves the outbox once', async () => {
    const T = 'outbox-sealed';
    const key = Buffer.alloc(32, 9).toString('base64');
    const sealed = await openAuditLog({
      store: await sut().openAnother(),
      personalData: { encrypt: true, key },
    });
    try {
      const event = securityEvent(
        by,
        'create',
        'auditlog.legal_hold_created',
        { type: 'LegalHold', id: 'hold-sealed' },
        { newValue: { reason: 'sealed' } },
      );
      const p = pendingRecord(T, event, Date.now());
      const policy = { tenant: T, stream: 'event' as const, category: null, maxAgeDays: 7 };
      await sut().store.lifecycle.putPolicy({ ...policy, updatedMs: Date.now() }, p);
      // Appended, then the process died before removing it: appended again, its actor is sealed anew (another
      // IV), so the store answers a conflict, which is the record already there.
      await sealed.recordSelfAudit(T, p.event);
      expect(await sealed.outbox.drain()).toBe(1);
      expect(await sut().store.outbox.pending(10)).toEqual([]);
      const stored = await records(sut().store, T);
      expect(stored.map((e) => e.id)).toEqual([p.id]);
    } finally {
      await sealed.close();
    }
  });
});
