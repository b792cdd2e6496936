import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { authBench } from './auth-bench.js';
import { exportBench } from './export-bench.js';
import { ingestBench } from './ingest-bench.js';
import { DATA_DIR, demoDataset } from './lib/datasets.js';
import { fmt, Report, toMarkdown } from './lib/report.js';
import { queryBench } from './query-bench.js';
import { uiBench } from './ui-bench.js';
import { verifyBench } from './verify-bench.js';

/**
 * `npm run bench`: every figure the issues ask for, in one run on this machine, each next to the baseline
 * or goal it is judged by. Sizes: BENCH_EVENTS (default 1,000,000), BENCH_INGEST (100,000), BENCH_AUTH
 * (1,000,000), BENCH_ROUNDS (30). Datasets are built once into bench/.data/ and reused.
 */
const n = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const EVENTS = n('BENCH_EVENTS', 1_000_000);
const INGEST = n('BENCH_INGEST', 100_000);
const AUTH = n('BENCH_AUTH', 1_000_000);
const ROUNDS = n('BENCH_ROUNDS', 30);
const only = (process.env.BENCH_ONLY ?? 'ingest,query,export,auth,verify,ui').split(',');

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
if (only.includes('auth')) await authBench(report, Math.min(INGEST, AUTH), AUTH, ROUNDS);

mkdirSync(`${DATA_DIR}../results`, { recursive: true });
writeFileSync(`${DATA_DIR}../results/latest.json`, `${JSON.stringify(report.figures, null, 2)}\n`);
const header = `Measured ${new Date().toISOString().slice(0, 16)}Z on ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown CPU'}), node ${process.version}; load average at the end ${loadavg()
  .map((l) => l.toFixed(1))
  .join(' ')}.`;
writeFileSync(`${DATA_DIR}../results/latest.md`, toMarkdown(report.figures, header));
process.stdout.write('\nfigures written to bench/results/latest.json and latest.md\n');
