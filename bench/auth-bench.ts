import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { agentShiftAuthEvents } from '../src/cli/demo/demo-auth-events.js';
import type { AuthEventInput } from '../src/core/domain/schemas/auth-event-schema.js';
import { openAuditLog } from '../src/core/services/audit-log.js';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { DATA_DIR } from './lib/datasets.js';
import { percentile, runLoad, timeQueries } from './lib/http-load.js';
import { fmt, ms, type Report } from './lib/report.js';
import { BENCH_TOKEN, startServer } from './lib/server-process.js';

const DAY = 86_400_000;

/** About `n` authentication events: agents' shifts over a year, with failures, the attacks at the end. */
function authEvents(n: number, endMs: number): AuthEventInput[] {
  const out: AuthEventInput[] = [];
  for (const e of agentShiftAuthEvents(Math.ceil(n / 2.05), endMs - 365 * DAY, endMs, 11)) {
    out.push(e);
    if (out.length >= n) break;
  }
  return out;
}

async function authDataset(n: number, endMs: number): Promise<string> {
  const file = `${DATA_DIR}auth-${n}-v3.db`;
  if (existsSync(file)) return file;
  process.stderr.write(`bench: building a dataset of ${n} authentication events…\n`);
  const tmp = `${file}.building`;
  for (const s of ['', '-wal', '-shm', '.signing-key.pem']) rmSync(tmp + s, { force: true });
  const log = await openAuditLog({ store: await SqliteStore.open({ file: tmp }) });
  const events = authEvents(n, endMs);
  const pending: Promise<unknown>[] = [];
  for (let i = 0; i < events.length; i += 1000) {
    pending.push(log.auth.append('default', { events: events.slice(i, i + 1000) }));
    if (pending.length >= 4) await pending.shift();
  }
  await Promise.all(pending);
  await log.close();
  renameSync(tmp, file);
  renameSync(`${tmp}.signing-key.pem`, `${file}.signing-key.pem`);
  return file;
}

export async function authBench(
  report: Report,
  ingestN: number,
  datasetN: number,
  rounds: number,
): Promise<void> {
  const section = report.section(
    `Authentication log (ingest ${fmt(ingestN)}; queries over ${fmt(datasetN)} auth events)`,
  );
  const endMs = Date.now() - 60_000;
  mkdirSync(DATA_DIR, { recursive: true });
  const ingestFile = `${DATA_DIR}auth-ingest.db`;
  for (const s of ['', '-wal', '-shm', '.signing-key.pem']) rmSync(ingestFile + s, { force: true });
  const events = authEvents(ingestN, endMs);
  const bodies: string[] = [];
  for (let i = 0; i < events.length; i += 500)
    bodies.push(JSON.stringify({ events: events.slice(i, i + 500) }));
  let server = await startServer(['--db', ingestFile]);
  const headers = { authorization: `Bearer ${BENCH_TOKEN}`, 'content-type': 'application/json' };
  const load = await runLoad({
    url: `${server.url}/v1/auth-events`,
    connections: 4,
    total: bodies.length,
    headers,
    body: (i) => bodies[i],
  });
  report.add(
    section,
    'auth-event ingest, batches of 500, 4 connections',
    `${fmt(events.length / load.seconds)} events/s`,
    `errors ${load.errors}`,
  );
  await server.stop();

  const file = await authDataset(datasetN, endMs);
  server = await startServer(['--db', file]);
  try {
    const kinds: [string, string[]][] = [
      ['sessions, newest page', ['/v1/sessions']],
      ['sessions, open only', ['/v1/sessions?active=true']],
      ['sessions of one user', ['/v1/sessions?user=maria.garcia']],
      ['auth events, failures only', ['/v1/auth-events?type=login_failure']],
      ['failures by user, 15 min window', ['/v1/auth/failures?window=15m&groupBy=user']],
      ['failures by IP, 24 h window', ['/v1/auth/failures?window=24h&groupBy=ip']],
      ['alerts, last 24 h', ['/v1/alerts']],
      ['alerts, last 30 days', [`/v1/alerts?from=${new Date(endMs - 30 * DAY).toISOString()}`]],
    ];
    for (const [name, paths] of kinds) {
      const latencies = await timeQueries(server.url, BENCH_TOKEN, paths, rounds);
      const p95 = percentile(latencies, 95);
      report.add(
        section,
        name,
        `${ms(percentile(latencies, 50))} / ${ms(p95)}`,
        `p50 / p95; goal p95 ≤ 50 ms${p95 > 50 ? ' — MISSED' : ''}`,
      );
    }
  } finally {
    await server.stop();
  }
}
