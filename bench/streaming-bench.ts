import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { type AuditLog, openAuditLog } from '../src/core/services/audit-log.js';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { percentile } from './lib/http-load.js';
import { fmt, ms, type Report } from './lib/report.js';

const BY = { actor: { id: 'bench', type: 'system' as const } };
const DELIVERY = { pollMs: 100, retry: { baseDelayMs: 50, maxDelayMs: 500, maxFailures: 1000 } };
const THROUGHPUT_GOAL = 5_000;
const LAG_GOAL_MS = 1_000;

const event = (i: number) => ({
  actor: { id: `usr_${i % 50}`, username: `user${i % 50}` },
  action: 'update',
  category: 'telephony',
  eventType: 'carrier.updated',
  target: { type: 'Carrier', id: `trunk-${i}` },
  oldValue: { maxChannels: i },
  newValue: { maxChannels: i + 1 },
  ip: '10.0.0.1',
});

/** A receiver per kind that counts the entries it got (and when each id arrived). */
interface Sink {
  settings: Record<string, unknown>;
  received: Map<string, number>;
  close: () => Promise<void>;
}

async function webhookSink(): Promise<Sink> {
  const received = new Map<string, number>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const now = performance.now();
      for (const e of JSON.parse(Buffer.concat(chunks).toString('utf8')) as { id: string }[])
        if (!received.has(e.id)) received.set(e.id, now);
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as net.AddressInfo;
  return {
    settings: { kind: 'webhook', url: `http://127.0.0.1:${port}/` },
    received,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

/** A syslog receiver reading RFC 5425 octet-counted frames (the structured data carries the id). */
async function syslogSink(): Promise<Sink> {
  const received = new Map<string, number>();
  const server = net.createServer((socket) => {
    let buffer = '';
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => {
      buffer += d;
      const now = performance.now();
      for (const m of buffer.matchAll(/\[auditlog@32473 id="([^"]+)"/g))
        if (!received.has(m[1]!)) received.set(m[1]!, now);
      buffer = buffer.slice(Math.max(0, buffer.lastIndexOf('[auditlog@32473')));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as net.AddressInfo;
  return {
    settings: { kind: 'syslog', host: '127.0.0.1', port },
    received,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

/** A JetStream stream on the local nats-server; its message count after the run. */
async function natsSink(): Promise<Sink | null> {
  const nc = await connect({ servers: 'nats://127.0.0.1:4222', timeout: 2000, reconnect: false }).catch(
    () => null,
  );
  if (!nc) return null;
  const jsm = await jetstreamManager(nc);
  const name = `AUDITLOG_BENCH_${process.pid}`;
  await jsm.streams.add({ name, subjects: [`auditlog.bench.${process.pid}`] });
  const received = new Map<string, number>();
  const sink: Sink = {
    settings: { kind: 'nats', servers: 'nats://127.0.0.1:4222', subject: `auditlog.bench.${process.pid}` },
    received,
    close: async () => {
      await jsm.streams.delete(name).catch(() => {});
      await nc.close();
    },
  };
  // Count stored messages instead of consuming them (the ack already means the stream has them).
  const poll = setInterval(async () => {
    const info = await jsm.streams.info(name).catch(() => null);
    for (let i = received.size; info && i < info.state.messages; i++)
      received.set(`m${i}`, performance.now());
  }, 20);
  const close = sink.close;
  sink.close = async () => {
    clearInterval(poll);
    await close();
  };
  return sink;
}

async function withLog<T>(run: (log: AuditLog) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'auditlog-stream-bench-'));
  const log = await openAuditLog({ store: await SqliteStore.open({ file: join(dir, 'bench.db') }) });
  try {
    return await run(log);
  } finally {
    await log.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Stream delivery: entries delivered per second per kind from a backlog of `events` (a replay from seq 1,
 * batches of 100, the default), next to the rate the same log appended them at; and the end-to-end lag from
 * an append's acknowledgement to the webhook receiver, at a steady 1,000 events/s for `seconds`.
 */
export async function streamingBench(report: Report, events: number, seconds: number): Promise<void> {
  const section = report.section('Stream delivery (SQLite, one node, receivers on this machine)');
  for (const make of [webhookSink, syslogSink, natsSink]) {
    const sink = await make();
    if (!sink) {
      report.add(section, 'nats delivery', 'skipped', 'no nats-server with JetStream at 127.0.0.1:4222');
      continue;
    }
    try {
      await withLog(async (log) => {
        let started = performance.now();
        for (let i = 0; i < events; i += 500)
          await log.appendEvents('bench', {
            events: Array.from({ length: Math.min(500, events - i) }, (_, j) => event(i + j)),
          });
        const appendRate = events / ((performance.now() - started) / 1000);
        const { destination } = await log.destinations.create(
          'bench',
          { name: 'bench', ...sink.settings },
          BY,
        );
        await log.destinations.replay('bench', destination.id, { fromSeq: 1 }, BY);
        started = performance.now();
        log.delivery.start(DELIVERY);
        while (sink.received.size < events) await sleep(20);
        const rate = events / ((performance.now() - started) / 1000);
        report.add(
          section,
          `${sink.settings.kind} delivery, ${fmt(events)} entries`,
          `${fmt(rate)} entries/s`,
          `${(rate / appendRate).toFixed(2)}× the append rate of the same log (${fmt(appendRate)}/s); goal ≥ ${fmt(THROUGHPUT_GOAL)}/s${rate < THROUGHPUT_GOAL ? ' — MISSED' : ''}`,
        );
      });
    } finally {
      await sink.close();
    }
  }

  const sink = await webhookSink();
  try {
    await withLog(async (log) => {
      await log.destinations.create('bench', { name: 'lag', ...sink.settings }, BY);
      log.delivery.start(DELIVERY);
      const acked = new Map<string, number>();
      const start = performance.now();
      // 10 events every 10 ms: a steady 1,000 events/s.
      for (let tick = 0; tick < seconds * 100; tick++) {
        const due = start + tick * 10;
        if (performance.now() < due) await sleep(due - performance.now());
        const batch = Array.from({ length: 10 }, (_, j) => event(tick * 10 + j));
        void log.appendEvents('bench', { events: batch }).then((r) => {
          const now = performance.now();
          for (const a of r) acked.set(a.id, now);
        });
      }
      while (sink.received.size < acked.size || acked.size < seconds * 1000) await sleep(20);
      const lags = [...acked].map(([id, at]) => (sink.received.get(id) ?? Number.NaN) - at);
      const achieved = acked.size / ((performance.now() - start) / 1000);
      for (const p of [50, 95]) {
        const v = percentile(lags, p);
        report.add(
          section,
          `lag p${p}, append acknowledged → webhook received`,
          ms(v),
          `at a steady 1,000 events/s for ${seconds} s (${fmt(achieved)}/s achieved); goal < ${fmt(LAG_GOAL_MS)} ms${v >= LAG_GOAL_MS ? ' — MISSED' : ''}; baseline: the 100 ms poll interval`,
        );
      }
    });
  } finally {
    await sink.close();
  }
}
