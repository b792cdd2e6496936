// Load for the fault tests: writers that behave like careful clients (a batch that is not acknowledged is
// retried with the same ids until it is), readers, and a /healthz poller, on every node. Everything a node
// answers is recorded, so a test can assert what clients saw during a fault and how long recovery took.
import { expect } from 'vitest';
import type { ServerProcess } from '../helpers/cli.js';
import { sampleEvent } from '../helpers/test-server.js';

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface Ack {
  id: string;
  seq: number;
  duplicate: boolean;
}

interface Answer {
  node: number;
  /** When the request was sent and when its answer came. */
  startMs: number;
  atMs: number;
  status: number;
  code?: string;
  message?: string;
}

export class FaultLoad {
  readonly #nodes: ServerProcess[];
  readonly #token: string;
  readonly #prefix: string;
  #stopping = false;
  #abandoned = false;
  #running: Promise<void>[] = [];
  /** Every id sent, and the seq of its 201 once acknowledged. */
  readonly sent = new Map<string, number | undefined>();
  /** Every answer to a write, a read or a health check, in order. */
  readonly writes: Answer[] = [];
  readonly reads: Answer[] = [];
  readonly health: (Answer & { body: string })[] = [];
  readonly #unexpected = new Map<string, number>();

  constructor(nodes: ServerProcess[], token: string, prefix: string) {
    this.#nodes = nodes;
    this.#token = token;
    this.#prefix = prefix;
  }

  /** `writers` writers spread over the nodes, one reader and one health poller per node. */
  start(writers: number): void {
    for (let w = 0; w < writers; w++) this.#running.push(this.#writer(w % this.#nodes.length, w));
    this.#nodes.forEach((_, n) => {
      this.#running.push(this.#reader(n), this.#poller(n));
    });
  }

  /** Stops sending new batches; the batches under way are retried until acknowledged. */
  async stop(): Promise<void> {
    this.#stopping = true;
    await Promise.all(this.#running);
  }

  /** Anything a client must never see (another status, a 503 without Retry-After, a refused connection), counted. */
  get unexpected(): string[] {
    return [...this.#unexpected].map(([what, n]) => (n > 1 ? `${what} (×${n})` : what));
  }

  #note(message: string): void {
    const what = message.replace(/\d+/g, 'N'); // one line per kind, however many times
    this.#unexpected.set(what, (this.#unexpected.get(what) ?? 0) + 1);
  }

  /** Stops at once: batches under way are given up (for a store that cannot recover). */
  async abandon(): Promise<void> {
    this.#abandoned = true;
    await this.stop();
  }

  /** Writes node `n` acknowledged after `sinceMs`. */
  acknowledged(n: number, sinceMs = 0): number {
    return this.writes.filter((a) => a.node === n && a.status === 201 && a.atMs > sinceMs).length;
  }

  /** Milliseconds from `sinceMs` to node `n`'s first 201 after it. */
  firstAckAfter(n: number, sinceMs: number): number | undefined {
    const a = this.writes.find((w) => w.node === n && w.status === 201 && w.atMs > sinceMs);
    return a && a.atMs - sinceMs;
  }

  /**
   * Counts of answers by status (and error code) between two times, e.g. `{ "201": 80, "503 store_unavailable":
   * 12 }`, and the distinct error messages (numbers and addresses masked).
   */
  statuses(list: 'writes' | 'reads', fromMs = 0, toMs = Number.POSITIVE_INFINITY): string {
    const counts: Record<string, number> = {};
    const messages = new Set<string>();
    for (const a of this[list]) {
      if (a.atMs <= fromMs || a.atMs > toMs) continue;
      const k = a.code ? `${a.status} ${a.code}` : String(a.status);
      counts[k] = (counts[k] ?? 0) + 1;
      if (a.message) messages.add(a.message.replace(/\d[\d.:]*/g, 'N'));
    }
    return `${JSON.stringify(counts)}${messages.size ? ` ${JSON.stringify([...messages])}` : ''}`;
  }

  async #request(n: number, path: string, init: RequestInit = {}): Promise<Response | undefined> {
    if (!this.#alive(n)) return undefined;
    try {
      return await fetch(this.#nodes[n]!.url + path, {
        ...init,
        headers: { authorization: `Bearer ${this.#token}`, 'content-type': 'application/json' },
      });
    } catch (error) {
      this.#note(`node ${n} ${path}: ${(error as Error).message} (${String((error as Error).cause)})`);
      return undefined;
    }
  }

  /** False (once noted, and the load abandoned) when node `n`'s process has exited. */
  #alive(n: number): boolean {
    const { child } = this.#nodes[n]!;
    if (child.exitCode === null && child.signalCode === null) return true;
    if (!this.#abandoned) this.#note(`node ${n} exited (${child.exitCode ?? child.signalCode})`);
    this.#abandoned = this.#stopping = true;
    return false;
  }

  /** Records an answer; true for the statuses a client may see (`ok` or a 503 that says when to retry). */
  async #record(
    list: Answer[],
    n: number,
    startMs: number,
    what: string,
    res: Response,
    ok: number,
  ): Promise<string> {
    const text = await res.text();
    let code: string | undefined;
    let message: string | undefined;
    if (res.status !== ok) {
      ({ code, message } = (JSON.parse(text) as { error?: { code?: string; message?: string } }).error ?? {});
      const retryAfter = res.headers.get('retry-after');
      if (res.status !== 503 || code !== 'store_unavailable' || !retryAfter || !(Number(retryAfter) > 0))
        this.#note(`node ${n} ${what}: ${res.status} retry-after=${retryAfter} ${text}`);
    }
    list.push({ node: n, startMs, atMs: Date.now(), status: res.status, code, message });
    return text;
  }

  async #writer(n: number, w: number): Promise<void> {
    for (let k = 0; !this.#stopping; k++) {
      const size = k % 3 === 0 ? 1 : 20;
      const ids = Array.from({ length: size }, (_, i) => `${this.#prefix}-w${w}-${k}-${i}`);
      for (const id of ids) this.sent.set(id, undefined);
      const events = ids.map((id, i) =>
        sampleEvent({ id, target: { type: 'Carrier', id: `trunk-${i % 5}` }, newValue: { maxChannels: k } }),
      );
      const body = JSON.stringify(size === 1 ? events[0] : { events });
      // The same batch, with the same ids, until it is acknowledged: the ids make the retry idempotent.
      for (let attempt = 0; ; attempt++) {
        const startMs = Date.now();
        const res = await this.#request(n, '/v1/events', { method: 'POST', body });
        if (res) {
          const text = await this.#record(this.writes, n, startMs, 'POST /v1/events', res, 201);
          if (res.status === 201) {
            const acks = (JSON.parse(text) as { events: Ack[] }).events;
            expect(acks.map((a) => a.id)).toEqual(ids);
            for (const a of acks) this.sent.set(a.id, a.seq);
            break;
          }
        }
        if (this.#abandoned) return;
        if (attempt > 600) {
          this.#note(`node ${n}: a batch never acknowledged (${ids[0]})`);
          return;
        }
        // Faster than Retry-After asks, to time the recovery closely.
        await pause(100);
      }
    }
  }

  async #reader(n: number): Promise<void> {
    while (!this.#stopping) {
      const startMs = Date.now();
      const res = await this.#request(n, '/v1/events?limit=5&category=telephony');
      if (res) await this.#record(this.reads, n, startMs, 'GET /v1/events', res, 200);
      await pause(50);
    }
  }

  async #poller(n: number): Promise<void> {
    while (!this.#stopping) {
      const startMs = Date.now();
      if (!this.#alive(n)) return;
      try {
        const res = await fetch(`${this.#nodes[n]!.url}/healthz`);
        this.health.push({ node: n, startMs, atMs: Date.now(), status: res.status, body: await res.text() });
      } catch (error) {
        this.#note(`node ${n} /healthz: ${(error as Error).message}`);
      }
      await pause(100);
    }
  }
}

/** Every node's process is still running. */
export function expectAlive(nodes: ServerProcess[]): void {
  for (const [i, node] of nodes.entries()) {
    expect(
      { exitCode: node.child.exitCode, signal: node.child.signalCode },
      `node ${i} still running:\n${node.output().slice(-2000)}`,
    ).toEqual({ exitCode: null, signal: null });
  }
}

/**
 * What the store holds against what was sent: every id acknowledged, each stored exactly once under the seq
 * it was acknowledged with, and nothing stored that was not sent.
 */
export function expectStoredExactlyOnce(load: FaultLoad, stored: { id: string; seq: number }[]): void {
  const counts = new Map<string, number>();
  for (const r of stored) counts.set(r.id, (counts.get(r.id) ?? 0) + 1);
  const twice = [...counts].filter(([, c]) => c > 1).map(([id]) => id);
  expect(twice, 'stored more than once').toEqual([]);
  const unacknowledged = [...load.sent].filter(([, seq]) => seq === undefined).map(([id]) => id);
  expect(unacknowledged, 'sent and never acknowledged').toEqual([]);
  const seqOf = new Map(stored.map((r) => [r.id, r.seq]));
  const lost = [...load.sent].filter(([id]) => !seqOf.has(id)).map(([id]) => id);
  expect(lost, 'acknowledged and not stored').toEqual([]);
  const moved = [...load.sent].filter(([id, seq]) => seqOf.get(id) !== seq).map(([id]) => id);
  expect(moved, 'stored under another seq than acknowledged').toEqual([]);
  const strangers = stored.filter((r) => !load.sent.has(r.id)).map((r) => r.id);
  expect(strangers, 'stored and never sent').toEqual([]);
}
