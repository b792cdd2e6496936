// Store.destinations: create/get/list per tenant, update (a progress change bumps the generation), delete,
// recordProgress only for the lease owner and the current generation, the lease itself (one owner at a time,
// renewal, expiry, release), and that all of it survives a reopen.
import { describe, expect, it } from 'vitest';
import { type DestinationRecord, NO_PROGRESS } from '../../src/core/domain/destination.js';
import { storePerFile } from './store-under-test.js';

const sut = storePerFile();
const repo = () => sut().store.destinations;

const destination = (id: string, extra: Partial<DestinationRecord> = {}): DestinationRecord => ({
  id,
  tenant: 'acme',
  name: `Destination ${id}`,
  kind: 'webhook',
  settings: {
    format: 'json',
    url: 'https://siem.example/hook',
    filter: { streams: ['admin'], categories: ['users'], eventTypes: [] },
    batchSize: 100,
  },
  secretBox: 'v1.sealed',
  publicKey: 'whpk_abc',
  secretFingerprint: '0123456789abcdef',
  state: 'active',
  pausedReason: null,
  createdMs: 1_767_225_600_123,
  updatedMs: 1_767_225_600_123,
  progress: { ...NO_PROGRESS, cursorSeq: 7 },
  generation: 0,
  ...extra,
});

describe('destinations', () => {
  it('create stores every field exactly; get finds it only in its tenant', async () => {
    const d = destination('d-exact', {
      kind: 'syslog',
      settings: { format: 'cef', host: 'siem.example', port: 6514, tls: true, filter: {}, batchSize: 5 },
      secretBox: null,
      publicKey: null,
      secretFingerprint: null,
      progress: {
        cursorSeq: 3,
        deliveredMs: 1_767_225_600_999,
        lastError: 'boom',
        failures: 2,
        nextAttemptMs: 42,
      },
    });
    await repo().create(d);
    expect(await repo().get('acme', 'd-exact')).toEqual(d);
    expect(await repo().get('other', 'd-exact')).toBeUndefined();
    expect(await repo().get('acme', 'nope')).toBeUndefined();
  });

  it('lists a tenant in creation order, or every tenant', async () => {
    await repo().create(destination('d-list-2', { tenant: 'list', createdMs: 2 }));
    await repo().create(destination('d-list-1', { tenant: 'list', createdMs: 1 }));
    await repo().create(destination('d-list-other', { tenant: 'list-other', createdMs: 1 }));
    expect((await repo().list('list')).map((d) => d.id)).toEqual(['d-list-1', 'd-list-2']);
    const all = (await repo().list()).map((d) => d.id);
    expect(all).toEqual(expect.arrayContaining(['d-list-1', 'd-list-2', 'd-list-other', 'd-exact']));
  });

  it('update changes what the patch names; a progress change bumps the generation', async () => {
    await repo().create(destination('d-upd'));
    const renamed = await repo().update('acme', 'd-upd', {
      name: 'SIEM',
      state: 'paused',
      pausedReason: 'x',
      updatedMs: 5,
    });
    expect(renamed).toMatchObject({
      name: 'SIEM',
      state: 'paused',
      pausedReason: 'x',
      updatedMs: 5,
      generation: 0,
    });
    expect(renamed?.progress.cursorSeq).toBe(7);
    const replayed = await repo().update('acme', 'd-upd', {
      progress: { ...NO_PROGRESS, cursorSeq: 1 },
      updatedMs: 6,
    });
    expect(replayed).toMatchObject({ generation: 1, progress: { cursorSeq: 1 } });
    expect(await repo().update('other', 'd-upd', { name: 'no', updatedMs: 7 })).toBeUndefined();
    const rotated = await repo().update('acme', 'd-upd', {
      secrets: { secretBox: 'v1.resealed', publicKey: 'whpk_new', secretFingerprint: 'fedcba9876543210' },
      updatedMs: 8,
    });
    expect(rotated).toMatchObject({
      secretBox: 'v1.resealed',
      publicKey: 'whpk_new',
      secretFingerprint: 'fedcba9876543210',
      generation: 1,
      progress: { cursorSeq: 1 },
    });
    expect((await repo().get('acme', 'd-upd'))?.name).toBe('SIEM');
  });

  it('one owner holds a lease at a time; it renews, expires and is released', async () => {
    await repo().create(destination('d-lease'));
    expect(await repo().acquireLease('d-lease', 'node-a', 1000, 5000)).toBe(true);
    expect(await repo().acquireLease('d-lease', 'node-b', 2000, 5000)).toBe(false);
    expect(await repo().acquireLease('d-lease', 'node-a', 4000, 5000)).toBe(true); // renewed until 9000
    expect(await repo().acquireLease('d-lease', 'node-b', 8999, 5000)).toBe(false);
    expect(await repo().acquireLease('d-lease', 'node-b', 9001, 5000)).toBe(true); // expired: taken over
    expect(await repo().acquireLease('d-lease', 'node-a', 9002, 5000)).toBe(false);
    await repo().releaseLease('d-lease', 'node-a'); // not the owner: nothing changes
    expect(await repo().acquireLease('d-lease', 'node-a', 9003, 5000)).toBe(false);
    await repo().releaseLease('d-lease', 'node-b');
    expect(await repo().acquireLease('d-lease', 'node-a', 9004, 5000)).toBe(true);
  });

  it('competing nodes never both get a free lease', async () => {
    await repo().create(destination('d-race'));
    const other = await sut().openAnother();
    try {
      const results = await Promise.all([
        repo().acquireLease('d-race', 'node-a', 1000, 5000),
        other.destinations.acquireLease('d-race', 'node-b', 1000, 5000),
      ]);
      expect(results.filter(Boolean)).toHaveLength(1);
    } finally {
      await other.close();
    }
  });

  it('records progress only for the lease owner and the current generation; can pause', async () => {
    await repo().create(destination('d-prog'));
    const progress = { cursorSeq: 20, deliveredMs: 123, lastError: null, failures: 0, nextAttemptMs: 0 };
    expect(await repo().recordProgress('d-prog', { owner: 'node-a', generation: 0 }, progress)).toBe(false);
    await repo().acquireLease('d-prog', 'node-a', 1000, 5000);
    expect(await repo().recordProgress('d-prog', { owner: 'node-a', generation: 1 }, progress)).toBe(false);
    expect(await repo().recordProgress('d-prog', { owner: 'node-a', generation: 0 }, progress)).toBe(true);
    expect((await repo().get('acme', 'd-prog'))?.progress).toEqual(progress);
    const failing = { ...progress, lastError: 'HTTP 500', failures: 3, nextAttemptMs: 99 };
    expect(
      await repo().recordProgress('d-prog', { owner: 'node-a', generation: 0 }, failing, 'kept failing'),
    ).toBe(true);
    expect(await repo().get('acme', 'd-prog')).toMatchObject({
      state: 'paused',
      pausedReason: 'kept failing',
      progress: failing,
    });
    // Paused by an administrator meanwhile: a failing batch in flight does not pause it again.
    await repo().update('acme', 'd-prog', { state: 'paused', pausedReason: 'by an admin', updatedMs: 9 });
    expect(
      await repo().recordProgress('d-prog', { owner: 'node-a', generation: 0 }, failing, 'kept failing'),
    ).toBe(false);
    expect((await repo().get('acme', 'd-prog'))?.pausedReason).toBe('by an admin');
  });

  it('delete removes it from its tenant only; everything survives a reopen', async () => {
    await repo().create(destination('d-del'));
    expect(await repo().delete('other', 'd-del')).toBe(false);
    expect(await repo().delete('acme', 'd-del')).toBe(true);
    expect(await repo().delete('acme', 'd-del')).toBe(false);
    const before = await repo().list();
    await sut().reopen();
    expect(await repo().list()).toEqual(before);
  });
});
