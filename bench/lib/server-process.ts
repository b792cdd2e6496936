import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The CLI the benchmarks start; BENCH_AUDITLOG_BIN runs another build (a baseline from another checkout). */
export const BIN =
  process.env.BENCH_AUDITLOG_BIN ?? fileURLToPath(new URL('../../bin/auditlog.js', import.meta.url));
export const BENCH_TOKEN = 'PhNE4pV0jW9aUex-pRWFhH8Ql7k1Gf_h';
/**
 * Node flags for the servers only (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`, which NODE_OPTIONS refuses),
 * separated by spaces.
 */
const SERVER_NODE_ARGS = (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean);

export interface BenchServer {
  url: string;
  child: ChildProcess;
  /** Peak resident set size of the server process so far (VmHWM), in MB. */
  peakRssMb: () => number;
  /** CPU seconds (user + system, every thread) the server process has used so far. */
  cpuSeconds: () => number;
  stop: () => Promise<void>;
}

/** `bin`: another build's bin/auditlog.js (the ingest section's before/after comparison). */
export function startServer(
  args: string[],
  env: Record<string, string> = {},
  bin = BIN,
): Promise<BenchServer> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [...SERVER_NODE_ARGS, bin, 'serve', '--host', '127.0.0.1', '--port', '0', ...args],
      {
        env: { ...process.env, AUDITLOG_BOOTSTRAP_TOKEN: BENCH_TOKEN, LOG_LEVEL: 'error', ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    const onData = (d: Buffer) => {
      out += d;
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) {
        child.stdout!.off('data', onData);
        resolve({
          url: m[1]!,
          child,
          peakRssMb: () => {
            const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
            return Number(/VmHWM:\s+(\d+)/.exec(status)![1]) / 1024;
          },
          cpuSeconds: () => cpuSeconds(child.pid),
          stop: () =>
            new Promise((r) => {
              child.once('exit', () => r());
              child.kill('SIGTERM');
            }),
        });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (d) => {
      out += d;
    });
    child.once('exit', (code) => reject(new Error(`server exited ${code}: ${out}`)));
  });
}

/** Resolves once the server uses under a tenth of a core over a quarter second (at most `maxMs` later). */
export async function settled(server: BenchServer, maxMs = 30_000): Promise<void> {
  const until = Date.now() + maxMs;
  for (let cpu = server.cpuSeconds(); Date.now() < until; ) {
    await new Promise((r) => setTimeout(r, 250));
    const now = server.cpuSeconds();
    if (now - cpu < 0.025) return;
    cpu = now;
  }
}

export function run(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** CPU seconds (user + system) a process has used so far, from /proc (Linux); NaN elsewhere. */
export function cpuSeconds(pid: number | undefined): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
  } catch {
    return Number.NaN;
  }
}
