import { fork } from 'node:child_process';
import { once } from 'node:events';
import { rmSync } from 'node:fs';
import http from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { download } from './export-bench.js';
import { DATA_DIR, demoDataset } from './lib/datasets.js';
import { percentile, runLoad } from './lib/http-load.js';
import { BENCH_SIGNING_KEY, databaseExists, databaseUrl, freshDatabase } from './lib/postgres.js';
import { fmt, ms, type Report } from './lib/report.js';
import { BENCH_TOKEN, run, startServer } from './lib/server-process.js';

const headers = { authorization: `Bearer ${BENCH_TOKEN}`, 'content-type': 'application/json' };
const GOAL_MS = 100;

/**
 * The longest the server keeps everyone else waiting: a separate process polls GET /healthz (every 10 ms
 * after each answer) while one heavy request runs, and the slowest answer is the figure. Loads: a CSV
 * export of `events` events, six of them at once, an NDJSON export, GET /v1/alerts after `failures`
 * password-spraying failures, and an 8 MB body of one event holding one huge array (rejected with 413), sent
 * with its Content-Length and chunked.
 */
export async function stallBench(
  report: Report,
  store: 'sqlite' | 'postgres',
  events: number,
  failures: number,
): Promise<void> {
  const section = report.section(
    `Longest /healthz wait under one heavy request (${store === 'sqlite' ? 'SQLite' : 'PostgreSQL'}, polled every 10 ms from another process)`,
  );
  const add = (name: string, r: Stall, what: string) =>
    report.add(
      section,
      name,
      ms(r.maxMs),
      `goal < ${GOAL_MS} ms${r.maxMs >= GOAL_MS ? ' — MISSED' : ''}; p99 ${ms(r.p99Ms)} of ${fmt(r.polls)} polls; ${what} in ${r.seconds.toFixed(1)} s`,
    );

  const exportArgs = store === 'sqlite' ? ['--db', (await demoDataset(events)).file] : await pgDemo(events);
  let server = await startServer(exportArgs, { AUDITLOG_SIGNING_KEY: BENCH_SIGNING_KEY });
  try {
    const idle = await worstStall(server.url, () => sleep(2000));
    add('no request (the machine’s own noise)', idle, 'waiting');
    const get = (format: string) => download(`${server.url}/v1/export?format=${format}`);
    const csv = await worstStall(server.url, () => get('csv'));
    add(`CSV export of ${fmt(events)} events`, csv, `${fmt(csv.result.bytes / 1e6)} MB`);
    const six = await worstStall(server.url, () => Promise.all(Array.from({ length: 6 }, () => get('csv'))));
    add('six CSV exports at once', six, `${fmt(six.result.reduce((n, r) => n + r.bytes, 0) / 1e6)} MB`);
    const ndjson = await worstStall(server.url, () => get('ndjson'));
    add(`NDJSON export of ${fmt(events)} events`, ndjson, `${fmt(ndjson.result.bytes / 1e6)} MB`);
  } finally {
    await server.stop();
  }

  const alertsArgs = await freshStore(store, 'auditlog_bench_stall_alerts', 'stall-alerts.db');
  server = await startServer(alertsArgs, { AUDITLOG_SIGNING_KEY: BENCH_SIGNING_KEY });
  try {
    await postSpraying(server.url, failures);
    const alerts = await worstStall(server.url, () => download(`${server.url}/v1/alerts`));
    add(
      `GET /v1/alerts after ${fmt(failures)} spraying failures`,
      alerts,
      `answer ${fmt(alerts.result.bytes / 1e3)} KB`,
    );
    const body = hugeArrayBody(8_000_000);
    const big = await worstStall(server.url, () => post(`${server.url}/v1/events`, body));
    add(
      `POST of one event of ${fmt(body.length / 1e6, 1)} MB, one huge array`,
      big,
      `answered ${big.result}`,
    );
    const chunked = await worstStall(server.url, () => post(`${server.url}/v1/events`, body, true));
    add(`the same POST sent chunked (no Content-Length)`, chunked, `answered ${chunked.result}`);
  } finally {
    await server.stop();
  }
}

interface Stall {
  maxMs: number;
  p99Ms: number;
  polls: number;
  seconds: number;
}

async function worstStall<T>(url: string, load: () => Promise<T>): Promise<Stall & { result: T }> {
  const poller = fork(fileURLToPath(new URL('./lib/healthz-poller.ts', import.meta.url)), [url]);
  try {
    await once(poller, 'message');
    const started = performance.now();
    const result = await load();
    const seconds = (performance.now() - started) / 1000;
    poller.send('stop');
    const [waits] = (await once(poller, 'message')) as [number[]];
    return { maxMs: Math.max(...waits), p99Ms: percentile(waits, 99), polls: waits.length, seconds, result };
  } finally {
    poller.kill();
  }
}

/** The demo dataset of `events` events in a PostgreSQL database kept for later runs. */
async function pgDemo(events: number): Promise<string[]> {
  const name = `auditlog_bench_stall_${events}`;
  if (await databaseExists(name)) return ['--database-url', databaseUrl(name)];
  const url = await freshDatabase(name);
  process.stderr.write(`bench: loading ${events} demo events into ${name}…\n`);
  const r = await run(['demo', '--events', String(events), '--database-url', url], {
    AUDITLOG_SIGNING_KEY: BENCH_SIGNING_KEY,
  });
  if (r.code !== 0) throw new Error(`demo failed: ${r.stderr}`);
  return ['--database-url', url];
}

async function freshStore(store: 'sqlite' | 'postgres', database: string, file: string): Promise<string[]> {
  if (store === 'postgres') return ['--database-url', await freshDatabase(database)];
  for (const s of ['', '-wal', '-shm', '.signing-key.pem']) rmSync(DATA_DIR + file + s, { force: true });
  return ['--db', DATA_DIR + file];
}

/** `n` failed logins from one IP, each for another username, over the last hours: one long spraying run. */
async function postSpraying(url: string, n: number): Promise<void> {
  const startMs = Date.now() - 60_000 - n * 1000;
  const bodies: string[] = [];
  for (let i = 0; i < n; i += 1000) {
    const events = [];
    for (let k = i; k < Math.min(n, i + 1000); k++) {
      events.push({
        type: 'login_failure',
        user: { username: `sprayed.user.${String(k).padStart(6, '0')}` },
        reason: 'unknown_user',
        ip: '203.0.113.66',
        occurredAt: new Date(startMs + k * 1000).toISOString(),
      });
    }
    bodies.push(JSON.stringify({ events }));
  }
  const r = await runLoad({
    url: `${url}/v1/auth-events`,
    connections: 4,
    total: bodies.length,
    headers,
    body: (i) => bodies[i],
  });
  if (r.errors > 0) throw new Error(`loading the spraying failures: ${r.errors} errors`);
}

/** One event of about `bytes` bytes, nearly all of it one array of strings in `newValue` (rejected: too large). */
function hugeArrayBody(bytes: number): string {
  const event = {
    actor: { id: 'usr_1', username: 'jane.admin' },
    action: 'update',
    category: 'users',
    target: { type: 'User', id: 'u-1' },
  };
  const items: string[] = [];
  for (let size = 200; size < bytes; size += 11) items.push(`v${String(items.length).padStart(7, '0')}`);
  return JSON.stringify({ ...event, newValue: items });
}

/** POSTs `body` with its Content-Length, or `chunked` in pieces of 64 KB (its length unknown until read). */
function post(url: string, body: string, chunked = false): Promise<number> {
  return new Promise((resolve, reject) => {
    const length = chunked ? {} : { 'content-length': Buffer.byteLength(body) };
    const req = http.request(url, { method: 'POST', headers: { ...headers, ...length } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    if (!chunked) return void req.end(body);
    for (let at = 0; at < body.length; at += 65_536) req.write(body.slice(at, at + 65_536));
    req.end();
  });
}
