// Data lifecycle in a store: retention policies, legal holds, purge candidates, and a purge step — tombstones
// in the chain's place, the rows gone from every read, all or nothing — plus the signed records it keeps.
import { beforeAll, describe, expect, it } from 'vitest';
import { entryDigest } from '../../src/core/domain/hash-chain.js';
import { seqsDigest, signPurge } from '../../src/core/domain/purge-record.js';
import type { LegalHold } from '../../src/core/domain/retention.js';
import { generateSigningKey } from '../../src/core/domain/signing.js';
import type { PurgeStep } from '../../src/core/ports/lifecycle-repository.js';
import {
  append,
  BASE_MS,
  DAY,
  ev,
  expectAuditError,
  iso,
  prepareAuth,
  prepareEventBatch,
  type Stored,
  wholeChain,
} from './entries.js';
import { storePerFile } from './store-under-test.js';

const sut = storePerFile();
const store = () => sut().store;
const key = generateSigningKey().key;

function step(tenant: string, stream: 'event' | 'auth', seqs: number[]): PurgeStep {
  const record = signPurge(key, {
    tenant,
    purgeId: `purge-${tenant}-${seqs[0]}`,
    stream,
    count: seqs.length,
    firstSeq: seqs[0]!,
    lastSeq: seqs[seqs.length - 1]!,
    seqsDigest: seqsDigest(seqs),
    anchorSeq: 0,
    anchorHash: '',
    signedAt: iso(Date.now()),
  });
  return { tenant, stream, seqs, record, run: { runId: 'run-1', step: seqs[0]! } };
}

describe('retention policies', () => {
  it('are created, replaced, listed per tenant in (stream, category) order and deleted', async () => {
    const l = store().lifecycle;
    await l.putPolicy({ tenant: 'pol-a', stream: 'event', category: 'bulk', maxAgeDays: 365, updatedMs: 1 });
    await l.putPolicy({ tenant: 'pol-a', stream: 'event', category: null, maxAgeDays: 2555, updatedMs: 2 });
    await l.putPolicy({ tenant: 'pol-a', stream: 'auth', category: null, maxAgeDays: 90, updatedMs: 3 });
    await l.putPolicy({ tenant: 'pol-b', stream: 'event', category: null, maxAgeDays: 30, updatedMs: 4 });
    await l.putPolicy({ tenant: 'pol-a', stream: 'event', category: 'bulk', maxAgeDays: 400, updatedMs: 5 });
    expect(await l.listPolicies('pol-a')).toEqual([
      { tenant: 'pol-a', stream: 'event', category: null, maxAgeDays: 2555, updatedMs: 2 },
      { tenant: 'pol-a', stream: 'event', category: 'bulk', maxAgeDays: 400, updatedMs: 5 },
      { tenant: 'pol-a', stream: 'auth', category: null, maxAgeDays: 90, updatedMs: 3 },
    ]);
    expect((await l.listPolicies()).map((p) => p.tenant)).toEqual(['pol-a', 'pol-a', 'pol-a', 'pol-b']);
    expect(await l.deletePolicy('pol-a', 'event', 'bulk')).toBe(true);
    expect(await l.deletePolicy('pol-a', 'event', 'bulk')).toBe(false);
    expect(await l.deletePolicy('pol-b', 'auth', null)).toBe(false);
    expect((await l.listPolicies('pol-a')).map((p) => p.category)).toEqual([null, null]);
  });
});

describe('legal holds', () => {
  const hold = (id: string, createdMs: number): LegalHold => ({
    id,
    tenant: 'hold-a',
    reason: `case ${id}`,
    actorId: 'u-1',
    targetType: null,
    targetId: null,
    category: 'billing',
    fromMs: BASE_MS,
    toMs: BASE_MS + DAY,
    createdMs,
    createdBy: 'token:admin',
    releasedMs: null,
    releasedBy: null,
  });

  it('are stored as given, listed newest first, and released once', async () => {
    const l = store().lifecycle;
    await l.putHold(hold('h1', 10));
    await l.putHold(hold('h2', 20));
    await l.putHold({ ...hold('h3', 30), tenant: 'hold-b' });
    expect(await l.getHold('hold-a', 'h1')).toEqual(hold('h1', 10));
    expect(await l.getHold('hold-b', 'h1')).toBeUndefined();
    expect((await l.listHolds('hold-a', false)).map((h) => h.id)).toEqual(['h2', 'h1']);
    expect(await l.releaseHold('hold-a', 'h1', 99, 'cli:ops')).toBe(true);
    expect(await l.releaseHold('hold-a', 'h1', 100, 'cli:ops')).toBe(false);
    expect(await l.releaseHold('hold-b', 'h2', 100, 'cli:ops')).toBe(false);
    expect((await l.listHolds('hold-a', false)).map((h) => h.id)).toEqual(['h2']);
    const all = await l.listHolds('hold-a', true);
    expect(all.map((h) => [h.id, h.releasedMs, h.releasedBy])).toEqual([
      ['h2', null, null],
      ['h1', 99, 'cli:ops'],
    ]);
  });
});

describe('purge candidates and steps', () => {
  const T = 'purge-a';
  let stored: Stored[];

  beforeAll(async () => {
    const at = (d: number) => iso(BASE_MS + d * DAY);
    stored = [
      ...(await append(
        store(),
        T,
        prepareEventBatch(T, [
          ev({ id: 'e1', category: 'bulk', occurredAt: at(0), actor: { id: 'u-1', username: 'ann' } }),
          ev({ id: 'e2', category: 'security', occurredAt: at(1) }),
          ev({ id: 'e3', category: 'bulk', occurredAt: at(2), target: { type: 'LeadList', id: 'l-9' } }),
        ]),
      )),
      ...(await append(store(), T, [
        prepareAuth({
          id: 'a1',
          type: 'login_failure',
          occurredAt: at(3),
          user: { id: 'u-2', username: 'bob' },
          ip: '192.0.2.1',
          reason: 'bad_password',
        }),
      ])),
      ...(await append(
        store(),
        T,
        prepareEventBatch(T, [ev({ id: 'e4', category: 'bulk', occurredAt: at(40) })]),
      )),
    ];
  });

  it('select one stream before a time, by category or all but some, in (occurredAt, seq) order after a keyset', async () => {
    const l = store().lifecycle;
    const before = BASE_MS + 10 * DAY;
    const bulk = await l.purgeCandidates(
      T,
      { stream: 'event', beforeMs: before, categories: ['bulk'] },
      null,
      10,
    );
    expect(bulk).toEqual([
      {
        seq: 1,
        occurredMs: BASE_MS,
        actorId: 'u-1',
        username: 'ann',
        targetType: 'Setting',
        targetId: 'setting-1',
        category: 'bulk',
      },
      {
        seq: 3,
        occurredMs: BASE_MS + 2 * DAY,
        actorId: 'u-default',
        username: 'default.user',
        targetType: 'LeadList',
        targetId: 'l-9',
        category: 'bulk',
      },
    ]);
    const rest = await l.purgeCandidates(
      T,
      { stream: 'event', beforeMs: before, excludeCategories: ['bulk'] },
      null,
      10,
    );
    expect(rest.map((c) => c.seq)).toEqual([2]);
    const page = await l.purgeCandidates(
      T,
      { stream: 'event', beforeMs: before },
      { occurredMs: BASE_MS, seq: 1 },
      1,
    );
    expect(page.map((c) => c.seq)).toEqual([2]);
    const auth = await l.purgeCandidates(T, { stream: 'auth', beforeMs: before }, null, 10);
    expect(auth).toEqual([
      {
        seq: 4,
        occurredMs: BASE_MS + 3 * DAY,
        actorId: 'u-2',
        username: 'bob',
        targetType: null,
        targetId: null,
        category: null,
      },
    ]);
    expect(await l.purgeCandidates('nobody', { stream: 'event', beforeMs: before }, null, 10)).toEqual([]);
  });

  it('a step that names an entry that is not live stores nothing', async () => {
    const l = store().lifecycle;
    await expectAuditError(l.purge(step(T, 'event', [1, 4])), 'idempotency_conflict');
    await expectAuditError(l.purge(step(T, 'event', [1, 99])), 'idempotency_conflict');
    expect(await store().getEvent(T, 'e1')).toBeDefined();
    expect(await l.listPurges(T)).toEqual([]);
    expect((await wholeChain(store(), T)).every((r) => r.digest === undefined)).toBe(true);
  });

  it('turns entries into tombstones that keep the chain, and removes them from every read', async () => {
    const l = store().lifecycle;
    const before = await wholeChain(store(), T);
    const s1 = step(T, 'event', [1, 3]);
    const s2 = step(T, 'auth', [4]);
    await l.purge(s1);
    await l.purge(s2);
    // Each record waits for its audit event until marked recorded.
    const unrecorded = async () =>
      (await l.unrecordedPurges()).filter((u) => u.record.tenant === T).map((u) => u.record.purgeId);
    expect(await unrecorded()).toEqual([s1.record.purgeId, s2.record.purgeId]);
    await l.markPurgesRecorded(T, [s1.record.purgeId]);
    expect(await unrecorded()).toEqual([s2.record.purgeId]);
    const after = await wholeChain(store(), T);
    expect(after.map((r) => [r.seq, r.stream, r.id, r.prevHash, r.hash, r.receivedMs])).toEqual(
      before.map((r) => [r.seq, r.stream, r.id, r.prevHash, r.hash, r.receivedMs]),
    );
    for (const seq of [1, 3, 4]) {
      const was = before[seq - 1]!;
      const now = after[seq - 1]!;
      expect(now.body).toBe('');
      expect(now.digest).toBe(entryDigest(was.stream, iso(was.receivedMs), was.body));
      expect(now.purgeId).toBe(seq === 4 ? s2.record.purgeId : s1.record.purgeId);
      expect(await store().entryHashAt(T, seq)).toBe(was.hash);
    }
    expect(after[1]).toEqual(before[1]);
    expect(await store().getEvent(T, 'e1')).toBeUndefined();
    expect(await store().getEvent(T, 'e2')).toBeDefined();
    const listed = await store().listEvents(T, {}, { order: 'asc', orderBy: 'seq', limit: 10 });
    expect(listed.map((r) => r.seq)).toEqual([2, 5]);
    expect(await store().listAuthEvents(T, {}, { order: 'asc', limit: 10 })).toEqual([]);
    expect(await l.listPurges(T)).toEqual([s1.record, s2.record]);
    // Entries after the purge keep linking.
    const more = await append(store(), T, prepareEventBatch(T, [ev({ id: 'e5' })]));
    expect(more[0]!.seq).toBe(stored.length + 1);
    expect((await wholeChain(store(), T)).at(-1)!.prevHash).toBe(after.at(-1)!.hash);
  });

  it('a purged entry cannot be purged twice, and a row cannot be deleted without its tombstone', async () => {
    await expectAuditError(store().lifecycle.purge(step(T, 'event', [3])), 'idempotency_conflict');
    await expect(sut().exec("DELETE FROM events WHERE tenant = 'purge-a' AND seq = 2")).rejects.toThrow(
      /append-only/,
    );
    expect(await store().getEvent(T, 'e2')).toBeDefined();
  });
});
