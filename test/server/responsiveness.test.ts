// No request holds the event loop: /healthz answers while a large CSV export streams to a fast client, and
// GET /v1/alerts answers a bounded page however many failures an attack left. Timings are measured in
// bench/stall-bench.ts, never asserted here.
import { Worker } from 'node:worker_threads';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, json, sampleEvent, startTestServer, type TestServer } from '../helpers/test-server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => server?.close());

const T0 = Date.UTC(2026, 2, 1);
const iso = (ms: number) => new Date(ms).toISOString();

/**
 * A client on its own thread (the server shares this one): downloads `path` as fast as it can and, once the
 * first bytes have arrived, asks /healthz again and again until the download ends. Returns the download and
 * how many /healthz answers arrived before its last byte.
 */
function downloadWhilePolling(path: string): Promise<{ status: number; text: string; answered: number }> {
  const code = `
    const { parentPort, workerData: { url, token, path } } = require('node:worker_threads');
    (async () => {
      const res = await fetch(url + path, { headers: { authorization: 'Bearer ' + token } });
      const reader = res.body.getReader();
      const decoder = new TextDecoder();
      let text = '';
      let done = false;
      let answered = 0;
      let polling;
      for (;;) {
        const chunk = await reader.read();
        if (chunk.done) break;
        text += decoder.decode(chunk.value, { stream: true });
        polling ??= (async () => {
          while (!done) {
            await (await fetch(url + '/healthz')).text();
            if (!done) answered++;
          }
        })();
      }
      done = true;
      await polling;
      parentPort.postMessage({ status: res.status, text: text + decoder.decode(), answered });
    })().catch((e) => parentPort.postMessage({ error: String(e) }));
  `;
  return new Promise((resolve, reject) => {
    const worker = new Worker(code, {
      eval: true,
      workerData: { url: server.url, token: ADMIN_TOKEN, path },
    });
    worker.once('message', (m) => {
      void worker.terminate();
      if (m.error) reject(new Error(m.error));
      else resolve(m);
    });
    worker.once('error', reject);
  });
}

describe('a large CSV export', () => {
  const N = 30_000;

  beforeAll(async () => {
    for (let i = 0; i < N; i += 1000) {
      const events = Array.from({ length: Math.min(1000, N - i) }, (_, k) =>
        sampleEvent({
          id: `stall-${i + k}`,
          occurredAt: iso(T0 + (i + k) * 1000),
          reason: `change ${i + k}, "quoted"\nsecond line`,
          metadata: { ticket: `OPS-${i + k}`, tags: ['a', 'b'] },
        }),
      );
      await server.log.appendEvents('default', { events });
    }
  });

  it('lets /healthz answer while it streams, and completes with every event once, in order', async () => {
    const range = `from=${iso(T0)}&to=${iso(T0 + N * 1000)}`;
    const r = await downloadWhilePolling(`/v1/export?format=csv&${range}`);
    expect(r.status).toBe(200);
    expect(r.answered).toBeGreaterThan(0);
    const records: Record<string, string>[] = parse(r.text, { columns: true });
    expect(records).toHaveLength(N);
    records.forEach((rec, i) => {
      if (rec.id !== `stall-${i}`) expect(rec.id).toBe(`stall-${i}`); // one expect per mismatch only
    });
    expect(records[N - 1]!.reason).toBe(`change ${N - 1}, "quoted"\nsecond line`);
    expect(JSON.parse(records[7]!.metadata!)).toEqual({ ticket: 'OPS-7', tags: ['a', 'b'] });
  });
});

describe('alerts after a long spraying run', () => {
  const SPRAYED = 5000;
  const BRUTE = 30;
  const A0 = T0 + 86_400_000;
  const range = `from=${iso(A0)}&to=${iso(A0 + SPRAYED * 1000)}`;

  beforeAll(async () => {
    const failures = [
      // One IP tries a new username every second.
      ...Array.from({ length: SPRAYED }, (_, i) => ({
        user: { username: `sprayed.${String(i).padStart(5, '0')}` },
        ip: '203.0.113.66',
        occurredMs: A0 + i * 1000,
      })),
      // Brute force on BRUTE usernames, six failures each, from two addresses of their own.
      ...Array.from({ length: BRUTE * 6 }, (_, i) => ({
        user: { username: `victim.${Math.floor(i / 6)}` },
        ip: `198.51.${Math.floor(i / 6)}.${(i % 2) + 1}`,
        occurredMs: A0 + Math.floor(i / 6) * 60_000 + (i % 6) * 1000,
      })),
    ].map((f) => ({ type: 'login_failure', reason: 'bad_password', ...f, occurredAt: iso(f.occurredMs) }));
    for (let i = 0; i < failures.length; i += 1000) {
      const events = failures.slice(i, i + 1000).map(({ occurredMs, ...f }) => f);
      await server.log.auth.append('default', { events });
    }
  });

  it('come a bounded page at a time, each with at most 20 usernames or IPs and their count', async () => {
    const seen: any[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res = await server.request(
        `/v1/alerts?${range}&limit=7${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      );
      const text = await res.text();
      // Seven alerts, whatever the attacks: a few kilobytes, not one entry per attempt.
      expect(text.length).toBeLessThan(7 * 1200);
      const page = JSON.parse(text);
      expect(page.alerts.length).toBeLessThanOrEqual(7);
      seen.push(...page.alerts);
      cursor = page.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(Math.ceil((BRUTE + 1) / 7));
    expect(seen).toHaveLength(BRUTE + 1);
    expect(new Set(seen.map((a) => `${a.kind} ${a.subject}`)).size).toBe(BRUTE + 1);
    const lastAts = seen.map((a) => a.lastAt);
    expect(lastAts).toEqual([...lastAts].sort().reverse());

    const spray = seen.find((a) => a.kind === 'password_spraying');
    expect(spray).toMatchObject({ subject: '203.0.113.66', count: SPRAYED, usernameCount: SPRAYED });
    expect(spray.usernames).toHaveLength(20);
    const brute = seen.filter((a) => a.kind === 'brute_force');
    for (const a of brute) {
      const v = a.subject.split('.')[1];
      expect(a).toMatchObject({ count: 6, ips: [`198.51.${v}.1`, `198.51.${v}.2`], ipCount: 2 });
    }

    // The attempts behind the alert, through its query, page by page.
    let attempts = 0;
    let next: string | null = null;
    do {
      const page: any = await json(
        await server.request(
          `/v1/auth-events?${spray.attemptsQuery}&limit=500${next ? `&cursor=${encodeURIComponent(next)}` : ''}`,
        ),
      );
      for (const e of page.events) expect(e.ip).toBe('203.0.113.66');
      attempts += page.events.length;
      next = page.nextCursor;
    } while (next);
    expect(attempts).toBe(SPRAYED);
  });

  it('default to 50 a page, at most 500, and reject a cursor they did not issue', async () => {
    const page = await json(await server.request(`/v1/alerts?${range}`));
    expect(page.alerts).toHaveLength(BRUTE + 1);
    expect(page.nextCursor).toBeNull();
    for (const q of ['limit=0', 'limit=501', 'cursor=nope']) {
      const res = await server.request(`/v1/alerts?${range}&${q}`);
      expect(res.status, q).toBe(400);
      expect((await json(res)).error.details[0].path, q).toBe(`/${q.split('=')[0]}`);
    }
  });
});
