import { mkdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { AuditClient, type RecordInput } from '../packages/sdk/src/index.js';
import { DATA_DIR } from './lib/datasets.js';
import { demoEvents } from './lib/demo-entries.js';
import { percentile, postBatches } from './lib/http-load.js';
import { fmt, ms, type Report } from './lib/report.js';
import { BENCH_TOKEN, startServer } from './lib/server-process.js';

/** Demo events without ids or times: the SDK gives each its own, as a platform's record() calls would. */
function records(n: number): RecordInput[] {
  return demoEvents(n).map(({ id: _id, occurredAt: _at, ...event }) => event);
}

function spoolDir(name: string): string {
  mkdirSync(DATA_DIR, { recursive: true });
  const dir = `${DATA_DIR}sdk-${name}`;
  rmSync(dir, { recursive: true, force: true });
  return dir;
}

async function deadUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return `http://127.0.0.1:${port}`;
}

/**
 * The SDK against a real `auditlog serve` (SQLite): record() latency (one caller, each call waiting for its
 * fsync) and throughput (16 concurrent callers in one process, sharing fsyncs), delivery with the service up,
 * and how fast a spool filled during an outage drains — next to the service's own batch-ingest ceiling
 * measured in the same run with the same events.
 */
export async function sdkBench(report: Report, n: number): Promise<void> {
  const section = report.section(`SDK (${fmt(n)} demo events per figure)`);
  const db = `${DATA_DIR}sdk-bench.db`;
  const removeDb = () => {
    for (const suffix of ['', '-wal', '-shm', '.signing-key.pem']) rmSync(db + suffix, { force: true });
  };
  removeDb();
  const server = await startServer(['--db', db]);
  try {
    const headers = { authorization: `Bearer ${BENCH_TOKEN}`, 'content-type': 'application/json' };
    await postBatches(server.url, records(2000), headers); // warm-up: the JIT, the page cache
    const baseline = await postBatches(server.url, demoEvents(n), headers);
    const ceiling = n / baseline.seconds;
    report.add(
      section,
      'service ingest ceiling: HTTP batches of 500',
      `${fmt(ceiling)} events/s`,
      'the baseline',
    );

    // One caller at a time: each record() is one append and one fsync.
    const sequential = records(Math.min(n, 2000));
    const client = await AuditClient.open({ url: server.url, token: BENCH_TOKEN, spoolDir: spoolDir('up') });
    const latencies: number[] = [];
    for (const event of sequential) {
      const started = performance.now();
      await client.record(event);
      latencies.push(performance.now() - started);
    }
    report.add(
      section,
      'record() latency p50 / p99, one caller',
      `${ms(percentile(latencies, 50))} / ${ms(percentile(latencies, 99))}`,
      'an fsync each (goal p99 ≤ 25 ms, the single-post p99)',
    );

    // 16 callers: concurrent appends share one write and one fsync.
    const concurrent = records(n);
    let next = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (next < concurrent.length) await client.record(concurrent[next++]!);
      }),
    );
    const recordSeconds = (performance.now() - started) / 1000;
    await client.flush();
    const deliveredSeconds = (performance.now() - started) / 1000;
    report.add(
      section,
      'record() rate, 16 callers in one process',
      `${fmt(n / recordSeconds)} events/s`,
      `${(n / recordSeconds / ceiling).toFixed(2)}× the ceiling`,
    );
    report.add(
      section,
      'recorded and delivered, service up',
      `${fmt(n / deliveredSeconds)} events/s`,
      `${(n / deliveredSeconds / ceiling).toFixed(2)}× the ceiling (goal ≥ 0.50×)`,
    );
    await client.close();

    // An outage: the spool fills while nothing listens, then a new client drains it.
    const dir = spoolDir('outage');
    const offline = await AuditClient.open({ url: await deadUrl(), token: BENCH_TOKEN, spoolDir: dir });
    await Promise.all(records(n).map((event) => offline.record(event)));
    await offline.close({ flushTimeoutMs: 0 });
    const drainStarted = performance.now();
    const drainer = await AuditClient.open({ url: server.url, token: BENCH_TOKEN, spoolDir: dir });
    await drainer.flush();
    const drainRate = n / ((performance.now() - drainStarted) / 1000);
    await drainer.close();
    report.add(
      section,
      'spool drain after an outage',
      `${fmt(drainRate)} events/s`,
      `${(drainRate / ceiling).toFixed(2)}× the ceiling (goal ≥ 0.50×)`,
    );
  } finally {
    await server.stop();
    removeDb();
    // Not left in bench/.data/: Biome would check the spools' JSON.
    for (const name of ['up', 'outage']) rmSync(`${DATA_DIR}sdk-${name}`, { recursive: true, force: true });
  }
}
