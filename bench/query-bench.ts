import Database from 'better-sqlite3';
import { percentile, timeQueries } from './lib/http-load.js';
import { fmt, ms, type Report } from './lib/report.js';
import { BENCH_TOKEN, startServer } from './lib/server-process.js';

/** Values that exist in the dataset, picked from it so that each query kind has real matches. */
function pickValues(file: string) {
  const db = new Database(file, { readonly: true });
  const one = (sql: string) => db.prepare(sql).pluck().get() as string;
  const values = {
    ip: one("SELECT json_extract(body, '$.ip') FROM events WHERE rid = 1000"),
    session: one('SELECT session_id FROM events WHERE rid = 5000'),
    rareTicket: one(
      "SELECT json_extract(body, '$.reason') FROM events WHERE json_extract(body, '$.reason') LIKE 'Ticket OPS-%' AND rid > 100000 LIMIT 1",
    ),
    newest: db.prepare('SELECT max(occurred_ms) FROM events').pluck().get() as number,
  };
  db.close();
  return values;
}

export async function queryBench(
  report: Report,
  file: string,
  events: number,
  rounds: number,
): Promise<void> {
  const section = report.section(
    `SQLite queries over ${fmt(events)} events (HTTP included, one client, ${rounds} rounds each)`,
  );
  const v = pickValues(file);
  const day = new Date(v.newest - 86_400_000).toISOString();
  const week = new Date(v.newest - 7 * 86_400_000).toISOString();
  const enc = encodeURIComponent;
  const kinds: [string, string[], number][] = [
    ['newest page (no filter)', ['/v1/events'], 10],
    ['date range (last 7 days)', [`/v1/events?from=${week}`], 10],
    ['user (username)', ['/v1/events?user=jose.alvarez', '/v1/events?user=li.wei'], 10],
    ['action', ['/v1/events?action=delete'], 10],
    ['category (rarest)', ['/v1/events?category=ai'], 10],
    ['eventType', ['/v1/events?eventType=campaign.pacing_adjusted'], 10],
    ['target type + id (entity)', ['/v1/events?targetType=Carrier&targetId=trunk-provider-3'], 10],
    ['target (id or name)', ['/v1/events?target=main-menu'], 10],
    ['entity history (oldest first)', ['/v1/entities/IVR/billing-menu/history'], 10],
    ['ip address', [`/v1/events?ip=${enc(v.ip)}`], 10],
    ['ip CIDR /16', ['/v1/events?ip=203.0.0.0%2F16'], 10],
    ['sessionId', [`/v1/events?sessionId=${enc(v.session)}`], 10],
    ['keyword: rare', [`/v1/events?q=${enc(`"${v.rareTicket}"`)}`], 25],
    ['keyword: common', ['/v1/events?q=campaign'], 25],
    ['keyword: phrase', [`/v1/events?q=${enc('"Spring Renewal"')}`], 25],
    ['keyword: Unicode', ['/v1/events?q=%C3%91AND%C3%9A'], 25],
    ['keyword: two words', ['/v1/events?q=trunk-provider-2%20maxChannels'], 25],
    ['keyword: short (2 chars)', ['/v1/events?q=zq'], 25],
    [
      'combined (user+category+q+from)',
      [`/v1/events?user=jane.admin&category=telephony&q=trunk&from=${day}`],
      25,
    ],
    ['stats by category (whole log)', ['/v1/stats?groupBy=category'], 0],
  ];
  const server = await startServer(['--db', file]);
  try {
    for (const [name, paths, goal] of kinds) {
      const latencies = await timeQueries(server.url, BENCH_TOKEN, paths, rounds);
      const p95 = percentile(latencies, 95);
      const verdict = goal ? `goal p95 ≤ ${goal} ms${p95 > goal ? ' — MISSED' : ''}` : '';
      report.add(section, name, `${ms(percentile(latencies, 50))} / ${ms(p95)}`, `p50 / p95; ${verdict}`);
    }
  } finally {
    await server.stop();
  }
}
