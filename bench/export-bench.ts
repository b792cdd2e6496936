import http from 'node:http';
import { fmt, type Report } from './lib/report.js';
import { BENCH_TOKEN, startServer } from './lib/server-process.js';

/** Streams a whole export over HTTP, counting bytes and lines, into nothing. */
export function download(url: string): Promise<{ bytes: number; lines: number; seconds: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    let bytes = 0;
    let lines = 0;
    http
      .get(url, { headers: { authorization: `Bearer ${BENCH_TOKEN}` } }, (res) => {
        res.on('data', (chunk: Buffer) => {
          bytes += chunk.length;
          for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) lines++;
        });
        res.on('end', () => resolve({ bytes, lines, seconds: (performance.now() - started) / 1000 }));
      })
      .on('error', reject);
  });
}

export async function exportBench(report: Report, file: string, events: number): Promise<void> {
  const section = report.section(`Export of ${fmt(events)} events (HTTP, one server process started fresh)`);
  for (const format of (process.env.EXPORT_FORMATS ?? 'ndjson,csv').split(',') as ('ndjson' | 'csv')[]) {
    const server = await startServer(['--db', file]);
    try {
      const before = server.peakRssMb();
      const cpuBefore = server.cpuSeconds();
      const r = await download(`${server.url}/v1/export?format=${format}`);
      const peak = server.peakRssMb();
      // CPU per event swings less with a shared machine's load than the rate: the figure to compare builds by.
      const cpu = ((server.cpuSeconds() - cpuBefore) * 1e6) / events;
      report.add(
        section,
        `${format}${format === 'ndjson' ? ' (verifiable, chain order)' : ''}`,
        `${fmt(events / r.seconds)} events/s`,
        `${fmt(r.bytes / 1e6)} MB in ${r.seconds.toFixed(1)} s; server CPU ${cpu.toFixed(1)} µs/event; peak RSS ${fmt(peak)} MB (at start ${fmt(before)} MB); goal ≥ 100,000/s, < 150 MB`,
      );
    } finally {
      await server.stop();
    }
  }
}
