import { writeFileSync } from 'node:fs';
import pg from 'pg';
import { openAuditLog } from '../src/core/services/audit-log.js';
import { createMetrics } from '../src/server/metrics.js';
import { buildServer } from '../src/server/server.js';
import { PostgresStore } from '../src/store/postgres/postgres-store.js';
import { BENCH_SIGNING_KEY } from './lib/postgres.js';
import { fmt, ms } from './lib/report.js';
import { BENCH_TOKEN } from './lib/server-process.js';

export interface PlanKind {
  name: string;
  paths: string[];
  /** Goal for p95 in ms; 0 when none. */
  goal: number;
}

interface Statement {
  text: string;
  values: unknown[];
}

/**
 * Every SQL statement a request runs, recorded while it runs: pool.query of the pg driver is wrapped (only in
 * this process, only while `recording`), so the plans below are of exactly the SQL and the parameters the
 * store sends, not of a reconstruction.
 */
let recording: Statement[] | null = null;
const proto = pg.Pool.prototype as unknown as { query: (...args: unknown[]) => unknown };
const originalQuery = proto.query;
proto.query = function (this: unknown, ...args: unknown[]) {
  if (recording && typeof args[0] === 'string') {
    recording.push({ text: args[0], values: Array.isArray(args[1]) ? args[1] : [] });
  }
  return originalQuery.apply(this, args);
};

const DATA_TABLES = /\b(events|auth_events|sessions|event_search_chunks|actors|chain_heads)\b/;

function role(text: string): string {
  if (/FROM event_search_chunks WHERE tenant = \$\d+ AND doc LIKE/.test(text))
    return 'candidate chunks (trigram GIN)';
  if (/count\(\*\) AS count FROM event_search_chunks/.test(text)) return 'chunk count (cached 30 s)';
  if (/^SELECT tenant FROM chain_heads/.test(text))
    return "store.tenants(): the checkpointer's minute timer, not this request";
  if (/FROM chain_heads/.test(text)) return 'indexed_seq';
  if (/FROM actors/.test(text)) return 'user → actor ids';
  if (/GROUP BY/.test(text)) return /unnest\(/.test(text) ? 'aggregate over candidate chunks' : 'aggregate';
  return /unnest\(/.test(text) ? "rows in candidate chunks' seq ranges" : 'rows';
}

interface PlanSummary {
  role: string;
  executionMs: number;
  rows: number;
  scans: string;
  buffers: string;
  removed: number;
  /** JIT compilation, included in executionMs (jit is on with default thresholds unless the server says otherwise). */
  jitMs: number;
  plan: string;
  sql: string;
  values: unknown[];
}

/** Scan nodes of a plan, partitions folded (`events_p202601_…` → `events_p*_…`), with their counts. */
function scansOf(plan: string): string {
  const counts = new Map<string, number>();
  for (const m of plan.matchAll(
    /(Parallel )?(Index Only Scan|Index Scan|Bitmap Index Scan|Bitmap Heap Scan|Seq Scan)( Backward)?(?: using (\S+))? on (\S+)/g,
  )) {
    const fold = (s: string | undefined) => s?.replace(/_p\d{6}/, '_p*').replace(/_default\b/, '_default');
    const key =
      `${m[1] ?? ''}${m[2]}${m[3] ?? ''}${m[4] ? ` using ${fold(m[4])}` : ''}${m[2] === 'Bitmap Index Scan' ? '' : ` on ${fold(m[5])}`}`.trim();
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts].map(([k, n]) => (n > 1 ? `${k} ×${n}` : k)).join('; ');
}

function summarize(st: Statement, plan: string): PlanSummary {
  const top = /actual time=[\d.]+\.\.([\d.]+) rows=(\d+)/.exec(plan);
  const exec = /Execution Time: ([\d.]+) ms/.exec(plan);
  const buffers = /Buffers: ([^\n]+)/.exec(plan);
  const jit = /JIT:[\s\S]*?Timing:[^\n]*Total ([\d.]+) ms/.exec(plan);
  let removed = 0;
  for (const m of plan.matchAll(/Rows Removed by (?:Filter|Index Recheck): (\d+)/g)) removed += Number(m[1]);
  let label = role(st.text);
  if (label.startsWith('candidate chunks') && top && Number(top[2]) === st.values.at(-1)) {
    label += ': over budget, so the filter scans events instead';
  }
  return {
    role: label,
    executionMs: exec ? Number(exec[1]) : Number.NaN,
    rows: top ? Number(top[2]) : 0,
    scans: scansOf(plan),
    buffers: buffers ? buffers[1]!.trim() : '',
    removed,
    jitMs: jit ? Number(jit[1]) : 0,
    plan,
    sql: st.text,
    values: st.values,
  };
}

function shortValue(v: unknown): string {
  const s = JSON.stringify(v);
  return s.length > 120 ? `${s.slice(0, 117)}…` : s;
}

/**
 * Runs each query kind once in-process (the same Fastify app and store as `auditlog serve`), records its
 * SQL, and writes EXPLAIN (ANALYZE, BUFFERS) of every data statement to `file` with a summary per kind.
 */
export async function capturePlans(
  url: string,
  kinds: PlanKind[],
  timings: Map<string, { p50: number; p95: number }>,
  file: string,
  meta: { events: number; authEvents: number; database: string },
): Promise<void> {
  process.stderr.write('bench: EXPLAIN (ANALYZE, BUFFERS) of every query shape…\n');
  const store = await PostgresStore.open({ url, keyFile: '/dev/null' });
  const log = await openAuditLog({ store, signingKey: BENCH_SIGNING_KEY });
  const app = await buildServer({ log, metrics: createMetrics(), logger: false });
  const explain = new pg.Client({ connectionString: url });
  await explain.connect();
  const results: { kind: PlanKind; path: string; statements: PlanSummary[] }[] = [];
  try {
    for (const kind of kinds) {
      const path = kind.paths[0]!;
      // Once unrecorded (warm caches and the 30-s chunk count), once recorded.
      await app.inject({ method: 'GET', url: path, headers: { authorization: `Bearer ${BENCH_TOKEN}` } });
      recording = [];
      const res = await app.inject({
        method: 'GET',
        url: path,
        headers: { authorization: `Bearer ${BENCH_TOKEN}` },
      });
      const statements = recording.filter((s) => DATA_TABLES.test(s.text) && /^\s*SELECT/i.test(s.text));
      recording = null;
      if (res.statusCode !== 200) throw new Error(`${path}: ${res.statusCode} ${res.body.slice(0, 200)}`);
      const summaries: PlanSummary[] = [];
      for (const st of statements) {
        const { rows } = await explain.query<{ 'QUERY PLAN': string }>(
          `EXPLAIN (ANALYZE, BUFFERS) ${st.text}`,
          st.values,
        );
        summaries.push(summarize(st, rows.map((r) => r['QUERY PLAN']).join('\n')));
      }
      results.push({ kind, path, statements: summaries });
    }
  } finally {
    await explain.end();
    await app.close();
    await log.close();
  }
  writeFileSync(file, planMarkdown(results, timings, meta));
}

function planMarkdown(
  results: { kind: PlanKind; path: string; statements: PlanSummary[] }[],
  timings: Map<string, { p50: number; p95: number }>,
  meta: { events: number; authEvents: number; database: string },
): string {
  const out: string[] = [
    '# PostgreSQL query plans',
    '',
    `Written by \`npm run bench\` (section postgres) on ${new Date().toISOString().slice(0, 16)}Z: every SQL statement each query kind runs, recorded in-process from the store (exact SQL and parameters), then run again under \`EXPLAIN (ANALYZE, BUFFERS)\`, warm, on database \`${meta.database}\`: ${fmt(meta.events)} events and ${fmt(meta.authEvents)} authentication events loaded by bench/postgres-loader.ts. p50 / p95 are the HTTP figures of the same run. Statements on tokens and meta are left out.`,
    '',
    '| query kind | HTTP p50 / p95 | statement | time | rows | plan (scans) |',
    '| --- | ---: | --- | ---: | ---: | --- |',
  ];
  for (const { kind, statements } of results) {
    const t = timings.get(kind.name);
    const slow = t && kind.goal && t.p95 > kind.goal ? ' **over goal**' : '';
    statements.forEach((s, i) => {
      out.push(
        `| ${i === 0 ? kind.name : ''} | ${i === 0 && t ? `${ms(t.p50)} / ${ms(t.p95)}${slow}` : ''} | ${s.role} | ${ms(s.executionMs)} | ${fmt(s.rows)} | ${s.scans.replaceAll('|', '\\|')}${s.removed ? `; ${fmt(s.removed)} rows removed by filter/recheck` : ''}${s.jitMs ? `; **JIT ${ms(s.jitMs)}**` : ''} |`,
      );
    });
  }
  out.push('', '## Plans', '');
  for (const { kind, path, statements } of results) {
    out.push(`### ${kind.name}`, '', `\`GET ${path}\``, '');
    for (const s of statements) {
      out.push(
        `**${s.role}** — ${ms(s.executionMs)}${s.jitMs ? ` (JIT ${ms(s.jitMs)})` : ''}, ${fmt(s.rows)} rows; buffers: ${s.buffers || '—'}`,
        '',
        '```sql',
        s.sql.replace(/\n\s+/g, '\n  ').trim(),
        '```',
        '',
        `parameters: ${s.values.map(shortValue).join(', ') || 'none'}`,
        '',
        '```text',
        s.plan,
        '```',
        '',
      );
    }
  }
  return `${out.join('\n')}\n`;
}
