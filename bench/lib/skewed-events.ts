import { Random } from '../../src/cli/demo/random.js';
import type { EventInput } from '../../src/core/domain/schemas/event-schema.js';

/**
 * A skewed administrative history for the planner workload (planner-bench.ts), unlike the demo's even mix:
 * Zipf-distributed actors (a few very active, thousands seen a handful of times), categories of very
 * different sizes, hot and cold targets, bursts in time, and reason/metadata words from common to rare.
 * The same seed writes the same history; the vocabulary is exported so the query generator asks real values.
 */
export const CATEGORY_SHARES: [string, number][] = [
  ['telephony', 40],
  ['users', 25],
  ['campaigns', 15],
  ['settings', 9],
  ['inbound', 6],
  ['security', 3.5],
  ['bulk', 1.2],
  ['ai', 0.3],
];
const NOUNS: Record<string, string[]> = {
  telephony: ['trunk', 'route', 'did', 'carrier'],
  users: ['user', 'role', 'team'],
  campaigns: ['campaign', 'list', 'pacing'],
  settings: ['setting', 'schedule'],
  inbound: ['queue', 'ivr'],
  security: ['policy', 'key'],
  bulk: ['import', 'export'],
  ai: ['model', 'prompt'],
};
/** Words by rank (Zipf): the first few are in most reasons; past them a long tail of rare tokens. */
const COMMON = [
  'change',
  'requested',
  'customer',
  'update',
  'fix',
  'migration',
  'weekend',
  'holiday',
  'escalation',
  'audit',
  'compliance',
  'outage',
  'rollback',
  'latency',
  'spring',
  'renewal',
  'pilot',
  'sunset',
  'quarantine',
  'zephyr',
  'obsidian',
  'kumquat',
];
export const WORDS = [...COMMON, ...Array.from({ length: 20_000 }, (_, k) => `tok${(k * 7919) % 100_000}x`)];
export const ACTOR_COUNT = 3000;
export const TARGETS_PER_NOUN = 4000;

export const actorId = (rank: number) => `user-${String(rank).padStart(4, '0')}`;
export const actorName = (rank: number) => `person${rank}.${rank % 7 === 0 ? 'ops' : 'admin'}`;
export const targetId = (noun: string, rank: number) => `${noun}-${rank}`;

/** A Zipf sampler over ranks 1..n (exponent s), by inverse CDF on a precomputed table. */
export class Zipf {
  readonly #cdf: Float64Array;
  constructor(
    n: number,
    s: number,
    readonly rng: Random,
  ) {
    this.#cdf = new Float64Array(n);
    let sum = 0;
    for (let k = 1; k <= n; k++) {
      sum += 1 / k ** s;
      this.#cdf[k - 1] = sum;
    }
    for (let k = 0; k < n; k++) this.#cdf[k]! /= sum;
  }
  next(): number {
    const r = this.rng.next();
    let lo = 0;
    let hi = this.#cdf.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.#cdf[mid]! < r) lo = mid + 1;
      else hi = mid;
    }
    return lo + 1;
  }
}

export const SPAN_MS = 365 * 86_400_000;

/**
 * `n` events in time order over `spanMs` ending at `endMs`: 70% spread evenly, 30% in 40 bursts of two
 * hours (an import, an incident) where one actor and one category dominate.
 */
export function* skewedEvents(
  n: number,
  seed: number,
  endMs: number,
  spanMs = SPAN_MS,
): Generator<EventInput> {
  const rng = new Random(seed);
  const actors = new Zipf(ACTOR_COUNT, 1.1, rng);
  const targets = new Zipf(TARGETS_PER_NOUN, 1.2, rng);
  const words = new Zipf(WORDS.length, 1.05, rng);
  const categories = CATEGORY_SHARES.map(([c, w]) => [c, w] as const);
  const startMs = endMs - spanMs;
  const bursts = Array.from({ length: 40 }, () => ({
    atMs: startMs + Math.floor(rng.next() * (spanMs - 7_200_000)),
    actor: actors.next(),
    category: rng.weighted(categories),
  })).sort((a, b) => a.atMs - b.atMs);
  const burstShare = 0.3;
  const perBurst = Math.floor((n * burstShare) / bursts.length);
  const times: { ms: number; burst: number }[] = [];
  for (let i = 0; i < n - perBurst * bursts.length; i++)
    times.push({ ms: startMs + Math.floor(rng.next() * spanMs), burst: -1 });
  bursts.forEach((b, k) => {
    for (let i = 0; i < perBurst; i++)
      times.push({ ms: b.atMs + Math.floor(rng.next() * 7_200_000), burst: k });
  });
  times.sort((a, b) => a.ms - b.ms);
  for (const t of times) {
    const burst = t.burst >= 0 && rng.chance(0.9) ? bursts[t.burst] : undefined;
    const rank = burst ? burst.actor : actors.next();
    const category = burst ? burst.category : rng.weighted(categories);
    const noun = rng.pick(NOUNS[category]!);
    const action = rng.weighted([
      ['update', 70],
      ['create', 22],
      ['delete', 8],
    ] as const);
    const verb = action === 'update' ? rng.pick(['changed', 'renamed', 'moved']) : `${action}d`;
    const tRank = targets.next();
    const reason = Array.from({ length: rng.int(1, 4) }, () => WORDS[words.next() - 1]).join(' ');
    yield {
      occurredAt: new Date(t.ms).toISOString(),
      actor: { id: actorId(rank), username: actorName(rank), type: 'user' },
      action,
      category,
      eventType: `${category}.${noun}_${verb}`,
      target: { type: noun, id: targetId(noun, tRank), name: `${noun} ${tRank}` },
      ...(action === 'update'
        ? { oldValue: { level: tRank % 10 }, newValue: { level: (tRank + 1) % 10 } }
        : {}),
      reason,
      ip: `10.${rank % 200}.${(rank * 7) % 250}.${(rank * 13) % 250}`,
      sessionId: `s-${rank}-${Math.floor(t.ms / 3_600_000)}`,
    };
  }
}
