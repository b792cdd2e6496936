// A purge through the library leaves a verifiable log: retention per category and for the auth log, legal
// holds that survive it, the audit events it writes, verify on the store and on exports made before and
// after it — and verify still catches tampering with what was retained, or a removal without the signature.
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { entryDigest } from '../../src/core/domain/hash-chain.js';
import { verifyExport } from '../../src/core/domain/verify-export.js';
import type { ActingParty } from '../../src/core/services/access-control.js';
import { type AuditLog, openAuditLog } from '../../src/core/services/audit-log.js';
import { verifyStore } from '../../src/core/services/verify-store.js';
import { DAY, wholeChain } from './entries.js';
import { storePerFile } from './store-under-test.js';

const sut = storePerFile();
const T = 'default';
const NOW = Date.now();
const by: ActingParty = { actor: { id: 'cli:ops', username: 'ops', type: 'system' } };
let log: AuditLog;

const old = (days: number) => new Date(NOW - days * DAY).toISOString();

async function exportText(): Promise<string> {
  const { stream, recorded } = log.startExport(T, { format: 'ndjson' }, by);
  const chunks: string[] = [];
  for await (const c of stream) chunks.push(String(c));
  await recorded;
  return chunks.join('');
}

async function verifyText(text: string) {
  return verifyExport(Readable.from(text.split('\n').filter((l) => l.length > 0)));
}

beforeAll(async () => {
  log = await openAuditLog({ store: sut().store });
  const events = [
    // 2 years old: bulk (1 year) and settings (default 7 years) …
    ...Array.from({ length: 6 }, (_, i) => ({
      id: `old-bulk-${i}`,
      occurredAt: old(730),
      actor: { id: i < 2 ? 'u-held' : 'u-other' },
      action: 'update',
      category: 'bulk',
      target: { type: 'LeadList', id: `list-${i}` },
    })),
    {
      id: 'old-settings',
      occurredAt: old(730),
      actor: { id: 'u-other' },
      action: 'update',
      category: 'settings',
      target: { type: 'Setting', id: 's' },
    },
    // … and recent ones.
    {
      id: 'new-bulk',
      occurredAt: old(10),
      actor: { id: 'u-other' },
      action: 'update',
      category: 'bulk',
      target: { type: 'LeadList', id: 'l' },
    },
  ];
  await log.appendEvents(T, { events });
  await log.auth.append(T, {
    events: [
      {
        id: 'old-login',
        type: 'login_success',
        method: 'password',
        occurredAt: old(400),
        user: { id: 'u-9', username: 'nine' },
        ip: '192.0.2.9',
        sessionId: 's-9',
      },
      {
        id: 'new-login',
        type: 'login_success',
        method: 'password',
        occurredAt: old(1),
        user: { id: 'u-9', username: 'nine' },
        ip: '192.0.2.9',
        sessionId: 's-10',
      },
    ],
  });
});
afterAll(async () => {
  await log?.close();
});

describe('a purge', () => {
  let before: string;

  it('removes expired entries except held ones, in steps, and is recorded', async () => {
    before = await exportText();
    await log.lifecycle.setPolicy(T, { category: 'bulk', maxAgeDays: 365 }, by);
    await log.lifecycle.setPolicy(T, { maxAgeDays: 2555 }, by);
    await log.lifecycle.setPolicy(T, { stream: 'auth', maxAgeDays: 365 }, by);
    const hold = await log.lifecycle.createHold(T, { reason: 'case 7', actorId: 'u-held' }, by);
    expect(hold.releasedMs).toBeNull();

    const report = await log.lifecycle.purge({ by, stepSize: 3 });
    expect(report.purged).toBe(5); // 4 bulk + 1 auth
    expect(report.held).toBe(2);
    const [t] = report.tenants;
    expect(t!.purges.map((p) => [p.stream, p.count])).toEqual([
      ['event', 1],
      ['event', 3],
      ['auth', 1],
    ]);
    expect(t!.anchor?.seq).toBeGreaterThanOrEqual(10);

    const ids = (await log.listEvents(T, { limit: '100' })).events.map((e) => e.id);
    expect(ids).toEqual(expect.arrayContaining(['old-bulk-0', 'old-bulk-1', 'old-settings', 'new-bulk']));
    expect(ids.filter((id) => /^old-bulk-[2-5]$/.test(id))).toEqual([]);
    const logins = (await log.auth.list(T, {})).events.map((e) => e.id);
    expect(logins).toEqual(['new-login']);

    const types = (await log.listEvents(T, { category: 'security', limit: '100' })).events.map(
      (e) => e.eventType,
    );
    expect(types).toEqual(
      expect.arrayContaining([
        'auditlog.retention_policy_set',
        'auditlog.legal_hold_created',
        'auditlog.purge',
      ]),
    );
    const purge = (await log.listEvents(T, { eventType: 'auditlog.purge' })).events[0]!;
    expect(purge.newValue).toMatchObject({ entries: 5, held: 2, anchor: t!.anchor, records: 3 });
  });

  it('leaves a log that verifies, naming the purged seqs', async () => {
    const report = await verifyStore(sut().store);
    expect(report.problems).toEqual([]);
    const [t] = report.tenants;
    expect(t!.purged).toBe(5);
    expect(t!.purgedRanges.reduce((n, [a, b]) => n + b - a + 1, 0)).toBe(5);
  });

  it('leaves the links of its tombstones in the chain, as scanChain reads them', async () => {
    const rows = await wholeChain(sut().store, T);
    expect(rows.some((r) => r.purgeId)).toBe(true);
    const links = await sut().store.chainLinks(T, 0, rows.length + 10);
    expect(links).toEqual(rows.map((r) => ({ seq: r.seq, prevHash: r.prevHash, hash: r.hash })));
    for (const [i, l] of links.entries()) if (i > 0) expect(l.prevHash).toBe(links[i - 1]!.hash);
  });

  it('keeps exports made before and after it verifiable', async () => {
    const old = await verifyText(before);
    expect(old.problem).toBeUndefined();
    const after = await exportText();
    expect(after).not.toContain('old-bulk-3');
    const now = await verifyText(after);
    expect(now.problem).toBeUndefined();
    expect(now.purged).toBe(5);
    expect(old.purged).toBe(0);
    expect(now.events).toBeGreaterThan(0);
  });

  it('a released hold lets the next purge remove what it kept', async () => {
    const [hold] = await log.lifecycle.holds(T);
    await log.lifecycle.releaseHold(T, hold!.id, by);
    const report = await log.lifecycle.purge({ by });
    expect(report.purged).toBe(2);
    expect((await verifyStore(sut().store)).problems).toEqual([]);
    expect((await log.lifecycle.purgeHistory(T)).length).toBe(4);
  });
});

describe('verify after a purge still catches', () => {
  it('an altered retained entry', async () => {
    await tamper("UPDATE events SET body = replace(body, 'new-bulk', 'new-bulk-x') WHERE id = 'new-bulk'");
    const report = await verifyStore(sut().store);
    expect(report.problem?.kind).toBe('altered');
    await tamper("UPDATE events SET body = replace(body, 'new-bulk-x', 'new-bulk') WHERE id = 'new-bulk'");
    expect((await verifyStore(sut().store)).problems).toEqual([]);
  });

  it('content removed without a signed purge record, or under another purge', async () => {
    const forge = async (id: string, purgeId: string) => {
      const seq = (await log.getEvent(T, id)).seq;
      const row = (await sut().store.scanChain(T, seq - 1, 1))[0]!;
      // The tombstone is exact (the real digest): only the signature is missing.
      const digest = entryDigest('event', new Date(row.receivedMs).toISOString(), row.body);
      await sut().exec(
        `INSERT INTO purged_entries (tenant, seq, stream, id, received_ms, digest, prev_hash, hash, purge_id)
         SELECT tenant, seq, 'event', id, received_ms, '${digest}', prev_hash, hash, '${purgeId}'
           FROM events WHERE id = '${id}';
         DELETE FROM events WHERE id = '${id}';`,
      );
      return seq;
    };
    const [signed] = await log.lifecycle.purgeHistory(T);
    const a = await forge('old-settings', 'forged');
    const b = await forge('new-bulk', signed!.purgeId);
    const report = await verifyStore(sut().store);
    // Each group of tombstones is named by its first seq: the signed purge's now holds one too many.
    expect(report.problems.map((p) => [p.seq, p.kind])).toEqual([
      [signed!.firstSeq, 'purge_invalid'],
      [a, 'missing'],
    ]);
    expect(report.problems[0]!.message).toMatch(new RegExp(`but ${signed!.count + 1} tombstones .*${b}`));
    expect(report.problems[1]!.message).toMatch(/without a signed purge record/);
  });
});

/** Runs SQL with the update guard lifted, as an attacker with database access would. */
async function tamper(sql: string): Promise<void> {
  await sut().exec(
    sut().kind === 'sqlite'
      ? `DROP TRIGGER IF EXISTS events_no_update; ${sql}`
      : `DROP TRIGGER IF EXISTS events_append_only ON events; ${sql}`,
  );
}
