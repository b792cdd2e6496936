import { rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import type { Store } from '../src/core/ports/store.js';
import type { ActingParty } from '../src/core/services/access-control.js';
import { type AuditLog, openAuditLog } from '../src/core/services/audit-log.js';
import { verifyStore } from '../src/core/services/verify-store.js';
import { ensurePartitions } from '../src/store/postgres/postgres-partitions.js';
import { PostgresStore } from '../src/store/postgres/postgres-store.js';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { DATA_DIR } from './lib/datasets.js';
import { BENCH_SIGNING_KEY, dropDatabase, freshDatabase } from './lib/postgres.js';
import { fmt, ms, type Report } from './lib/report.js';

const by: ActingParty = { actor: { id: 'cli:bench', username: 'bench', type: 'system' } };
const DAY = 86_400_000;
const GOAL_MS = 100;
/** When the expired events occurred: two years ago. */
const OCCURRED_MS = () => Date.now() - 730 * DAY;

/**
 * Purge rate and the longest pause it causes, in one process as in `auditlog serve`: `events` expired
 * events (two years old, category bulk, policy 1 year) are purged in steps of 200 while a client appends
 * one event and reads a page of 50, one after the other, without pause; the slowest append and the slowest
 * read during the purge are the figures, next to the same loop's slowest while nothing is purged.
 */
export async function lifecycleBench(
  report: Report,
  store: 'sqlite' | 'postgres' | 'postgres-partitions',
  events: number,
): Promise<void> {
  const title = {
    sqlite: 'SQLite, steps of 200',
    postgres: 'PostgreSQL, default partition: steps of 200',
    'postgres-partitions': 'PostgreSQL, their own monthly partition: dropped whole',
  }[store];
  const section = report.section(`Retention purge (${title}, ${fmt(events)} expired events)`);
  const opened = await openBenchStore(store);
  const log = await openAuditLog({ store: opened.store, signingKey: BENCH_SIGNING_KEY });
  try {
    await load(log, events);
    await log.lifecycle.setPolicy('default', { category: 'bulk', maxAgeDays: 365 }, by);
    const idle = await clientLoop(log, () => sleep(2000));
    const started = performance.now();
    const during = await clientLoop(log, () => log.lifecycle.purge({ by }));
    const seconds = (performance.now() - started) / 1000;
    const purged = during.result.purged;
    const dropped = during.result.partitions
      .filter((p) => p.dropped)
      .map((p) => `${p.partition} (parent locked ${ms(p.lockedMs ?? 0)})`);
    const verified = await verifyStore(log.store);
    report.add(
      section,
      'purge rate',
      `${fmt(purged / seconds)} entries/s`,
      `${fmt(purged)} purged in ${seconds.toFixed(1)} s beside the client; partitions dropped: ${dropped.join(', ') || 'none'}; verify after: ${verified.problems.length === 0 ? 'OK' : `FAILED (${verified.problems[0]?.kind}: ${verified.problems[0]?.message})`}; load average ${loadavg()[0]!.toFixed(1)}`,
    );
    const add = (name: string, during: number, idle: number, n: number) =>
      report.add(
        section,
        name,
        ms(during),
        `${(during / Math.max(idle, 0.01)).toFixed(1)}× the idle ${ms(idle)}; goal < ${GOAL_MS} ms${during >= GOAL_MS ? ' — MISSED' : ''}; ${fmt(n)} calls`,
      );
    add('longest append during the purge', during.maxAppendMs, idle.maxAppendMs, during.appends);
    add('longest read (page of 50) during the purge', during.maxReadMs, idle.maxReadMs, during.reads);
  } finally {
    await log.close();
    await opened.remove();
  }
}

async function openBenchStore(
  kind: 'sqlite' | 'postgres' | 'postgres-partitions',
): Promise<{ store: Store; remove: () => Promise<void> }> {
  if (kind === 'sqlite') {
    const file = `${DATA_DIR}lifecycle-bench.db`;
    const clean = () => {
      for (const f of [file, `${file}-wal`, `${file}-shm`, `${file}.signing-key.pem`])
        rmSync(f, { force: true });
    };
    clean();
    // Reader threads, as `auditlog serve` opens it.
    return { store: await SqliteStore.open({ file, readers: 2 }), remove: async () => clean() };
  }
  const name = 'auditlog_bench_lifecycle';
  const url = await freshDatabase(name);
  const store = await PostgresStore.open({ url, keyFile: `${DATA_DIR}lifecycle-bench.signing-key.pem` });
  if (kind === 'postgres-partitions') {
    // The month of the expired events gets its own partition before they arrive (else: the default one).
    const pool = new pg.Pool({ connectionString: url, max: 1 });
    await ensurePartitions(pool, OCCURRED_MS(), 0);
    await pool.end();
  }
  return {
    store,
    remove: () => dropDatabase(name),
  };
}

async function load(log: AuditLog, events: number): Promise<void> {
  const occurredAt = new Date(OCCURRED_MS()).toISOString();
  for (let i = 0; i < events; i += 1000) {
    const batch = Array.from({ length: Math.min(1000, events - i) }, (_, k) => ({
      occurredAt,
      actor: { id: `u-${(i + k) % 97}`, username: `user.${(i + k) % 97}` },
      action: 'update',
      category: 'bulk',
      target: { type: 'LeadList', id: `list-${(i + k) % 1000}` },
      newValue: { rows: i + k },
    }));
    await log.appendEvents('default', { events: batch });
  }
}

interface LoopResult<T> {
  result: T;
  maxAppendMs: number;
  maxReadMs: number;
  appends: number;
  reads: number;
}

/** Appends one event and reads a page, in turn, until `work` settles. */
async function clientLoop<T>(log: AuditLog, work: () => Promise<T>): Promise<LoopResult<T>> {
  let done = false;
  const out = { maxAppendMs: 0, maxReadMs: 0, appends: 0, reads: 0 };
  const client = (async () => {
    while (!done) {
      let t = performance.now();
      await log.appendEvents('default', {
        actor: { id: 'u-live' },
        action: 'update',
        category: 'settings',
        target: { type: 'Setting', id: 's' },
      });
      out.maxAppendMs = Math.max(out.maxAppendMs, performance.now() - t);
      out.appends++;
      t = performance.now();
      await log.listEvents('default', { limit: '50' });
      out.maxReadMs = Math.max(out.maxReadMs, performance.now() - t);
      out.reads++;
    }
  })();
  try {
    return { result: await work(), ...out };
  } finally {
    done = true;
    await client;
  }
}
