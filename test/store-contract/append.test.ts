// Store.append: all or nothing, gap-free seq per tenant over both streams, the hash chain and idempotency.
import { describe, expect, it } from 'vitest';
import type { PreparedEntry } from '../../src/core/domain/entry.js';
import {
  append,
  BASE_MS,
  ev,
  expectAnswerShape,
  expectAuditError,
  expectRowOf,
  expectWholeChain,
  idOf,
  prepareAuth,
  prepareEvent,
  prepareEventBatch,
  wholeChain,
} from './entries.js';
import { storePerFile } from './store-under-test.js';

const sut = storePerFile();
const store = () => sut().store;

const head = async (tenant: string) => (await store().chainHead(tenant))?.seq ?? 0;
describe('append: seq and the hash chain', () => {
  it('numbers a new tenant 1, 2, 3 … in batch order and answers id, seq, receivedAt, duplicate: false', async () => {
    const t = 'seq-basic';
    const now1 = Date.now();
    const first = prepareEventBatch(t, [ev({ id: 'a1' }), ev({ id: 'a2' }), ev({ id: 'a3' })], now1);
    const a = await store().append({ tenant: t, entries: first });
    expectAnswerShape(a, first);
    expect(a.map((r) => [r.id, r.seq, r.duplicate])).toEqual([
      ['a1', 1, false],
      ['a2', 2, false],
      ['a3', 3, false],
    ]);
    for (const r of a) expect(Date.parse(r.receivedAt)).toBe(now1);
    const second = prepareEventBatch(t, [ev({ id: 'a4' }), ev({ id: 'a5' })], now1 + 5);
    const b = await store().append({ tenant: t, entries: second });
    expect(b.map((r) => r.seq)).toEqual([4, 5]);
    expect(await store().chainHead(t)).toEqual({ seq: 5, hash: (await wholeChain(store(), t)).at(-1)!.hash });
  });

  it('stores body, occurredMs and receivedMs exactly as prepared, linked with hash-chain.ts', async () => {
    const t = 'seq-exact';
    const entries: PreparedEntry[] = [
      prepareEvent(
        t,
        ev({
          id: 'exact-1',
          occurredAt: '2024-03-02T10:00:00.123Z',
          newValue: { z: 1, a: ['é', { 'key with space': null }] },
          reason: 'unicode ✓ and "quotes" and \\ backslash',
        }),
        BASE_MS + 40 * 86_400_000,
      ),
      prepareAuth(
        {
          id: 'exact-2',
          type: 'login_success',
          occurredAt: '2024-03-02T10:00:01Z',
          user: { id: 'u1', username: 'Exact' },
          method: 'password',
          sessionId: 's-exact',
          ip: '2001:db8::1',
        },
        BASE_MS + 40 * 86_400_000 + 1,
      ),
    ];
    const stored = [
      ...(await append(store(), t, [entries[0]!])),
      ...(await append(store(), t, [entries[1]!])),
    ];
    expectRowOf(await store().getEvent(t, 'exact-1'), stored[0]!);
    const chain = await wholeChain(store(), t);
    expectWholeChain(t, chain);
    expect(chain.map((r) => [r.seq, r.stream, r.body, r.receivedMs])).toEqual([
      [1, 'event', entries[0]!.body, entries[0]!.receivedMs],
      [2, 'auth', entries[1]!.body, entries[1]!.receivedMs],
    ]);
  });

  it('both streams share one gap-free seq per tenant; tenants are numbered independently', async () => {
    const tenants = ['mix-a', 'mix-b', 'mix-c'];
    const jobs: Promise<{ tenant: string; stream: string; ids: string[]; seqs: number[] }>[] = [];
    for (let k = 0; k < 12; k++) {
      for (const t of tenants) {
        const entries: PreparedEntry[] =
          k % 3 === 1
            ? [
                prepareAuth({
                  type: 'login_failure',
                  user: { username: `${t}-user` },
                  reason: 'bad_password',
                  ip: '198.51.100.7',
                }),
                prepareAuth({
                  type: 'login_success',
                  user: { username: `${t}-user` },
                  method: 'password',
                  sessionId: `${t}-s${k}`,
                  ip: '198.51.100.7',
                }),
              ]
            : prepareEventBatch(
                t,
                Array.from({ length: 1 + (k % 4) }, () => ev()),
              );
        jobs.push(
          store()
            .append({ tenant: t, entries })
            .then((answer) => ({
              tenant: t,
              stream: entries[0]!.stream,
              ids: entries.map((e) => e.id),
              seqs: answer.map((a) => a.seq),
            })),
        );
      }
    }
    const results = await Promise.all(jobs);
    for (const t of tenants) {
      const mine = results.filter((r) => r.tenant === t);
      const seqs = mine.flatMap((r) => r.seqs).sort((x, y) => x - y);
      expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));
      // Within a batch the seqs are consecutive and in entry order.
      for (const r of mine) expect(r.seqs).toEqual(r.seqs.map((_, i) => r.seqs[0]! + i));
      const chain = await wholeChain(store(), t);
      expectWholeChain(t, chain);
      expect(chain).toHaveLength(seqs.length);
      const streamOf = new Map(mine.flatMap((r) => r.ids.map((id) => [id, r.stream] as const)));
      for (const row of chain) expect(row.stream).toBe(streamOf.get(idOf(row.body)));
      expect(await store().chainHead(t)).toEqual({ seq: chain.length, hash: chain.at(-1)!.hash });
    }
  });

  it('200 concurrent single-entry appends get the seqs 1 … 200, each once, and the head is 200', async () => {
    const t = 'concurrent-200';
    const entries = Array.from({ length: 200 }, (_, i) =>
      i % 5 === 4
        ? prepareAuth({
            type: 'logout',
            user: { username: `user${i}` },
            sessionId: `c200-${i}`,
            ip: '192.0.2.1',
          })
        : prepareEvent(t, ev({ target: { type: 'Queue', id: `q-${i}` } })),
    );
    const answers = await Promise.all(entries.map((e) => store().append({ tenant: t, entries: [e] })));
    answers.forEach((a, i) => {
      expectAnswerShape(a, [entries[i]!]);
      expect(a[0]!.duplicate).toBe(false);
    });
    const seqs = answers.map((a) => a[0]!.seq).sort((x, y) => x - y);
    expect(seqs).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    expect((await store().chainHead(t))?.seq).toBe(200);
    const chain = await wholeChain(store(), t);
    expectWholeChain(t, chain);
    const seqOf = new Map(answers.map((a) => [a[0]!.id, a[0]!.seq]));
    for (const row of chain) expect(row.seq).toBe(seqOf.get(idOf(row.body)));
  });
});

describe('append: idempotency', () => {
  it('same id, same content: not stored again, answered duplicate: true with the stored seq and receivedAt', async () => {
    const t = 'idem-same';
    await append(store(), t, [prepareEvent(t, ev({ id: 'before' }))]);
    const input = ev({ id: 'x-1', occurredAt: '2024-03-05T00:00:00Z', newValue: { a: 1, b: [1, 2] } });
    const first = await store().append({
      tenant: t,
      entries: [prepareEvent(t, input, BASE_MS + 50 * 86_400_000)],
    });
    expect(first[0]).toMatchObject({ id: 'x-1', seq: 2, duplicate: false });
    // Keys in another order are the same content (the body is canonical JSON).
    const reordered = { ...input, newValue: { b: [1, 2], a: 1 } };
    const again = await store().append({
      tenant: t,
      entries: [prepareEvent(t, reordered, BASE_MS + 51 * 86_400_000)],
    });
    expect(again[0]).toMatchObject({ id: 'x-1', seq: 2, duplicate: true });
    expect(Date.parse(again[0]!.receivedAt)).toBe(Date.parse(first[0]!.receivedAt));
    expect(await head(t)).toBe(2);
    expect((await store().getEvent(t, 'x-1'))?.receivedMs).toBe(BASE_MS + 50 * 86_400_000);
  });

  it('a retry of an event whose occurredAt defaulted to the receive time is a duplicate', async () => {
    const t = 'idem-default-time';
    const input = ev({ id: 'no-time' });
    const first = await store().append({ tenant: t, entries: [prepareEvent(t, input, Date.now() - 1000)] });
    const again = await store().append({ tenant: t, entries: [prepareEvent(t, input, Date.now())] });
    expect(again[0]).toMatchObject({ id: 'no-time', seq: first[0]!.seq, duplicate: true });
    expect(await head(t)).toBe(1);
    const authInput = {
      id: 'auth-no-time',
      type: 'logout',
      user: { username: 'u' },
      sessionId: 's',
      ip: '192.0.2.9',
    };
    const a1 = await store().append({ tenant: t, entries: [prepareAuth(authInput, Date.now() - 1000)] });
    const a2 = await store().append({ tenant: t, entries: [prepareAuth(authInput, Date.now())] });
    expect(a1[0]).toMatchObject({ seq: 2, duplicate: false });
    expect(a2[0]).toMatchObject({ seq: 2, duplicate: true });
    expect(await head(t)).toBe(2);
  });

  it('same id, other content: idempotency_conflict naming the index; the stored entry is unchanged', async () => {
    const t = 'idem-conflict';
    const original = prepareEvent(t, ev({ id: 'c-1', newValue: { v: 1 } }));
    const [stored] = await append(store(), t, [original]);
    const error = await expectAuditError(
      store().append({ tenant: t, entries: [prepareEvent(t, ev({ id: 'c-1', newValue: { v: 2 } }))] }),
      'idempotency_conflict',
    );
    expect(error.details.map((d) => d.path)).toEqual(['/0/id']);
    // A fixed occurredAt that differs is other content too.
    await expectAuditError(
      store().append({
        tenant: t,
        entries: [prepareEvent(t, ev({ id: 'c-1', newValue: { v: 1 }, occurredAt: '2024-03-01T00:00:00Z' }))],
      }),
      'idempotency_conflict',
    );
    expectRowOf(await store().getEvent(t, 'c-1'), stored!);
    expect(await head(t)).toBe(1);
  });

  it('a batch with a conflict stores nothing, consumes no seq, and names the conflicting index', async () => {
    const t = 'idem-batch-conflict';
    await append(store(), t, [prepareEvent(t, ev({ id: 'exists', action: 'create' }))]);
    const before = await store().chainHead(t);
    const batch = [
      prepareEvent(t, ev({ id: 'new-1' })),
      prepareAuth({
        id: 'new-auth',
        type: 'logout',
        user: { username: 'u' },
        sessionId: 'sb',
        ip: '192.0.2.3',
      }),
      prepareEvent(t, ev({ id: 'exists', action: 'delete' })),
      prepareEvent(t, ev({ id: 'new-2' })),
    ];
    const error = await expectAuditError(
      store().append({ tenant: t, entries: batch }),
      'idempotency_conflict',
    );
    expect(error.details.map((d) => d.path)).toEqual(['/2/id']);
    expect(await store().chainHead(t)).toEqual(before);
    expect(await store().getEvent(t, 'new-1')).toBeUndefined();
    expect(await store().getEvent(t, 'new-2')).toBeUndefined();
    expect(await store().getSession(t, 'sb')).toBeUndefined();
    expect((await wholeChain(store(), t)).map((r) => idOf(r.body))).toEqual(['exists']);
    const next = await store().append({ tenant: t, entries: [prepareEvent(t, ev({ id: 'new-1' }))] });
    expect(next[0]).toMatchObject({ seq: 2, duplicate: false });
  });

  it('a batch of a re-sent entry and new ones: [duplicate, new, new] and only the new ones are stored', async () => {
    const t = 'idem-mixed';
    const old = prepareEvent(t, ev({ id: 'old' }));
    await append(store(), t, [old, prepareEvent(t, ev({ id: 'other' }))]);
    const answer = await store().append({
      tenant: t,
      entries: [old, prepareEvent(t, ev({ id: 'n1' })), prepareEvent(t, ev({ id: 'n2' }))],
    });
    expect(answer.map((a) => [a.id, a.seq, a.duplicate])).toEqual([
      ['old', 1, true],
      ['n1', 3, false],
      ['n2', 4, false],
    ]);
    expectWholeChain(t, await wholeChain(store(), t));
    expect(await head(t)).toBe(4);
  });

  it('the same id twice in one batch with the same content is stored once', async () => {
    const t = 'idem-repeat';
    await append(store(), t, [prepareEvent(t, ev())]);
    const e = prepareEvent(t, ev({ id: 'twice' }));
    const mid = prepareEvent(t, ev({ id: 'between' }));
    const answer = await store().append({ tenant: t, entries: [e, mid, e] });
    expect(answer.map((a) => [a.id, a.seq, a.duplicate])).toEqual([
      ['twice', 2, false],
      ['between', 3, false],
      ['twice', 2, true],
    ]);
    expect(await head(t)).toBe(3);
    const chain = await wholeChain(store(), t);
    expectWholeChain(t, chain);
    expect(chain.map((r) => idOf(r.body)).filter((id) => id === 'twice')).toHaveLength(1);
  });

  it('the same id twice in one batch with other content: idempotency_conflict at the second, nothing stored', async () => {
    const t = 'idem-repeat-conflict';
    const error = await expectAuditError(
      store().append({
        tenant: t,
        entries: [
          prepareEvent(t, ev({ id: 'fresh' })),
          prepareEvent(t, ev({ id: 'dup', action: 'create' })),
          prepareEvent(t, ev({ id: 'dup', action: 'delete' })),
        ],
      }),
      'idempotency_conflict',
    );
    expect(error.details.map((d) => d.path)).toEqual(['/2/id']);
    expect(await head(t)).toBe(0);
    expect(await store().getEvent(t, 'fresh')).toBeUndefined();
    expect(await store().getEvent(t, 'dup')).toBeUndefined();
  });

  it('ids are per tenant: the same id in another tenant is a new entry there', async () => {
    const e = ev({ id: 'shared-id', newValue: { n: 1 } });
    const a = await store().append({ tenant: 'idem-t1', entries: [prepareEvent('idem-t1', e)] });
    const b = await store().append({
      tenant: 'idem-t2',
      entries: [prepareEvent('idem-t2', { ...e, newValue: { n: 2 } })],
    });
    expect(a[0]).toMatchObject({ seq: 1, duplicate: false });
    expect(b[0]).toMatchObject({ seq: 1, duplicate: false });
    expect(JSON.parse((await store().getEvent('idem-t1', 'shared-id'))!.body).newValue).toEqual({ n: 1 });
    expect(JSON.parse((await store().getEvent('idem-t2', 'shared-id'))!.body).newValue).toEqual({ n: 2 });
  });

  it('ids are case-sensitive', async () => {
    const t = 'idem-case';
    await append(store(), t, [prepareEvent(t, ev({ id: 'Case-Id', action: 'create' }))]);
    const b = await store().append({
      tenant: t,
      entries: [prepareEvent(t, ev({ id: 'case-id', action: 'delete' }))],
    });
    expect(b[0]).toMatchObject({ seq: 2, duplicate: false });
  });
});
