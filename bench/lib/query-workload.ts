import { Random } from '../../src/cli/demo/random.js';
import {
  ACTOR_COUNT,
  actorId,
  actorName,
  CATEGORY_SHARES,
  TARGETS_PER_NOUN,
  targetId,
  WORDS,
} from './skewed-events.js';

/**
 * The seeded query workload of planner-bench.ts: `count` combinations of 1–4 filters (user, action,
 * category, event type, target, date range) over the skewed data of skewed-events.ts, with and without
 * keywords, both orders, some of them `depth` pages deep through the cursor. Each value is drawn from its
 * skew on purpose: hot and rare actors, big and tiny categories, hot and cold targets, common and rare words.
 */
export interface QueryShape {
  /** What was combined, e.g. `user:hot + category:ai + q:common + from:most, desc, page 3`. */
  name: string;
  params: [string, string][];
  /** 1 = the first page; n = the page reached by following n − 1 cursors. */
  depth: number;
}

const DAY = 86_400_000;
const NOUN_OF: Record<string, string> = {
  trunk: 'telephony',
  user: 'users',
  campaign: 'campaigns',
  queue: 'inbound',
  model: 'ai',
};

export function queryWorkload(count: number, seed: number, endMs: number, spanMs: number): QueryShape[] {
  const rng = new Random(seed);
  const iso = (ms: number) => new Date(ms).toISOString();
  const pickers: Record<string, () => [string, [string, string][]]> = {
    user: () => {
      const r = rng.next();
      const [label, rank] =
        r < 0.4
          ? ['hot', rng.int(1, 5)]
          : r < 0.7
            ? ['mid', rng.int(6, 200)]
            : ['rare', rng.int(1000, ACTOR_COUNT)];
      // Half by username, half by actor id: both resolve through the actors table.
      return [`user:${label}`, [['user', rng.chance(0.5) ? actorName(rank) : actorId(rank)]]];
    },
    action: () => {
      const a = rng.pick(['update', 'create', 'delete']);
      return [`action:${a}`, [['action', a]]];
    },
    category: () => {
      const [c] = rng.pick(CATEGORY_SHARES);
      return [`category:${c}`, [['category', c]]];
    },
    eventType: () => {
      const t = rng.pick([
        'telephony.trunk_changed',
        'users.user_created',
        'ai.model_deleted',
        'security.key_renamed',
      ]);
      return [`eventType:${t.split('.')[0]}`, [['eventType', t]]];
    },
    target: () => {
      const noun = rng.pick(Object.keys(NOUN_OF));
      const hot = rng.chance(0.5);
      const rank = hot ? rng.int(1, 5) : rng.int(1000, TARGETS_PER_NOUN);
      const id = targetId(noun, rank);
      return rng.chance(0.5)
        ? [`target:${hot ? 'hot' : 'cold'}`, [['target', id]]]
        : [
            `targetType+Id:${hot ? 'hot' : 'cold'}`,
            [
              ['targetType', noun],
              ['targetId', id],
            ],
          ];
    },
    date: () => {
      const r = rng.next();
      if (r < 0.35) return ['from:most', [['from', iso(endMs - spanMs * 0.9)]]];
      if (r < 0.55) return ['from:7d', [['from', iso(endMs - 7 * DAY)]]];
      if (r < 0.8) {
        const lo = endMs - spanMs + Math.floor(rng.next() * (spanMs - 30 * DAY));
        return [
          'range:30d',
          [
            ['from', iso(lo)],
            ['to', iso(lo + 30 * DAY)],
          ],
        ];
      }
      const lo = endMs - spanMs + Math.floor(rng.next() * (spanMs - DAY));
      return [
        'range:1d',
        [
          ['from', iso(lo)],
          ['to', iso(lo + DAY)],
        ],
      ];
    },
  };
  const keyword = (): [string, string] => {
    const r = rng.next();
    if (r < 0.35) return ['q:common', rng.pick(WORDS.slice(0, 3))];
    if (r < 0.6) return ['q:mid', rng.pick(WORDS.slice(6, 60))];
    if (r < 0.8) return ['q:rare', rng.pick(WORDS.slice(2000))];
    if (r < 0.9) return ['q:two', `${rng.pick(WORDS.slice(0, 4))} ${rng.pick(WORDS.slice(8, 200))}`];
    return ['q:short', rng.pick(['ix', 'up', 'zz'])];
  };
  const kinds = Object.keys(pickers);
  const out: QueryShape[] = [];
  for (let i = 0; i < count; i++) {
    const n = rng.int(1, 4);
    const chosen = new Set<string>();
    while (chosen.size < n) chosen.add(rng.pick(kinds));
    const labels: string[] = [];
    const params: [string, string][] = [];
    for (const k of chosen) {
      const [label, p] = pickers[k]!();
      labels.push(label);
      params.push(...p);
    }
    if (rng.chance(0.5)) {
      const [label, q] = keyword();
      labels.push(label);
      params.push(['q', q]);
    }
    const order = rng.chance(0.3) ? 'asc' : 'desc';
    params.push(['order', order]);
    const depth = rng.chance(0.25) ? rng.int(3, 10) : 1;
    out.push({ name: `${labels.join(' + ')}, ${order}${depth > 1 ? `, page ${depth}` : ''}`, params, depth });
  }
  return out;
}

export const queryString = (params: [string, string][]) =>
  params.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&');
