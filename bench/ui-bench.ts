import { spawn } from 'node:child_process';
import { fmt, type Report } from './lib/report.js';

/** Runs the UI timing suite (Playwright in Chromium) on the demo store and reports its figures. */
export async function uiBench(report: Report, file: string, events: number): Promise<void> {
  const section = report.section(
    `Web UI with ${fmt(events)} events (Playwright in Debian's Chromium; measured, not asserted)`,
  );
  const output = await new Promise<string>((resolve) => {
    const child = spawn('npx', ['vitest', 'run', '--config', 'bench/ui/vitest.config.ts'], {
      env: { ...process.env, AUDITLOG_UI_PERF_EVENTS: String(events), AUDITLOG_UI_PERF_DB: file },
    });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.stderr.on('data', (d) => {
      out += d;
    });
    child.on('close', () => resolve(out));
  });
  const lines = [...output.matchAll(/^\s*(first page visible[^\n]*|filter:[^\n]*|count shown[^\n]*)$/gm)].map(
    (m) => m[1]!.trim(),
  );
  if (lines.length === 0) process.stdout.write(output.slice(-3000));
  for (const line of lines) {
    const m = /^(.*?)\s+(\d+)\s*ms/.exec(line);
    if (m)
      report.add(
        section,
        m[1]!,
        `${m[2]} ms`,
        m[1]!.startsWith('filter') ? 'goal ≤ 300 ms' : m[1]!.startsWith('count') ? '' : 'goal ≤ 1000 ms',
      );
  }
}
