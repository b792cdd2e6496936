// A purge run cut short between two steps (a fault injected into the store's step) leaves signed records
// without an `auditlog.purge` event; the next run appends it, exactly once, also when two nodes do it at once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatEvent } from '../../src/core/domain/format-event.js';
import type { SignedPurge } from '../../src/core/domain/purge-record.js';
import type { PurgeStep } from '../../src/core/ports/lifecycle-repository.js';
import type { Store } from '../../src/core/ports/store.js';
import type { ActingParty } from '../../src/core/services/access-control.js';
import { type AuditLog, openAuditLog } from '../../src/core/services/audit-log.js';
import { recordPurgeRun } from '../../src/core/services/purge-events.js';
import { verifyStore } from '../../src/core/services/verify-store.js';
import { DAY } from './entries.js';
import { storePerFile } from './store-under-test.js';

const sut = storePerFile();
const by: ActingParty = { actor: { id: 'cli:ops', username: 'ops', type: 'system' } };
let log: AuditLog;

beforeAll(async () => {
  log = await openAuditLog({ store: sut().store });
});
afterAll(async () => {
  await log?.close();
});

async function seed(tenant: string, count: number): Promise<void> {
  const occurredAt = new Date(Date.now() - 730 * DAY).toISOString();
  const events = Array.from({ length: count }, (_, i) => ({
    id: `old-${i}`,
    occurredAt,
    actor: { id: 'u-1' },
    action: 'update',
    category: 'bulk',
    target: { type: 'LeadList', id: `list-${i}` },
  }));
  await log.appendEvents(tenant, { events });
  await log.lifecycle.setPolicy(tenant, { category: 'bulk', maxAgeDays: 365 }, by);
}

/** The store's purge step fails from the `failAt`-th call on, as if the process died before it. */
async function withDyingStep<T>(store: Store, failAt: number, fn: () => Promise<T>): Promise<T> {
  const lifecycle = store.lifecycle;
  const step = lifecycle.purge;
  let calls = 0;
  lifecycle.purge = (s: PurgeStep) => {
    calls++;
    return calls >= failAt ? Promise.reject(new Error('killed between steps')) : step.call(lifecycle, s);
  };
  try {
    return await fn();
  } finally {
    lifecycle.purge = step;
  }
}

async function purgeEvents(tenant: string) {
  const rows = await sut().store.listEvents(
    tenant,
    { eventTypes: ['auditlog.purge'] },
    { order: 'asc', limit: 100 },
  );
  return rows.map(
    (r) => formatEvent(r).newValue as { purgeIds: string[]; entries: number; recovered?: true },
  );
}

/** Every record of the tenant is listed by exactly one purge event. */
async function expectEachRecordOnce(tenant: string): Promise<void> {
  const records = (await sut().store.lifecycle.listPurges(tenant)).map((r) => r.purgeId).sort();
  const listed = (await purgeEvents(tenant)).flatMap((e) => e.purgeIds).sort();
  expect(listed).toEqual(records);
}

describe('a purge run cut short', () => {
  it('leaves no event; the next run appends one for the steps it completed, and its own', async () => {
    const T = 'cut-short';
    await seed(T, 6);
    await expect(
      withDyingStep(sut().store, 2, () => log.lifecycle.purge({ tenant: T, by, stepSize: 2 })),
    ).rejects.toThrow('killed between steps');
    expect(await sut().store.lifecycle.listPurges(T)).toHaveLength(1);
    expect(await purgeEvents(T)).toEqual([]);

    const report = await log.lifecycle.purge({ tenant: T, by, stepSize: 2 });
    expect(report.recoveredRuns).toBe(1);
    expect(report.purged).toBe(4);
    const events = await purgeEvents(T);
    expect(events.map((e) => [e.entries, e.purgeIds.length, e.recovered ?? false])).toEqual([
      [2, 1, true],
      [4, 2, false],
    ]);
    await expectEachRecordOnce(T);

    const again = await log.lifecycle.purge({ tenant: T, by });
    expect(again.recoveredRuns).toBe(0);
    expect(await purgeEvents(T)).toHaveLength(2);
    expect((await verifyStore(sut().store, { tenant: T })).problems).toEqual([]);
  });

  it('is recorded exactly once when two nodes start their next runs at the same time', async () => {
    const T = 'two-nodes';
    await seed(T, 6);
    await expect(
      withDyingStep(sut().store, 3, () => log.lifecycle.purge({ tenant: T, by, stepSize: 2 })),
    ).rejects.toThrow('killed between steps');
    const other = await openAuditLog({ store: await sut().openAnother() });
    try {
      const reports = await Promise.all([
        log.lifecycle.purge({ tenant: T, by, stepSize: 2 }),
        other.lifecycle.purge({ tenant: T, by, stepSize: 2 }),
      ]);
      expect(reports.reduce((n, r) => n + r.purged, 0)).toBe(2);
    } finally {
      await other.close();
    }
    await expectEachRecordOnce(T);
    expect((await purgeEvents(T)).filter((e) => e.recovered)).toHaveLength(1);
  });

  it("a tenant's purge records only that tenant's runs cut short", async () => {
    const [A, B] = ['tenant-a', 'tenant-b'];
    await seed(A, 2);
    await seed(B, 2);
    await expect(
      withDyingStep(sut().store, 2, () => log.lifecycle.purge({ by, stepSize: 1 })),
    ).rejects.toThrow('killed between steps');
    const cut = (await sut().store.lifecycle.unrecordedPurges()).map((u) => u.record.tenant);
    expect(cut.filter((t) => t === A || t === B)).toHaveLength(1);
    const [first, other] = cut.includes(A) ? [A, B] : [B, A];
    expect((await log.lifecycle.purge({ tenant: other, by })).recoveredRuns).toBe(0);
    expect(await purgeEvents(first)).toEqual([]);
    expect((await log.lifecycle.purge({ tenant: first, by })).recoveredRuns).toBe(1);
    await expectEachRecordOnce(first);
    await expectEachRecordOnce(other);
  });

  it('a run and a recovery sharing its records list each in one event', async () => {
    const T = 'shared-run';
    await seed(T, 1);
    const records: SignedPurge[] = [1, 2, 3].map((n) =>
      log.checkpoints.signPurge({
        tenant: T,
        purgeId: `01TESTRUN000000000000000${n}`,
        stream: 'event',
        count: 1,
        firstSeq: n,
        lastSeq: n,
        seqsDigest: '',
        anchorSeq: 0,
        anchorHash: '',
      }),
    );
    const deps = {
      store: sut().store,
      record: (t: string, e: Record<string, unknown>) => log.recordSelfAudit(t, e),
    };
    const facts = (recovered: boolean) => ({ held: 0, anchor: null, recovered });
    // The recovery saw only the first record committed; the run has all three.
    await Promise.all([
      recordPurgeRun(deps, T, by, records.slice(0, 1), facts(true)),
      recordPurgeRun(deps, T, by, records, facts(false)),
    ]);
    const listed = (await purgeEvents(T)).flatMap((e) => e.purgeIds).sort();
    expect(listed).toEqual(records.map((r) => r.purgeId));
  });
});
