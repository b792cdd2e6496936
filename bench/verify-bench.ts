import { fmt, type Report } from './lib/report.js';
import { run } from './lib/server-process.js';

export async function verifyBench(report: Report, file: string, entries: number): Promise<void> {
  const section = report.section('Tamper evidence');
  const started = performance.now();
  const r = await run(['verify', '--db', file]);
  const seconds = (performance.now() - started) / 1000;
  if (r.code !== 0) throw new Error(`verify failed: ${r.stdout} ${r.stderr}`);
  const rate = /([\d,]+) entries\/s/.exec(r.stdout)?.[1] ?? '?';
  report.add(
    section,
    `auditlog verify --db (${fmt(entries)}+ entries)`,
    `${rate} entries/s`,
    `whole command ${seconds.toFixed(1)} s; goal ≥ 200,000/s`,
  );
}
