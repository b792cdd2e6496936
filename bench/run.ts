import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { authBench } from './auth-bench.js';
import { erasureBench } from './erasure-bench.js';
import { exportBench } from './export-bench.js';
import { ingestBench } from './ingest-bench.js';
import { DATA_DIR, demoDataset } from './lib/datasets.js';
import { PG_ADMIN_URL, pgVersion } from './lib/postgres.js';
import { fmt, Report, toMarkdown } from './lib/report.js';
import { skewedDataset } from './lib/skewed-dataset.js';
import { lifecycleBench } from './lifecycle-bench.js';
import { merkleBench } from './merkle-bench.js';
import { plannerBench, plannerBenchPostgres } from './planner-bench.js';
import { postgresBench } from './postgres-bench.js';
import { driversBench } from './postgres-drivers.js';
import { queryBench } from './query-bench.js';
import { rollupsBench } from './rollups-bench.js';
import { rollupsSynthetic } from './rollups-synthetic.js';
import { sdkBench } from './sdk-bench.js';
import { stallBench } from './stall-bench.js';
import { streamingBench } from './streaming-bench.js';
import { uiBench } from './ui-bench.js';
import { verifyBench } from './verify-bench.js';

/**
 * `npm run bench`: every figure the issues ask for, in one run on this machine, each next to the baseline
 * or goal it is judged by. Sizes: BENCH_EVENTS (default 1,000,000), BENCH_INGEST (100,000), BENCH_AUTH
 * (1,000,000), BENCH_ROUNDS (30). Datasets are built once into bench/.data/ and reused.
 *
 * Sections (BENCH_ONLY, comma-separated): ingest, query, planner (the seeded, skewed query workload of
 * planner-bench.ts: BENCH_PLANNER_EVENTS, default 1,000,000; BENCH_PLANNER_SEED, default 18;
 * BENCH_PLANNER_QUERIES, default 300; BENCH_PLANNER_ROUNDS, default 6; BENCH_PLANNER_SHAPES_FILE, a file for
 * every shape's p50, p95 and rows, worst first), export, auth, verify, ui, merkle (ingest
 * with and without the Merkle tree, BENCH_MERKLE_INGEST, default 100,000; proof p95 over SQLite trees of
 * BENCH_MERKLE_SIZES, default 1,000,000 and 10,000,000, and PostgreSQL ones of BENCH_MERKLE_PG, default
 * 1,000,000; BENCH_MERKLE_ROUNDS proofs each, default 1000), stall (the longest
 * /healthz wait under one heavy request: exports of BENCH_STALL_EVENTS, default 200,000, alerts after
 * BENCH_STALL_FAILURES, default 50,000, spraying failures), sdk (the client SDK: record() latency and rate,
 * delivery and the drain of a spool after an outage, BENCH_SDK events, default 20,000), streaming (entries/s
 * delivered per destination kind from a backlog of BENCH_STREAM_EVENTS, default 20,000, and the lag at a steady
 * 1,000 events/s), rollups (per-day stats rollups: ingest with and without them side by side, whole-day stats
 * against the scan, BENCH_ROLLUP_EVENTS, default 1,000,000, on SQLite and PostgreSQL; BENCH_ROLLUP_STORES;
 * with BENCH_ROLLUP_SYNTH=n also whole-day stats over the rollup rows of n events loaded alone), lifecycle (purge
 * rate and the longest append/read during a purge of BENCH_LIFECYCLE_EVENTS, default 100,000, expired events,
 * on SQLite and, when a server answers, PostgreSQL; not in the default run), erasure (ingest events/s with
 * personal data in clear and encrypted, and the time of one erasure, at BENCH_ERASURE_EVENTS, default 50,000; with
 * BENCH_ERASURE_LARGE=n also one erasure in an encrypted store of n events,
 * on SQLite and PostgreSQL; not in the default run), and postgres — which is pg-ingest (HTTP ingest
 * against its raw INSERT/COPY ceilings, two servers on one database), pg-planner (the planner workload on
 * skewed data at each of BENCH_PG_EVENTS, or BENCH_PG_PLANNER_EVENTS), pg-query (query latencies at each of
 * BENCH_PG_EVENTS, default 1,000,000 and 10,000,000, with EXPLAIN ANALYZE of every query shape at the
 * largest into bench/results/postgres-plans.md), pg-drivers (pg vs postgres.js) and pg-stall (the stall
 * section on PostgreSQL). The PostgreSQL ones
 * need a PostgreSQL server at BENCH_PG_URL (default postgres://postgres@127.0.0.1:5432/postgres) and are
 * skipped when none answers. The query databases (auditlog_bench_1m, …) are kept for the next run; set
 * BENCH_PG_FRESH=1 or pass --fresh to reload them.
 */
const n = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const EVENTS = n('BENCH_EVENTS', 1_000_000);
const INGEST = n('BENCH_INGEST', 100_000);
const AUTH = n('BENCH_AUTH', 1_000_000);
const ROUNDS = n('BENCH_ROUNDS', 30);
const PG_EVENTS = (process.env.BENCH_PG_EVENTS ?? '1000000,10000000').split(',').map(Number);
const PG_FRESH = process.env.BENCH_PG_FRESH === '1' || process.argv.includes('--fresh');
const STALL_EVENTS = n('BENCH_STALL_EVENTS', 200_000);
const STALL_FAILURES = n('BENCH_STALL_FAILURES', 50_000);
const LIFECYCLE_EVENTS = n('BENCH_LIFECYCLE_EVENTS', 100_000);
const SDK = n('BENCH_SDK', 20_000);
const only = (
  process.env.BENCH_ONLY ?? 'ingest,query,planner,export,auth,verify,ui,merkle,stall,streaming,sdk,postgres'
).split(',');
const pgParts = only.includes('postgres')
  ? ['pg-ingest', 'pg-query', 'pg-planner', 'pg-drivers', 'pg-stall']
  : only.filter((s) => s.startsWith('pg-'));

const report = new Report();
process.stdout.write(`auditlog benchmarks — node ${process.version}, ${new Date().toISOString()}\n`);
if (only.includes('ingest')) await ingestBench(report, INGEST);
if (only.some((s) => ['query', 'export', 'verify', 'ui'].includes(s))) {
  const demo = await demoDataset(EVENTS);
  if (demo.builtRate) {
    report.add(
      report.section('Dataset'),
      `auditlog demo --events ${fmt(EVENTS)}`,
      `${fmt(demo.builtRate)} events/s`,
      `${demo.builtSeconds!.toFixed(0)} s`,
    );
  }
  if (only.includes('query')) await queryBench(report, demo.file, EVENTS, ROUNDS);
  if (only.includes('export')) await exportBench(report, demo.file, EVENTS);
  if (only.includes('verify')) await verifyBench(report, demo.file, EVENTS);
  if (only.includes('ui')) await uiBench(report, demo.file, EVENTS);
}
if (only.includes('planner')) {
  const events = n('BENCH_PLANNER_EVENTS', 1_000_000);
  const seed = n('BENCH_PLANNER_SEED', 18);
  const data = await skewedDataset(events, seed);
  await plannerBench(report, data.file, events, {
    seed,
    queries: n('BENCH_PLANNER_QUERIES', 300),
    rounds: n('BENCH_PLANNER_ROUNDS', 6),
    endMs: data.endMs,
  });
}
if (only.includes('merkle'))
  await merkleBench(report, {
    ingest: n('BENCH_MERKLE_INGEST', 100_000),
    sqlite: (process.env.BENCH_MERKLE_SIZES ?? '1000000,10000000').split(',').filter(Boolean).map(Number),
    postgres: (process.env.BENCH_MERKLE_PG ?? '1000000').split(',').filter(Boolean).map(Number),
    rounds: n('BENCH_MERKLE_ROUNDS', 1000),
  });
if (only.includes('rollups')) {
  const size = n('BENCH_ROLLUP_EVENTS', 1_000_000);
  const stores = (process.env.BENCH_ROLLUP_STORES ?? 'sqlite,postgres').split(',');
  if (size && stores.includes('sqlite')) await rollupsBench(report, 'sqlite', size);
  if (size && stores.includes('postgres') && (await pgVersion()))
    await rollupsBench(report, 'postgres', size);
  // Whole-day stats over rollup rows alone, at a size the library cannot ingest in minutes (e.g. 10,000,000).
  const synth = n('BENCH_ROLLUP_SYNTH', 0);
  if (synth && stores.includes('sqlite')) await rollupsSynthetic(report, 'sqlite', synth);
  if (synth && stores.includes('postgres') && (await pgVersion()))
    await rollupsSynthetic(report, 'postgres', synth);
}
if (only.includes('auth')) await authBench(report, Math.min(INGEST, AUTH), AUTH, ROUNDS);
if (only.includes('stall')) await stallBench(report, 'sqlite', STALL_EVENTS, STALL_FAILURES);
if (only.includes('sdk')) await sdkBench(report, SDK);
if (only.includes('streaming')) await streamingBench(report, n('BENCH_STREAM_EVENTS', 20_000), 5);
if (only.includes('lifecycle')) {
  const stores = (process.env.BENCH_LIFECYCLE_STORES ?? 'sqlite,postgres,postgres-partitions').split(',');
  if (stores.includes('sqlite')) await lifecycleBench(report, 'sqlite', LIFECYCLE_EVENTS);
  for (const kind of ['postgres', 'postgres-partitions'] as const)
    if (stores.includes(kind) && (await pgVersion())) await lifecycleBench(report, kind, LIFECYCLE_EVENTS);
}
if (only.includes('erasure')) {
  await erasureBench(report, 'sqlite', n('BENCH_ERASURE_EVENTS', 50_000));
  if (await pgVersion()) await erasureBench(report, 'postgres', n('BENCH_ERASURE_EVENTS', 50_000));
}
mkdirSync(`${DATA_DIR}../results`, { recursive: true });
if (pgParts.length > 0) {
  const version = await pgVersion();
  if (!version) {
    report.add(
      report.section('PostgreSQL'),
      'skipped',
      'no server',
      `nothing answers at ${PG_ADMIN_URL} (BENCH_PG_URL)`,
    );
  } else {
    const started = performance.now();
    await postgresBench(report, {
      ingest: pgParts.includes('pg-ingest') ? INGEST : undefined,
      sizes: pgParts.includes('pg-query') ? PG_EVENTS : [],
      rounds: ROUNDS,
      fresh: PG_FRESH,
      plansFile: `${DATA_DIR}../results/postgres-plans.md`,
    });
    if (pgParts.includes('pg-planner')) {
      for (const events of n('BENCH_PG_PLANNER_EVENTS', 0) ? [n('BENCH_PG_PLANNER_EVENTS', 0)] : PG_EVENTS)
        await plannerBenchPostgres(report, events, {
          seed: n('BENCH_PLANNER_SEED', 18),
          queries: n('BENCH_PLANNER_QUERIES', 300),
          rounds: n('BENCH_PLANNER_ROUNDS', 6),
          fresh: PG_FRESH,
        });
    }
    if (pgParts.includes('pg-drivers')) await driversBench(report);
    if (pgParts.includes('pg-stall')) await stallBench(report, 'postgres', STALL_EVENTS, STALL_FAILURES);
    report.add(
      report.section(`PostgreSQL ${version}`),
      'PostgreSQL sections took',
      `${((performance.now() - started) / 60_000).toFixed(1)} min`,
      pgParts.join(', '),
    );
  }
}
writeFileSync(`${DATA_DIR}../results/latest.json`, `${JSON.stringify(report.figures, null, 2)}\n`);
const header = `Measured ${new Date().toISOString().slice(0, 16)}Z on ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown CPU'}), node ${process.version}; load average at the end ${loadavg()
  .map((l) => l.toFixed(1))
  .join(' ')}.`;
writeFileSync(`${DATA_DIR}../results/latest.md`, toMarkdown(report.figures, header));
// Biome formats Markdown too (it pads table columns): format what was written, so `npm run lint` stays green.
const results = ['latest.md', 'postgres-plans.md']
  .map((f) => `${DATA_DIR}../results/${f}`)
  .filter((f) => existsSync(f));
spawnSync(
  process.execPath,
  [fileURLToPath(import.meta.resolve('@biomejs/biome/bin/biome')), 'format', '--write', ...results],
  {
    stdio: 'ignore',
  },
);
process.stdout.write('\nfigures written to bench/results/latest.json and latest.md\n');
