// Store.append under concurrent callers (one store, and two stores on one database), and unusual content kept
// exactly. The seq, chain and idempotency rules themselves: append.test.ts.
import { describe, expect, it } from 'vitest';
import type { PreparedEntry } from '../../src/core/domain/entry.js';
import {
  append,
  BASE_MS,
  ev,
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
