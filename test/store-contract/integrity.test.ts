// What verification reads: tenants, chain heads, hashes by seq, the merged chain of both streams, checkpoints and
// public keys; and the store-wide settings (first writer wins) and the kept signing key.
import { beforeAll, describe, expect, it } from 'vitest';
import type { PreparedEntry } from '../../src/core/domain/entry.js';
import type { ChainRow } from '../../src/core/domain/rows.js';
import {
  checkpointSignatureValid,
  generateSigningKey,
  type SignedCheckpoint,
  signCheckpoint,
} from '../../src/core/domain/signing.js';
import {
  append,
  ev,
  expectWholeChain,
  idOf,
  prepareAuth,
  prepareEventBatch,
  type Stored,
  wholeChain,
} from './entries.js';
import { storePerFile } from './store-under-test.js';

const sut = storePerFile();
const store = () => sut().store;

const A = 'chain-a';
const B = 'chain-b';
const appended = new Map<string, Stored[]>();

/** A mix of both streams in batches of several sizes. */
function mixedBatches(tenant: string, n: number): PreparedEntry[][] {
  const batches: PreparedEntry[][] = [];
  let k = 0;
  for (let b = 0; k < n; b++) {
    const size = Math.min([1, 4, 9, 2, 13][b % 5]!, n - k);
    const batch: PreparedEntry[] =
      b % 3 === 2
        ? Array.from({ length: size }, (_, i) =>
            prepareAuth({
              id: `${tenant}-auth-${k + i}`,
              type: i % 2 ? 'login_failure' : 'logout',
              user: { username: 'someone' },
              ...(i % 2 ? { reason: 'bad_password' } : { sessionId: `${tenant}-s${k + i}` }),
              ip: '192.0.2.50',
            }),
          )
        : prepareEventBatch(
            tenant,
            Array.from({ length: size }, (_, i) => ev({ id: `${tenant}-event-${k + i}` })),
          );
    batches.push(batch);
    k += size;
  }
  return batches;
}

beforeAll(async () => {
  for (const [t, n] of [
    [A, 101],
    [B, 37],
  ] as const) {
    const stored: Stored[] = [];
    for (const batch of mixedBatches(t, n)) stored.push(...(await append(store(), t, batch)));
    appended.set(t, stored);
  }
});

describe('chain reads', () => {
  it('tenants() lists every tenant with entries (and, below, with only checkpoints)', async () => {
    expect((await store().tenants()).sort()).toEqual([A, B]);
  });

  it('chainHead is the newest link; an unknown tenant has none', async () => {
    for (const t of [A, B]) {
      const chain = await wholeChain(store(), t);
      expect(await store().chainHead(t)).toEqual({ seq: chain.length, hash: chain.at(-1)!.hash });
    }
    const unknown = await store().chainHead('no-such-tenant');
    expect(unknown === undefined || unknown.seq === 0, JSON.stringify(unknown)).toBe(true);
  });

  it('scanChain merges both streams in seq order: the whole chain, each entry as appended', async () => {
    for (const t of [A, B]) {
      const stored = appended.get(t)!;
      const chain = await store().scanChain(t, 0, 10_000);
      expectWholeChain(t, chain);
      expect(chain).toHaveLength(stored.length);
      const streams = new Set(chain.map((r) => r.stream));
      expect(streams).toEqual(new Set(['event', 'auth']));
      for (const [i, row] of chain.entries()) {
        const s = stored[i]!;
        expect(row.seq).toBe(s.seq);
        expect(row.stream).toBe(s.entry.stream);
        expect(row.body).toBe(s.entry.body);
        expect(row.receivedMs).toBe(s.entry.receivedMs);
      }
    }
  });

  it('scanChain with small limits pages through every entry exactly once', async () => {
    const whole = await store().scanChain(A, 0, 10_000);
    for (const limit of [1, 2, 7, 13, 100, 101, 102]) {
      const rows: ChainRow[] = [];
      for (let guard = 0; guard < 1000; guard++) {
        const page = await store().scanChain(A, rows.at(-1)?.seq ?? 0, limit);
        rows.push(...page);
        if (page.length === 0) break;
      }
      expect(rows, `limit ${limit}`).toEqual(whole);
    }
  });

  it('scanChain answers at most `limit` rows, the first ones after afterSeq', async () => {
    const whole = await store().scanChain(A, 0, 10_000);
    for (const limit of [1, 2, 5, 7, 13]) {
      for (const after of [0, 1, 5, 14, 50, 95]) {
        const got = (await store().scanChain(A, after, limit)).map((r) => r.seq);
        const want = whole
          .filter((r) => r.seq > after)
          .slice(0, limit)
          .map((r) => r.seq);
        expect(got, `scanChain(${A}, ${after}, ${limit})`).toEqual(want);
      }
    }
  });

  it('chainLinks answers the links of the very rows scanChain answers, for any range', async () => {
    for (const t of [A, B]) {
      for (const [after, limit] of [
        [0, 10_000],
        [0, 1],
        [3, 7],
        [14, 13],
        [50, 100],
        [95, 2],
        [101, 10],
      ]) {
        const rows = await store().scanChain(t, after!, limit!);
        const links = await store().chainLinks(t, after!, limit!);
        expect(links, `${t} (${after}, ${limit})`).toEqual(
          rows.map((r) => ({ seq: r.seq, prevHash: r.prevHash, hash: r.hash })),
        );
      }
    }
    expect(await store().chainLinks('no-such-tenant', 0, 10)).toEqual([]);
  });

  it('scanChain answers nothing past the head, nor for an unknown tenant', async () => {
    expect(await store().scanChain(A, 101, 10)).toEqual([]);
    expect(await store().scanChain(A, 5000, 10)).toEqual([]);
    expect(await store().scanChain('no-such-tenant', 0, 10)).toEqual([]);
  });

  it('entryHashAt answers the hash at any seq of either stream, and nothing elsewhere', async () => {
    for (const t of [A, B]) {
      const chain = await wholeChain(store(), t);
      for (const row of chain)
        expect(await store().entryHashAt(t, row.seq), `${t} ${row.seq}`).toBe(row.hash);
      expect(await store().entryHashAt(t, chain.length + 1)).toBeUndefined();
    }
    expect(await store().entryHashAt('no-such-tenant', 1)).toBeUndefined();
    // Seq 2 of B is not seq 2 of A.
    expect(await store().entryHashAt(B, 2)).not.toBe(await store().entryHashAt(A, 2));
  });

  it('the chain and head move on with every append, both streams', async () => {
    const t = 'chain-growing';
    for (let i = 0; i < 6; i++) {
      const entries: PreparedEntry[] =
        i % 2
          ? [prepareAuth({ type: 'logout', user: { username: 'x' }, sessionId: `g${i}`, ip: '192.0.2.1' })]
          : prepareEventBatch(t, [ev(), ev()]);
      const answer = await store().append({ tenant: t, entries });
      const head = await store().chainHead(t);
      expect(head?.seq).toBe(answer.at(-1)!.seq);
      expect(head?.hash).toBe(await store().entryHashAt(t, head!.seq));
      const chain = await wholeChain(store(), t, 3);
      expectWholeChain(t, chain);
      expect(chain.at(-1)!.hash).toBe(head!.hash);
      expect(idOf(chain.at(-1)!.body)).toBe(entries.at(-1)!.id);
    }
  });
});

describe('checkpoints and public keys', () => {
  const { key } = generateSigningKey();
  const second = generateSigningKey().key;
  const checkpointAt = async (t: string, seq: number, k = key, signedAt = '2026-01-01T00:00:00.000Z') =>
    signCheckpoint(k, { tenant: t, seq, hash: (await store().entryHashAt(t, seq))!, signedAt });

  it('putCheckpoint stores, latestCheckpoint answers the highest seq, exactly as put', async () => {
    expect(await store().latestCheckpoint(A)).toBeUndefined();
    const c10 = await checkpointAt(A, 10);
    const c50 = await checkpointAt(A, 50);
    const c30 = await checkpointAt(A, 30, second);
    await store().putCheckpoint(c10);
    expect(await store().latestCheckpoint(A)).toEqual(c10);
    await store().putCheckpoint(c50);
    await store().putCheckpoint(c30);
    const latest = await store().latestCheckpoint(A);
    expect(latest).toEqual(c50);
    expect(checkpointSignatureValid(latest!, key.publicKeyPem)).toBe(true);
    expect(await store().latestCheckpoint(B)).toBeUndefined();
  });

  it('a checkpoint put again is ignored', async () => {
    const c10 = await checkpointAt(A, 10);
    await store().putCheckpoint(c10);
    await store().putCheckpoint({ ...c10 });
    const at10 = (await store().listCheckpoints(A, 0, 100)).filter((c) => c.seq === 10);
    expect(at10).toEqual([c10]);
  });

  it('listCheckpoints answers seq > afterSeq in seq order, at most limit', async () => {
    for (const seq of [70, 20, 90, 40, 60]) await store().putCheckpoint(await checkpointAt(A, seq));
    const seqs = (xs: SignedCheckpoint[]) => xs.map((c) => c.seq);
    expect(seqs(await store().listCheckpoints(A, 0, 100))).toEqual([10, 20, 30, 40, 50, 60, 70, 90]);
    expect(seqs(await store().listCheckpoints(A, 30, 3))).toEqual([40, 50, 60]);
    expect(seqs(await store().listCheckpoints(A, 29, 2))).toEqual([30, 40]);
    expect(seqs(await store().listCheckpoints(A, 90, 10))).toEqual([]);
    expect(await store().listCheckpoints(B, 0, 10)).toEqual([]);
    const all = await store().listCheckpoints(A, 0, 100);
    for (const c of all) {
      expect(c.tenant).toBe(A);
      expect(c.hash).toBe(await store().entryHashAt(A, c.seq));
      const pem = c.keyId === key.keyId ? key.publicKeyPem : second.publicKeyPem;
      expect(checkpointSignatureValid(c, pem), `seq ${c.seq}`).toBe(true);
    }
    expect((await store().latestCheckpoint(A))?.seq).toBe(90);
  });

  it('a tenant with only a checkpoint is one of tenants()', async () => {
    const lonely = signCheckpoint(key, {
      tenant: 'only-checkpoints',
      seq: 1,
      hash: 'ab'.repeat(32),
      signedAt: '2026-01-01T00:00:00.000Z',
    });
    await store().putCheckpoint(lonely);
    expect(await store().tenants()).toContain('only-checkpoints');
    expect(await store().latestCheckpoint('only-checkpoints')).toEqual(lonely);
  });

  it('publicKeys lists every key put, once each', async () => {
    expect(await store().publicKeys()).toEqual([]);
    await store().putPublicKey(key.keyId, key.publicKeyPem);
    await store().putPublicKey(second.keyId, second.publicKeyPem);
    await store().putPublicKey(key.keyId, key.publicKeyPem);
    const keys = await store().publicKeys();
    expect(keys.map((k) => [k.keyId, k.publicKeyPem]).sort()).toEqual(
      [
        [key.keyId, key.publicKeyPem],
        [second.keyId, second.publicKeyPem],
      ].sort(),
    );
    for (const k of keys) expect(Number.isSafeInteger(k.createdMs) && k.createdMs > 0).toBe(true);
  });
});

describe('settings and the signing key', () => {
  it('putMetaIfAbsent: the first writer wins, also among concurrent writers', async () => {
    expect(await store().getMeta('m-1')).toBeUndefined();
    expect(await store().putMetaIfAbsent('m-1', 'one')).toBe('one');
    expect(await store().putMetaIfAbsent('m-1', 'two')).toBe('one');
    expect(await store().getMeta('m-1')).toBe('one');
    const answers = await Promise.all(
      Array.from({ length: 12 }, (_, i) => store().putMetaIfAbsent('m-race', `value-${i}`)),
    );
    const stored = await store().getMeta('m-race');
    expect(stored).toMatch(/^value-\d+$/);
    expect(new Set(answers)).toEqual(new Set([stored]));
    // Values are kept as given, keys are exact.
    const odd = 'line\nbreak ü "quoted" \\ % _ \u{1F600}';
    expect(await store().putMetaIfAbsent('M-1', odd)).toBe(odd);
    expect(await store().getMeta('M-1')).toBe(odd);
    expect(await store().getMeta('m-1')).toBe('one');
  });

  it('saveSigningKey keeps the first key; loadSigningKey answers it', async () => {
    const first = generateSigningKey().privatePem;
    const later = generateSigningKey().privatePem;
    expect(await store().loadSigningKey()).toBeUndefined();
    expect(await store().saveSigningKey(first)).toBe(first);
    expect(await store().saveSigningKey(later)).toBe(first);
    expect(await store().loadSigningKey()).toBe(first);
  });
});
