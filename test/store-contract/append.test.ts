// Store.append: all or nothing, gap-free seq per tenant over both streams, the hash chain, idempotency, and
// concurrent callers.
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
  iso,
  MINUTE,
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

describe('append: concurrent callers', () => {
  it('concurrent batches: those with a conflict store nothing, every other one commits, seq stays gap-free', async () => {
    const t = 'group-conflicts';
    await append(store(), t, [prepareEvent(t, ev({ id: 'g-existing', action: 'create' }))]);
    const jobs = Array.from({ length: 30 }, (_, i) => {
      const own = Array.from({ length: 1 + (i % 3) }, (_, k) => prepareEvent(t, ev({ id: `g-${i}-${k}` })));
      const bad = i % 5 === 0;
      const entries = bad ? [...own, prepareEvent(t, ev({ id: 'g-existing', action: 'delete' }))] : own;
      return { bad, own, promise: store().append({ tenant: t, entries }) };
    });
    const settled = await Promise.allSettled(jobs.map((j) => j.promise));
    let committed = 1;
    for (const [i, job] of jobs.entries()) {
      const outcome = settled[i]!;
      if (job.bad) {
        expect(outcome.status, `batch ${i}`).toBe('rejected');
        const reason = (outcome as PromiseRejectedResult).reason;
        expect(reason?.code, `batch ${i}`).toBe('idempotency_conflict');
        for (const e of job.own) expect(await store().getEvent(t, e.id), e.id).toBeUndefined();
      } else {
        expect(outcome.status, `batch ${i}: ${(outcome as PromiseRejectedResult).reason}`).toBe('fulfilled');
        const answer = (outcome as PromiseFulfilledResult<Awaited<typeof job.promise>>).value;
        expect(answer.map((a) => a.duplicate)).toEqual(job.own.map(() => false));
        for (const e of job.own) expect(await store().getEvent(t, e.id), e.id).toBeDefined();
        committed += job.own.length;
      }
    }
    const chain = await wholeChain(store(), t);
    expectWholeChain(t, chain);
    expect(chain).toHaveLength(committed);
    expect(await head(t)).toBe(committed);
  });

  it('20 concurrent appends of one id with the same content: one stored, the others duplicates of it', async () => {
    const t = 'race-same';
    const e = prepareEvent(t, ev({ id: 'race' }));
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => store().append({ tenant: t, entries: [e] })),
    );
    expect(answers.filter((a) => !a[0]!.duplicate)).toHaveLength(1);
    expect(new Set(answers.map((a) => a[0]!.seq))).toEqual(new Set([1]));
    expect(await head(t)).toBe(1);
  });

  it('20 concurrent appends of one id with different content: exactly one commits, 19 conflict', async () => {
    const t = 'race-diff';
    const entries = Array.from({ length: 20 }, (_, i) =>
      prepareEvent(t, ev({ id: 'race', newValue: { i } })),
    );
    const settled = await Promise.allSettled(entries.map((e) => store().append({ tenant: t, entries: [e] })));
    const won = settled.flatMap((s, i) => (s.status === 'fulfilled' ? [i] : []));
    expect(won).toHaveLength(1);
    for (const s of settled) {
      if (s.status === 'rejected') expect(s.reason?.code).toBe('idempotency_conflict');
    }
    expect(JSON.parse((await store().getEvent(t, 'race'))!.body).newValue).toEqual({ i: won[0] });
    expect(await head(t)).toBe(1);
  });

  it('a batch appended while others are in flight keeps its entries together and in order', async () => {
    const t = 'group-order';
    const batches = Array.from({ length: 10 }, (_, b) =>
      prepareEventBatch(
        t,
        Array.from({ length: 25 }, (_, k) =>
          ev({ id: `o-${b}-${k}`, occurredAt: iso(BASE_MS + (25 - k) * MINUTE) }),
        ),
      ),
    );
    const answers = await Promise.all(batches.map((entries) => store().append({ tenant: t, entries })));
    for (const a of answers) expect(a.map((r) => r.seq)).toEqual(a.map((_, k) => a[0]!.seq + k));
    const chain = await wholeChain(store(), t, 7);
    expectWholeChain(t, chain);
    expect(chain).toHaveLength(250);
  });
});

describe('append: two stores on one database, as two processes', () => {
  it('appends to one tenant through both stay gap-free, linked and all-or-nothing', async () => {
    const t = 'two-writers';
    const second = await sut().openAnother();
    try {
      const stores = [store(), second];
      const jobs = Array.from({ length: 60 }, (_, i) => {
        const entries: PreparedEntry[] =
          i % 4 === 3
            ? [
                prepareAuth({
                  type: 'logout',
                  user: { username: 'u' },
                  sessionId: `tw-${i}`,
                  ip: '192.0.2.2',
                }),
              ]
            : prepareEventBatch(
                t,
                Array.from({ length: 1 + (i % 3) }, (_, k) => ev({ id: `tw-${i}-${k}` })),
              );
        return { entries, promise: stores[i % 2]!.append({ tenant: t, entries }) };
      });
      const answers = await Promise.all(jobs.map((j) => j.promise));
      const seqs = answers.flatMap((a) => a.map((r) => r.seq)).sort((x, y) => x - y);
      expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));
      for (const s of stores) {
        const chain = await wholeChain(s, t);
        expectWholeChain(t, chain);
        expect(chain).toHaveLength(seqs.length);
        expect((await s.chainHead(t))?.seq).toBe(seqs.length);
      }
      // A conflict through one store is seen by the other.
      await expectAuditError(
        second.append({ tenant: t, entries: [prepareEvent(t, ev({ id: 'tw-0-0', action: 'delete' }))] }),
        'idempotency_conflict',
      );
      const dup = await second.append({ tenant: t, entries: [jobs[2]!.entries[0]!] });
      expect(dup[0]).toMatchObject({ duplicate: true, seq: answers[2]![0]!.seq });
    } finally {
      await second.close();
    }
  });
});

describe('append: unusual content is kept exactly', () => {
  it('a large entry (about 250 KB) is stored and read back byte for byte, and searchable', async () => {
    const t = 'large';
    const big = ev({
      id: 'big-1',
      oldValue: { blob: 'o'.repeat(60_000), list: Array.from({ length: 500 }, (_, i) => `item-${i}`) },
      newValue: { blob: 'n'.repeat(60_000), needle: 'haystackneedle' },
      metadata: { note: 'm'.repeat(15_000) },
      reason: 'r'.repeat(4000),
    });
    const [stored] = await append(store(), t, [prepareEvent(t, big)]);
    expect(stored!.entry.body.length).toBeGreaterThan(140_000);
    expectRowOf(await store().getEvent(t, 'big-1'), stored!);
    const rows = await store().listEvents(t, { terms: ['haystackneedle'] }, { order: 'asc', limit: 5 });
    expect(rows.map((r) => r.body)).toEqual([stored!.entry.body]);
    expectWholeChain(t, await wholeChain(store(), t));
  });

  it('strings with emoji, astral characters, line separators and right-to-left text are kept exactly', async () => {
    const t = 'odd-chars';
    const odd = [
      'emoji \u{1F600} and flags \u{1F1E9}\u{1F1EA}',
      'astral \u{10FFFF} and \u{1D11E} (a lone surrogate is refused before any store: see hostile-values)',
      'separators \u2028 \u2029 tab\tcr\r',
      'right-to-left \u05e9\u05dc\u05d5\u05dd \u200f',
      'quotes \' " ` and \\ backslash',
      "sql '; DROP TABLE events; --",
    ];
    const entries = odd.map((reason, i) =>
      prepareEvent(t, ev({ id: `odd-${i}`, reason, metadata: { [reason.slice(0, 12)]: reason } })),
    );
    const stored = await append(store(), t, entries);
    for (const s of stored) expectRowOf(await store().getEvent(t, s.entry.id), s);
    expectWholeChain(t, await wholeChain(store(), t));
    const found = await store().listEvents(t, { terms: ['\u{1F1E9}\u{1F1EA}'] }, { order: 'asc', limit: 5 });
    expect(found.map((r) => idOf(r.body))).toEqual(['odd-0']);
    const rtl = await store().listEvents(
      t,
      { terms: ['\u05e9\u05dc\u05d5\u05dd'] },
      { order: 'asc', limit: 5 },
    );
    expect(rtl.map((r) => idOf(r.body))).toEqual(['odd-3']);
  });

  it('occurredAt long ago (before 1970, year 100) is stored, ordered and filtered like any other time', async () => {
    const t = 'old-times';
    const times = [
      '0100-01-01T00:00:00.000Z',
      '1969-12-31T23:59:59.999Z',
      '1970-01-01T00:00:00.000Z',
      '2024-03-01T00:00:00.000Z',
    ];
    const entries = [...times]
      .reverse()
      .map((occurredAt, i) => prepareEvent(t, ev({ id: `old-${i}`, occurredAt })));
    const stored = await append(store(), t, entries);
    for (const s of stored) expectRowOf(await store().getEvent(t, s.entry.id), s);
    const asc = await store().listEvents(t, {}, { order: 'asc', limit: 10 });
    expect(asc.map((r) => r.occurredMs)).toEqual(times.map((x) => Date.parse(x)));
    const before1970 = await store().listEvents(t, { toMs: 0 }, { order: 'desc', limit: 10 });
    expect(before1970.map((r) => r.occurredMs)).toEqual([Date.parse(times[1]!), Date.parse(times[0]!)]);
    const page2 = await store().listEvents(
      t,
      {},
      { order: 'asc', limit: 10, after: { occurredMs: asc[0]!.occurredMs, seq: asc[0]!.seq } },
    );
    expect(page2.map((r) => r.seq)).toEqual(asc.slice(1).map((r) => r.seq));
  });

  it('eventStats by day counts a time before 1970 on its own UTC day', async () => {
    const t = 'old-times'; // appended by the test above
    const days = await store().eventStats(t, {}, 'day');
    expect(new Map(days.map((g) => [g.key, g.count]))).toEqual(
      new Map([
        ['0100-01-01', 1],
        ['1969-12-31', 1],
        ['1970-01-01', 1],
        ['2024-03-01', 1],
      ]),
    );
  });

  it('tenant names are exact: no pattern characters, no case folding', async () => {
    const names = ['ten_ant', 'tenXant', 'ten%', 'TEN_ANT', "ten'ant", 'ten ant', 'tenänt'];
    for (const [i, t] of names.entries()) {
      await append(
        store(),
        t,
        prepareEventBatch(
          t,
          Array.from({ length: i + 1 }, (_, k) => ev({ id: `tn-${k}` })),
        ),
      );
    }
    for (const [i, t] of names.entries()) {
      const chain = await wholeChain(store(), t);
      expect(chain, t).toHaveLength(i + 1);
      expectWholeChain(t, chain);
      expect((await store().listEvents(t, {}, { order: 'asc', limit: 100 })).map((r) => r.tenant)).toEqual(
        Array(i + 1).fill(t),
      );
      expect(await store().getEvent(t, `tn-${i}`), t).toBeDefined();
      expect(await store().getEvent(t, `tn-${i + 1}`), t).toBeUndefined();
    }
    const tenants = await store().tenants();
    for (const t of names) expect(tenants).toContain(t);
  });
});
