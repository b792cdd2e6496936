import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type LoadResult, percentile, postSingles } from './http-load.js';
import { ms } from './report.js';

/** A load's outcome as the reports print it, whoever generated it. */
export interface PostsResult {
  requests: number;
  errors: number;
  seconds: number;
  p50Ms: number;
  p99Ms: number;
  /** What sent the requests, for the report. */
  generator: string;
}

/** Whether wrk (Debian's package `wrk`) can run here. */
export function hasWrk(): boolean {
  return spawnSync('wrk', ['--version']).error === undefined;
}

/** A Lua 5.1 string literal of `text`'s UTF-8 bytes (LuaJIT, wrk's Lua, has no \u escape). */
function luaString(text: string): string {
  let out = '"';
  for (const byte of Buffer.from(text, 'utf8')) {
    out +=
      byte < 32 || byte > 126 || byte === 34 || byte === 92
        ? `\\${String(byte).padStart(3, '0')}`
        : String.fromCharCode(byte);
  }
  return `${out}"`;
}

/**
 * POSTs JSON objects to `url` with wrk (another process, one thread: it costs the shared cores far less per
 * request than a Node client, which held single-event posts near 2,000/s where the server takes 4,000+), for
 * `seconds` on `connections` keep-alive connections, cycling through `bodies`. Each request gets an `id` of
 * its own, so no post is answered as a duplicate.
 */
export async function wrkPosts(
  url: string,
  bodies: string[],
  headers: Record<string, string>,
  options: { connections: number; seconds: number },
): Promise<PostsResult> {
  const dir = mkdtempSync(join(tmpdir(), 'auditlog-wrk-'));
  const script = join(dir, 'posts.lua');
  const run = `${process.pid.toString(36)}-${Date.now().toString(36)}`;
  writeFileSync(
    script,
    [
      'wrk.method = "POST"',
      ...Object.entries(headers).map(([k, v]) => `wrk.headers[${luaString(k)}] = ${luaString(v)}`),
      `local bodies = {${bodies.map((b) => luaString(JSON.stringify({ ...JSON.parse(b), id: undefined }))).join(',\n')}}`,
      'local n = 0',
      'request = function()',
      '  n = n + 1',
      '  local body = bodies[(n % #bodies) + 1]',
      `  local sep = body == "{}" and "" or ","`,
      `  return wrk.format(nil, nil, nil, '{"id":"wrk-${run}-' .. n .. '"' .. sep .. body:sub(2))`,
      'end',
      'done = function(summary, latency)',
      '  local e = summary.errors',
      '  io.write(string.format("WRK %d %d %d %d %d\\n", summary.requests, summary.duration,',
      '    latency:percentile(50), latency:percentile(99), e.status + e.connect + e.read + e.write + e.timeout))',
      'end',
    ].join('\n'),
  );
  try {
    const args = ['-t1', `-c${options.connections}`, `-d${options.seconds}s`, '-s', script, url];
    const stdout = await new Promise<string>((resolve, reject) => {
      const child = spawn('wrk', args, { stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      child.stdout.on('data', (d) => {
        out += d;
      });
      child.on('error', reject);
      child.on('exit', (code) =>
        code === 0 ? resolve(out) : reject(new Error(`wrk exited ${code}: ${out}`)),
      );
    });
    const m = /WRK (\d+) (\d+) (\d+) (\d+) (\d+)/.exec(stdout);
    if (!m) throw new Error(`wrk printed no summary: ${stdout}`);
    const [requests, durationUs, p50Us, p99Us, errors] = m.slice(1).map(Number) as number[];
    return {
      requests: requests!,
      errors: errors!,
      seconds: durationUs! / 1e6,
      p50Ms: p50Us! / 1000,
      p99Ms: p99Us! / 1000,
      generator: 'wrk',
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A Node client's load (http-load.ts) in the same shape. */
export function fromLoad(r: LoadResult): PostsResult {
  return {
    requests: r.requests,
    errors: r.errors,
    seconds: r.seconds,
    p50Ms: percentile(r.latenciesMs, 50),
    p99Ms: percentile(r.latenciesMs, 99),
    generator: 'a Node client in the bench process (install wrk for an external one)',
  };
}

/** Seconds of a wrk single-event load (BENCH_SINGLES_SECONDS). */
const SINGLES_SECONDS = Number(process.env.BENCH_SINGLES_SECONDS ?? 10);

/**
 * Single-event posts (one event per request) on `connections` connections: with wrk for SINGLES_SECONDS when
 * it is installed, else every one of `singles` once from this process's Node client.
 */
export async function postSinglesExternal(
  url: string,
  singles: string[],
  headers: Record<string, string>,
  connections = 16,
): Promise<PostsResult> {
  if (!hasWrk()) return fromLoad(await postSingles(url, singles, headers, connections));
  return wrkPosts(`${url}/v1/events`, singles, headers, { connections, seconds: SINGLES_SECONDS });
}

/** "p50 / p99" of a load's latencies. */
export const postsLatency = (r: PostsResult) => `${ms(r.p50Ms)} / ${ms(r.p99Ms)}`;
