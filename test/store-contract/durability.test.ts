// What durability means in one process: everything acknowledged survives close() and a reopen; close() lets
// in-flight appends finish; flush() resolves only after every append submitted before it has its outcome.
import { describe, expect, it } from 'vitest';
import type { AppendedEntry } from '../../src/core/domain/entry.js';
import { generateSigningKey, signCheckpoint } from '../../src/core/domain/signing.js';
import {
  append,
  ev,
  expectRowOf,
  expectWholeChain,
  idOf,
  prepareAuth,
  prepareEvent,
  prepareEventBatch,
  type Stored,
  wholeChain,
} from './entries.js';
import { openStoreUnderTest } from './store-under-test.js';

const idsOf = (rows: { body: string }[]) => rows.map((r) => idOf(r.body));

describe('durability', () => {
  it('after close() and a reopen every acknowledged entry, setting, key, checkpoint and token is there', async () => {
    const sut = await openStoreUnderTest();
    try {
      const store = sut.store;
      const stored: Stored[] = [];
      for (const t of ['dur-a', 'dur-b']) {
        stored.push(
          ...(await append(store, t, prepareEventBatch(t, [ev({ id: `${t}-1` }), ev({ id: `${t}-2` })]))),
        );
        stored.push(
          ...(await append(store, t, [
            prepareAuth({
              id: `${t}-login`,
              type: 'login_success',
              user: { id: 'u', username: 'User' },
              method: 'password',
              sessionId: `${t}-session`,
              ip: '192.0.2.10',
            }),
          ])),
        );
      }
      expect(await store.putMetaIfAbsent('dur-key', 'first')).toBe('first');
      await store.tokens.create({
        id: 'dur-token',
        tenant: 'dur-a',
        name: null,
        scopes: ['read'],
        secretHash: 'ab'.repeat(32),
        createdMs: 1_700_000_000_000,
        revokedMs: null,
        expiresMs: null,
        kind: 'api',
        parentId: null,
      });
      const chains = { a: await wholeChain(store, 'dur-a'), b: await wholeChain(store, 'dur-b') };
      const { key, privatePem } = generateSigningKey();
      expect(await store.saveSigningKey(privatePem)).toBe(privatePem);
      await store.putPublicKey(key.keyId, key.publicKeyPem);
      const checkpoint = signCheckpoint(key, {
        tenant: 'dur-b',
        seq: 3,
        hash: chains.b[2]!.hash,
        signedAt: new Date().toISOString(),
      });
      await store.putCheckpoint(checkpoint);

      await store.close();
      await store.close(); // idempotent
      const reopened = await sut.reopen();

      expect((await reopened.tenants()).sort()).toEqual(['dur-a', 'dur-b']);
      expect(await wholeChain(reopened, 'dur-a')).toEqual(chains.a);
      expect(await wholeChain(reopened, 'dur-b')).toEqual(chains.b);
      for (const s of stored.filter((x) => x.entry.stream === 'event')) {
        expectRowOf(await reopened.getEvent(s.tenant, s.entry.id), s);
      }
      expect((await reopened.getSession('dur-a', 'dur-a-session'))?.loginMs).toBe(
        stored[2]!.entry.occurredMs,
      );
      expect(await reopened.getMeta('dur-key')).toBe('first');
      expect(await reopened.latestCheckpoint('dur-b')).toEqual(checkpoint);
      expect(await reopened.loadSigningKey()).toBe(privatePem);
      expect((await reopened.publicKeys()).map((k) => [k.keyId, k.publicKeyPem])).toEqual([
        [key.keyId, key.publicKeyPem],
      ]);
      expect(await reopened.putMetaIfAbsent('dur-key', 'second')).toBe('first');
      expect((await reopened.tokens.find('dur-token'))?.tenant).toBe('dur-a');
      // The chain goes on where it ended.
      const next = await reopened.append({ tenant: 'dur-a', entries: [prepareEvent('dur-a', ev())] });
      expect(next[0]!.seq).toBe(4);
      expectWholeChain('dur-a', await wholeChain(reopened, 'dur-a'));
    } finally {
      await sut.destroy();
    }
  });

  it('close() lets the appends in flight finish: each is acknowledged and found after a reopen', async () => {
    const sut = await openStoreUnderTest();
    try {
      const t = 'dur-inflight';
      const entries = Array.from({ length: 60 }, (_, i) => prepareEvent(t, ev({ id: `inflight-${i}` })));
      const pending = entries.map((e) => sut.store.append({ tenant: t, entries: [e] }));
      const closing = sut.store.close();
      const outcomes = await Promise.allSettled(pending);
      await closing;
      const store = await sut.reopen();
      const acknowledged = outcomes.flatMap((o, i) =>
        o.status === 'fulfilled' ? [[i, o.value[0]!]] : [],
      ) as [number, AppendedEntry][];
      // An append submitted before close() is one of the "in-flight appends" close() finishes.
      expect(acknowledged).toHaveLength(entries.length);
      const chain = await wholeChain(store, t);
      expectWholeChain(t, chain);
      const seqById = new Map(chain.map((r) => [idOf(r.body), r.seq]));
      for (const [i, a] of acknowledged) expect(seqById.get(entries[i]!.id), entries[i]!.id).toBe(a.seq);
      expect(chain).toHaveLength(acknowledged.length);
    } finally {
      await sut.destroy();
    }
  });

  it('flush() resolves after every append submitted before it has its outcome', async () => {
    const sut = await openStoreUnderTest();
    try {
      const store = sut.store;
      const t = 'dur-flush';
      await append(store, t, [prepareEvent(t, ev({ id: 'exists', action: 'create' }))]);
      let settled = 0;
      const pending: Promise<unknown>[] = [];
      for (let i = 0; i < 40; i++) {
        const entries =
          i % 10 === 9
            ? [prepareEvent(t, ev({ id: 'exists', action: 'delete' }))] // rejected: an outcome too
            : prepareEventBatch(
                t,
                Array.from({ length: 1 + (i % 4) }, () => ev()),
              );
        pending.push(
          store.append({ tenant: t, entries }).then(
            () => settled++,
            () => settled++,
          ),
        );
      }
      await store.flush();
      // A few microtask turns (no I/O can complete in between) for the callbacks chained on settled appends.
      for (let i = 0; i < 10; i++) await Promise.resolve();
      expect(settled).toBe(40);
      await Promise.all(pending);
      await store.flush(); // nothing pending: resolves at once
      const chain = await wholeChain(store, t);
      expectWholeChain(t, chain);
      expect(chain).toHaveLength(
        1 + [...Array(40).keys()].filter((i) => i % 10 !== 9).reduce((n, i) => n + 1 + (i % 4), 0),
      );
    } finally {
      await sut.destroy();
    }
  });

  it('keyword search finds entries from before and after a restart, in full and open chunks', async () => {
    const sut = await openStoreUnderTest();
    try {
      const t = 'dur-search';
      const batch = (from: number, n: number) =>
        prepareEventBatch(
          t,
          Array.from({ length: n }, (_, i) =>
            ev({ id: `ds-${from + i}`, reason: `word${from + i}x common` }),
          ),
        );
      for (let i = 0; i < 200; i += 50) await append(sut.store, t, batch(i, 50));
      const store = await sut.reopen();
      const find = async (word: string) =>
        idsOf(await store.listEvents(t, { terms: [word] }, { order: 'asc', limit: 1000 }));
      expect(await find('word5x')).toEqual(['ds-5']);
      expect(await find('word150x')).toEqual(['ds-150']);
      await append(store, t, batch(200, 100));
      expect(await find('word150x')).toEqual(['ds-150']);
      expect(await find('word255x')).toEqual(['ds-255']);
      expect(await find('word299x')).toEqual(['ds-299']);
      expect(await find('common')).toHaveLength(300);
    } finally {
      await sut.destroy();
    }
  });
});
