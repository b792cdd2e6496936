import { mkdirSync, rmSync } from 'node:fs';
import { openAuditLog } from '../src/core/services/audit-log.js';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { DATA_DIR } from './lib/datasets.js';
import { demoEvents } from './lib/demo-entries.js';
import { fmt, ms, type Report } from './lib/report.js';

const BATCH = 500;

function fresh(name: string): string {
  mkdirSync(DATA_DIR, { recursive: true });
  const file = `${DATA_DIR}${name}`;
  for (const s of ['', '-wal', '-shm', '.signing-key.pem']) rmSync(file + s, { force: true });
  return file;
}

/** Appends `events` through the library in batches; with the tree, until the tree covers them too. */
async function ingest(file: string, events: Record<string, unknown>[], maintainMerkleTree: boolean) {
  const log = await openAuditLog({ store: await SqliteStore.open({ file }), maintainMerkleTree });
  const started = performance.now();
  for (let i = 0; i < events.length; i += BATCH)
    await log.appendEvents('default', { events: events.slice(i, i + BATCH) });
  if (maintainMerkleTree) await log.merkle.catchUp('default');
  const seconds = (performance.now() - started) / 1000;
  return { log, rate: events.length / seconds, seconds };
}

/**
 * BENCH_ONLY=merkle: ingest events/s with the Merkle tree maintained versus without (same events, same run,
 * library appends of 500 on SQLite, the tree caught up before the clock stops), then the p95 of generating an
 * event's inclusion proof (read nodes + sign the checkpoint note) in the tree of all `events` entries.
 */
export async function merkleBench(report: Report, events: number, rounds = 1000): Promise<void> {
  const section = report.section(`Verifiable log (Merkle tree, ${fmt(events)} entries)`);
  const input = demoEvents(events).map((e, i) => ({ ...e, id: `mb-${i}` })) as Record<string, unknown>[];
  const without = await ingest(fresh('merkle-without.db'), input, false);
  await without.log.close();
  const withTree = await ingest(fresh('merkle-with.db'), input, true);
  report.add(section, 'ingest without the tree', `${fmt(without.rate)} events/s`, 'baseline');
  report.add(
    section,
    'ingest with the tree maintained',
    `${fmt(withTree.rate)} events/s`,
    `${(withTree.rate / without.rate).toFixed(2)}× the baseline; goal ≥ 0.8×`,
  );
  const log = withTree.log;
  const ids = input.map((e) => String(e.id));
  const times: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const id = ids[Math.floor(Math.random() * ids.length)]!;
    const started = performance.now();
    await log.merkle.prove('default', id);
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  const p = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))]!;
  report.add(
    section,
    `inclusion proof of one event (${fmt(rounds)} random)`,
    `p95 ${ms(p(0.95))}`,
    `p50 ${ms(p(0.5))}; goal p95 ≤ 10 ms`,
  );
  const started = performance.now();
  const head = await log.merkle.checkpoint('default');
  await log.merkle.consistency('default', Math.floor(head.treeSize / 3), head.treeSize);
  report.add(
    section,
    'signed checkpoint + consistency proof',
    ms(performance.now() - started),
    'goal ≤ 10 ms',
  );
  await log.close();
}
