import { writeFileSync } from 'node:fs';
import http from 'node:http';
import Database from 'better-sqlite3';
import pg from 'pg';
import { POSTGRES_DIALECT } from '../src/store/postgres/postgres-dialect.js';
import type { SqlDialect } from '../src/store/sql/sql-dialect.js';
import { SQLITE_DIALECT } from '../src/store/sqlite/sqlite-dialect.js';
import { type Explainer, explainQuery } from './lib/explain-plan.js';
import { percentile } from './lib/http-load.js';
import { BENCH_SIGNING_KEY } from './lib/postgres.js';
import { type QueryShape, queryString, queryWorkload } from './lib/query-workload.js';
import { fmt, ms, type Report } from './lib/report.js';
import { BENCH_TOKEN, type BenchServer, startServer } from './lib/server-process.js';
import { SPAN_MS } from './lib/skewed-events.js';
import { loadBenchDatabase } from './postgres-loader.js';

/**
 * The planner under a randomized, skewed workload (issue 18): `queries` seeded combinations of filters
 * (query-workload.ts) over skewed data (skewed-events.ts), each timed through HTTP against a real server
 * process — `rounds` sequential requests after one warm-up, deep pages reached through the cursor first.
 * Reports the worst p95 against the goal, the ten worst shapes with their plans, and the seed.
 */
export interface WorkloadResult {
  shape: QueryShape;
  p50: number;
  p95: number;
  rows: number;
}

export async function runWorkload(
  server: BenchServer,
  shapes: QueryShape[],
  rounds: number,
): Promise<WorkloadResult[]> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const get = (path: string) =>
    new Promise<{ ms: number; body: { events: unknown[]; nextCursor: string | null } }>((resolve, reject) => {
      const started = performance.now();
      const u = new URL(server.url + path);
      http
        .get(
          {
            agent,
            host: u.hostname,
            port: u.port,
            path: u.pathname + u.search,
            headers: { authorization: `Bearer ${BENCH_TOKEN}` },
          },
          (res) => {
            let text = '';
            res.setEncoding('utf8');
            res.on('data', (d) => {
              text += d;
            });
            res.on('end', () => {
              const took = performance.now() - started;
              if (res.statusCode !== 200) reject(new Error(`${path}: ${res.statusCode} ${text}`));
              else resolve({ ms: took, body: JSON.parse(text) });
            });
          },
        )
        .on('error', reject);
    });
  const out: WorkloadResult[] = [];
  try {
    for (const shape of shapes) {
      let params = shape.params;
      let first = await get(`/v1/events?${queryString(params)}`);
      for (let p = 1; p < shape.depth && first.body.nextCursor; p++) {
        params = [...shape.params, ['cursor', first.body.nextCursor]];
        first = await get(`/v1/events?${queryString(params)}`);
      }
      const path = `/v1/events?${queryString(params)}`;
      const times: number[] = [];
      // A failed request (the server closing a socket under load) counts as a retry, not as a figure.
      for (let r = 0, failed = 0; r < rounds && failed < 3; r++) {
        try {
          times.push((await get(path)).ms);
        } catch (error) {
          process.stderr.write(`bench: ${shape.name}: ${String(error)}\n`);
          failed++;
          r--;
        }
      }
      out.push({
        shape: { ...shape, params },
        p50: percentile(times, 50),
        p95: percentile(times, 95),
        rows: first.body.events.length,
      });
    }
  } finally {
    agent.destroy();
  }
  return out;
}

/** Adds the figure and the ten worst shapes (with plans) to the report; returns the worst p95. */
export async function reportWorkload(
  report: Report,
  title: string,
  results: WorkloadResult[],
  goalMs: number,
  baseline: number,
  d: SqlDialect,
  explain: Explainer,
): Promise<number> {
  const section = report.section(title);
  const sorted = [...results].sort((a, b) => b.p95 - a.p95);
  const worst = sorted[0]!.p95;
  const all = results.map((r) => r.p95);
  report.add(
    section,
    `worst p95 of ${results.length} query shapes`,
    ms(worst),
    `goal ≤ ${goalMs} ms${worst > goalMs ? ' — MISSED' : ' — met'}; ${(worst / baseline).toFixed(1)}× the newest page without filters (${ms(baseline)}, the baseline)`,
  );
  report.add(
    section,
    'median p95 / p90 of the p95s',
    `${ms(percentile(all, 50))} / ${ms(percentile(all, 90))}`,
    '',
  );
  report.add(
    section,
    'shapes over the goal',
    String(all.filter((p) => p > goalMs).length),
    `of ${results.length}`,
  );
  // Every shape's figures, for comparing two runs shape by shape (bench/results/ is rewritten each run).
  const file = process.env.BENCH_PLANNER_SHAPES_FILE;
  if (file) {
    writeFileSync(
      file,
      sorted.map((r) => `${ms(r.p50)}\t${ms(r.p95)}\t${r.rows}\t${r.shape.name}\n`).join(''),
    );
  }
  for (const r of sorted.slice(0, 10)) {
    report.add(section, r.shape.name, `${ms(r.p50)} / ${ms(r.p95)}`, `p50 / p95; ${r.rows} rows`);
    process.stdout.write(`\n### ${r.shape.name}: p95 ${ms(r.p95)}\n${queryString(r.shape.params)}\n`);
    process.stdout.write(`${await explainQuery(d, explain, r.shape.params)}\n`);
  }
  return worst;
}

export async function plannerBench(
  report: Report,
  file: string,
  events: number,
  options: { seed: number; queries: number; rounds: number; endMs: number },
): Promise<void> {
  const shapes = queryWorkload(options.queries, options.seed, options.endMs, SPAN_MS);
  process.stdout.write(
    `planner workload: seed ${options.seed}, ${shapes.length} shapes, ${fmt(events)} events (BENCH_PLANNER_SEED reproduces it)\n`,
  );
  const server = await startServer(['--db', file]);
  let results: WorkloadResult[];
  let baseline: number;
  try {
    const [floor] = await runWorkload(
      server,
      [{ name: 'newest page', params: [], depth: 1 }],
      options.rounds * 3,
    );
    baseline = floor!.p95;
    results = await runWorkload(server, shapes, options.rounds);
  } finally {
    await server.stop();
  }
  const db = new Database(file, { readonly: true });
  try {
    const explain: Explainer = async (text, values) => ({
      plan: (db.prepare(`EXPLAIN QUERY PLAN ${text}`).all(...values) as { detail: string }[])
        .map((r) => `   ${r.detail}`)
        .join('\n'),
      rows: db.prepare(text).all(...values) as Record<string, unknown>[],
    });
    await reportWorkload(
      report,
      `SQLite planner workload over ${fmt(events)} skewed events (seed ${options.seed}, HTTP, one client, ${options.rounds} rounds per shape)`,
      results,
      25,
      baseline,
      SQLITE_DIALECT,
      explain,
    );
  } finally {
    db.close();
  }
}

/** The same workload on PostgreSQL over `events` skewed events (bench/postgres-loader.ts, source `skewed`). */
export async function plannerBenchPostgres(
  report: Report,
  events: number,
  options: { seed: number; queries: number; rounds: number; fresh: boolean },
): Promise<void> {
  const started = performance.now();
  const loaded = await loadBenchDatabase(events, { fresh: options.fresh, source: 'skewed' });
  const loadMin = (performance.now() - started) / 60_000;
  const shapes = queryWorkload(options.queries, options.seed, loaded.info.endMs, SPAN_MS);
  process.stdout.write(
    `planner workload on PostgreSQL: seed ${options.seed}, ${shapes.length} shapes, ${fmt(events)} events\n`,
  );
  const server = await startServer(['--database-url', loaded.url], {
    AUDITLOG_SIGNING_KEY: BENCH_SIGNING_KEY,
  });
  let results: WorkloadResult[];
  let baseline: number;
  try {
    const [floor] = await runWorkload(
      server,
      [{ name: 'newest page', params: [], depth: 1 }],
      options.rounds * 3,
    );
    baseline = floor!.p95;
    results = await runWorkload(server, shapes, options.rounds);
  } finally {
    await server.stop();
  }
  const client = new pg.Client({ connectionString: loaded.url });
  await client.connect();
  try {
    const explain: Explainer = async (text, values) => {
      const plan = await client.query(`EXPLAIN (ANALYZE, BUFFERS) ${text}`, values);
      return {
        plan: plan.rows.map((r) => `   ${r['QUERY PLAN']}`).join('\n'),
        rows: (await client.query(text, values)).rows,
      };
    };
    await reportWorkload(
      report,
      `PostgreSQL planner workload over ${fmt(events)} skewed events (seed ${options.seed}, HTTP, one client, ${options.rounds} rounds per shape; ${loaded.loadedNow ? `loaded now in ${loadMin.toFixed(1)} min` : 'database kept from an earlier run'})`,
      results,
      100,
      baseline,
      POSTGRES_DIALECT,
      explain,
    );
  } finally {
    await client.end();
  }
}
