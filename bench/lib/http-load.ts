import http from 'node:http';
import { ms } from './report.js';

export interface LoadResult {
  requests: number;
  errors: number;
  seconds: number;
  latenciesMs: number[];
  statuses: Map<number, number>;
}

/**
 * A small closed-loop load generator: `connections` keep-alive connections, each sending the next request
 * as soon as the previous answer arrived, until `total` requests are sent. Latency is measured per request.
 */
export async function runLoad(options: {
  url: string;
  connections: number;
  total: number;
  method?: string;
  headers?: Record<string, string>;
  body: (i: number) => string | undefined;
}): Promise<LoadResult> {
  const target = new URL(options.url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.connections });
  const latencies: number[] = [];
  const statuses = new Map<number, number>();
  let next = 0;
  let errors = 0;
  const one = (i: number) =>
    new Promise<void>((resolve) => {
      const body = options.body(i);
      const started = performance.now();
      const req = http.request(
        {
          agent,
          host: target.hostname,
          port: target.port,
          path: target.pathname + target.search,
          method: options.method ?? 'POST',
          headers: { ...options.headers, ...(body ? { 'content-length': Buffer.byteLength(body) } : {}) },
        },
        (res) => {
          res.resume();
          res.on('end', () => {
            latencies.push(performance.now() - started);
            statuses.set(res.statusCode ?? 0, (statuses.get(res.statusCode ?? 0) ?? 0) + 1);
            if ((res.statusCode ?? 0) >= 300) errors++;
            resolve();
          });
        },
      );
      req.on('error', () => {
        errors++;
        resolve();
      });
      req.end(body);
    });
  const started = performance.now();
  await Promise.all(
    Array.from({ length: options.connections }, async () => {
      while (next < options.total) await one(next++);
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  return { requests: options.total, errors, seconds, latenciesMs: latencies, statuses };
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** "p50 / p99" of a load's request latencies. */
export function latencyLine(r: LoadResult): string {
  return `${ms(percentile(r.latenciesMs, 50))} / ${ms(percentile(r.latenciesMs, 99))}`;
}

/** POST /v1/events of `events` in batches of 500 bodies on 4 connections (the ingest benchmarks' batch load). */
export function postBatches(
  serverUrl: string,
  events: unknown[],
  headers: Record<string, string>,
): Promise<LoadResult> {
  const bodies: string[] = [];
  for (let i = 0; i < events.length; i += 500)
    bodies.push(JSON.stringify({ events: events.slice(i, i + 500) }));
  return runLoad({
    url: `${serverUrl}/v1/events`,
    connections: 4,
    total: bodies.length,
    headers,
    body: (i) => bodies[i],
  });
}

/** POST /v1/events of one event per request, on `connections` connections (the single-event load). */
export function postSingles(
  serverUrl: string,
  singles: string[],
  headers: Record<string, string>,
  connections = 16,
): Promise<LoadResult> {
  return runLoad({
    url: `${serverUrl}/v1/events`,
    connections,
    total: singles.length,
    headers,
    body: (i) => singles[i],
  });
}

/**
 * Sequential GETs (one at a time, after warm-up): the latency of one query kind. With `budgetMs`, stops
 * after the round that exceeds it (slow kinds on large datasets), so fewer than `rounds` may be measured.
 */
export async function timeQueries(
  url: string,
  token: string,
  paths: string[],
  rounds: number,
  budgetMs = Number.POSITIVE_INFINITY,
): Promise<number[]> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const get = (path: string) =>
    new Promise<number>((resolve, reject) => {
      const started = performance.now();
      const u = new URL(url + path);
      http
        .get(
          {
            agent,
            host: u.hostname,
            port: u.port,
            path: u.pathname + u.search,
            headers: { authorization: `Bearer ${token}` },
          },
          (res) => {
            res.resume();
            res.on('end', () => {
              if ((res.statusCode ?? 0) !== 200) reject(new Error(`${path}: ${res.statusCode}`));
              else resolve(performance.now() - started);
            });
          },
        )
        .on('error', reject);
    });
  for (const p of paths) await get(p);
  const out: number[] = [];
  const started = performance.now();
  for (let r = 0; r < rounds && performance.now() - started < budgetMs; r++)
    for (const p of paths) out.push(await get(p));
  agent.destroy();
  return out;
}
