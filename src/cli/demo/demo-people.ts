import type { Random } from './random.js';

/** The administrators of the demo contact center, with the addresses they usually work from. */
export interface DemoAdmin {
  id: string;
  username: string;
  displayName: string;
  ips: string[];
  userAgent: string;
  /** Relative share of the admin work. */
  weight: number;
}

const ADMINS: [string, string, number][] = [
  ['jane.admin', 'Jane Admin', 10],
  ['jose.alvarez', 'José Álvarez', 8],
  ['zoe.muller', 'Zoë Müller', 6],
  ['li.wei', 'Li Wei', 6],
  ['amara.okafor', 'Amara Okafor', 5],
  ['tom.berg', 'Tom Berg', 4],
  ['sofia.rossi', 'Sofia Rossi', 4],
  ['noah.kim', 'Noah Kim', 3],
  ['fatima.haddad', 'Fatima Haddad', 3],
  ['lucas.martin', 'Lucas Martin', 2],
  ['priya.nair', 'Priya Nair', 2],
  ['ops.oncall', 'Ops On-Call', 1],
];

const AGENTS_FIRST = [
  'john',
  'maria',
  'ahmed',
  'olga',
  'kenji',
  'chloe',
  'diego',
  'aisha',
  'ben',
  'lena',
  'raj',
  'eva',
];
const AGENTS_LAST = [
  'smith',
  'garcia',
  'khan',
  'ivanova',
  'sato',
  'dubois',
  'lopez',
  'bello',
  'cohen',
  'novak',
  'patel',
];

const USER_AGENTS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15',
  'Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36 Edg/131.0',
];

export function demoAdmins(rng: Random): DemoAdmin[] {
  return ADMINS.map(([username, displayName, weight], i) => ({
    id: `usr_${String(1001 + i)}`,
    username,
    displayName,
    weight,
    userAgent: rng.pick(USER_AGENTS),
    ips: [
      `10.20.${rng.int(1, 40)}.${rng.int(2, 250)}`,
      `203.0.113.${rng.int(2, 250)}`,
      ...(rng.chance(0.4) ? [`2001:db8:${rng.hex(4)}::${rng.int(1, 255).toString(16)}`] : []),
    ],
  }));
}

export function demoAgents(count: number, rng: Random): string[] {
  const names = new Set<string>();
  while (names.size < count) {
    const n = `${rng.pick(AGENTS_FIRST)}.${rng.pick(AGENTS_LAST)}`;
    names.add(names.has(n) ? `${n}${rng.int(2, 99)}` : n);
  }
  return [...names];
}

export const USER_AGENTS_POOL = USER_AGENTS;
