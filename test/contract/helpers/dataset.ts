// A varied, seeded set of administrative events with explicit occurredAt values, and helpers to post them.
import type { InputEvent, Posted, Query } from './model.js';
import { rng } from './model.js';
import type { RunningServer } from './server.js';

export const ACTORS = [
  { id: 'usr_1001', username: 'jane.admin', displayName: 'Jane Admin' },
  { id: 'usr_1002', username: 'jose.alvarez', displayName: 'José Álvarez' },
  { id: 'usr_1003', username: 'li.wei', displayName: 'Li Wei' },
  { id: 'usr_1004', username: 'ops', displayName: 'Ops Person' },
  { id: 'ops', type: 'service' }, // an actor id equal to another actor's username
  { id: 'svc_dialer', type: 'service', username: 'dialer-bot' },
  { id: 'system', type: 'system' },
  { id: 'usr_1005', username: 'Mark.Twain', displayName: 'Mark Twain' },
] as const;

export const CATALOG: Record<
  string,
  { eventTypes: string[]; targets: { type: string; id: string; name?: string }[] }
> = {
  users: {
    eventTypes: ['user.created', 'user.role_changed', 'user.2fa_reset', 'user.bulk_provisioned'],
    targets: [
      { type: 'User', id: 'usr_2001', name: 'john.smith' },
      { type: 'User', id: 'usr_2002', name: 'John.Smith.Jr' },
      { type: 'User', id: 'usr_2003', name: 'Main-Menu' }, // a name equal (case-insensitively) to another target's id
    ],
  },
  campaigns: {
    eventTypes: ['campaign.activated', 'campaign.deactivated', 'campaign.pacing_changed'],
    targets: [
      { type: 'Campaign', id: 'cmp-spring', name: 'Spring Promo' },
      { type: 'Campaign', id: 'cmp-renewals' },
    ],
  },
  settings: {
    eventTypes: ['settings.branding_updated', 'settings.email_updated', 'settings.storage_updated'],
    targets: [
      { type: 'Setting', id: 'branding' },
      { type: 'Setting', id: 'email', name: 'Email Settings' },
    ],
  },
  telephony: {
    eventTypes: ['carrier.updated', 'did.assigned', 'trunk_group.changed', 'extension.created'],
    targets: [
      { type: 'Carrier', id: 'trunk-provider-1' },
      { type: 'Carrier', id: 'trunk-provider-2', name: 'Trunk Provider Two' },
      { type: 'DID', id: '+15551230001' },
    ],
  },
  ai: {
    eventTypes: ['ai.provider_changed', 'ai.model_selected', 'ai.api_key_updated'],
    targets: [
      { type: 'AIProvider', id: 'openai', name: 'OpenAI' },
      { type: 'AIModel', id: 'gpt-4o' },
    ],
  },
  security: {
    eventTypes: [
      'security.2fa_reset',
      'security.password_changed',
      'security.session_revoked',
      'security.policy_changed',
    ],
    targets: [
      { type: 'User', id: 'usr_2001', name: 'john.smith' },
      { type: 'Policy', id: 'pwd-policy', name: 'Password Policy' },
    ],
  },
  bulk: {
    eventTypes: ['bulk.lead_update', 'bulk.lead_import', 'bulk.dedup_merge'],
    targets: [{ type: 'LeadList', id: 'list-42', name: 'Q3 Leads' }],
  },
  inbound: {
    eventTypes: ['queue.updated', 'ivr.menu_edited', 'moh.changed'],
    targets: [
      { type: 'IVR', id: 'main-menu', name: 'Main Menu' },
      { type: 'Queue', id: 'q-sales', name: 'Sales Queue' },
    ],
  },
};

export const IPS = [
  '10.0.0.1',
  '10.0.0.7',
  '10.0.0.200',
  '10.0.1.5',
  '10.1.2.3',
  '192.168.1.20',
  '203.0.113.7',
  '2001:db8::1',
  '2001:db8::2',
  '2001:db8:0:1::5',
  '2001:db8:1::9',
  'fe80::1',
];
export const SESSIONS = ['sess-aa11', 'sess-bb22', 'sess-cc33'];
export const AGENTS = ['Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4)', 'curl/8.4.0', 'auditlog-sdk/1.2'];
export const REASONS = ['quarterly review', 'customer request', 'INC-4711 follow-up'];
const CODECS = ['g711', 'opus', 'g729'];
const MODES = ['predictive', 'progressive', 'preview'];

export const BASE_MS = Date.parse('2024-01-01T00:00:00Z');
const DAY = 86_400_000;

/** RFC 3339 with a numeric offset, e.g. 2024-01-03T12:00:00+05:30, for an instant with whole seconds. */
export function withOffset(ms: number, offsetMinutes: number): string {
  const local = new Date(ms + offsetMinutes * 60_000).toISOString().slice(0, 19);
  const sign = offsetMinutes >= 0 ? '+' : '-';
  const abs = Math.abs(offsetMinutes);
  return `${local}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

function value(r: ReturnType<typeof rng>): unknown {
  const kind = r.int(0, 3);
  if (kind === 0) return { maxChannels: r.int(1, 200), codec: r.pick(CODECS) };
  if (kind === 1)
    return { pacing: { ratio: r.int(10, 40) / 10, mode: r.pick(MODES) }, active: r.pick(['yes', 'no']) };
  if (kind === 2)
    return {
      options: [
        { digit: 1, action: r.pick(['sales', 'support']) },
        { digit: 2, action: 'voicemail' },
      ],
    };
  return { role: r.pick(['agent', 'supervisor', 'admin']), teams: [r.pick(['north', 'south']), 'emea'] };
}

/** `n` events; about one in five shares its occurredAt with an earlier one (ties are broken by seq). */
export function generateEvents(n: number, seed: number): InputEvent[] {
  const r = rng(seed);
  const times: number[] = [];
  const out: InputEvent[] = [];
  for (let i = 0; i < n; i++) {
    const at =
      times.length > 0 && r.chance(0.2)
        ? r.pick(times)
        : BASE_MS + r.int(0, 60 * 24 * 60) * 60_000 + r.int(0, 59) * 1000;
    times.push(at);
    const fmt = r.int(0, 3);
    const occurredAt =
      fmt === 0
        ? withOffset(at, 120)
        : fmt === 1
          ? withOffset(at, -330)
          : fmt === 2
            ? new Date(at).toISOString()
            : new Date(at).toISOString().replace('.000Z', 'Z');
    const category = r.pick(Object.keys(CATALOG));
    const c = CATALOG[category] as (typeof CATALOG)[string];
    const action = r.pick(['create', 'update', 'update', 'delete']);
    const e: InputEvent = {
      occurredAt,
      actor: { ...r.pick(ACTORS) },
      action,
      eventType: r.pick(c.eventTypes),
      category,
      target: { ...r.pick(c.targets) },
    };
    if (action !== 'create') e.oldValue = value(r);
    if (action !== 'delete') e.newValue = value(r);
    if (r.chance(0.85)) e.ip = r.pick(IPS);
    if (r.chance(0.6)) e.sessionId = r.pick(SESSIONS);
    if (r.chance(0.5)) e.userAgent = r.pick(AGENTS);
    if (r.chance(0.3)) e.reason = r.pick(REASONS);
    if (r.chance(0.4)) e.metadata = { source: r.pick(['console', 'api']), ticket: `INC-${r.int(100, 130)}` };
    out.push(e);
  }
  return out;
}

/** Posts events in batches; returns them with their ids and seqs. */
export async function postAll(server: RunningServer, events: InputEvent[], batch = 200): Promise<Posted[]> {
  const out: Posted[] = [];
  for (let i = 0; i < events.length; i += batch) {
    const chunk = events.slice(i, i + batch);
    const { status, body } = await server.post({ events: chunk });
    if (status !== 201) throw new Error(`POST → ${status} ${JSON.stringify(body).slice(0, 2000)}`);
    chunk.forEach((input, j) => {
      const r = body.events[j];
      out.push({ input, id: r.id, seq: r.seq, at: Date.parse(input.occurredAt as string) });
    });
  }
  return out;
}

/** A mix of hand-picked and random filter combinations over the generated data. */
export function queries(seed: number, all: Posted[]): Query[] {
  const r = rng(seed);
  const times = all.map((p) => p.at).sort((a, b) => a - b);
  const exactTime = (i: number) => new Date(times[i] as number).toISOString();
  const fixed: Query[] = [
    { user: 'usr_1001' },
    { user: 'jane.admin' },
    { user: 'ops' }, // matches the service whose id is "ops" and the user whose username is "ops"
    { user: ['jane.admin', 'usr_1003'] },
    { user: 'Mark.Twain' },
    { user: 'nobody' },
    { action: 'delete' },
    { action: ['create', 'delete'] },
    { category: 'telephony' },
    { category: ['ai', 'security'] },
    { eventType: 'security.2fa_reset' },
    { eventType: ['user.2fa_reset', 'security.2fa_reset'] },
    { targetType: 'User' },
    { targetType: 'User', targetId: 'usr_2001' },
    { targetId: 'trunk-provider-1' },
    { target: 'john.smith' },
    { target: 'JOHN.SMITH' },
    { target: 'main-menu' }, // the IVR's id and a user's name
    { target: 'Trunk Provider Two' },
    { target: 'trunk provider two' },
    { targetType: 'User', target: 'john.smith' },
    { target: 'john' }, // exact: no partial matches
    { ip: '10.0.0.7' },
    { ip: '10.0.0.0/24' },
    { ip: '10.0.0.0/8' },
    { ip: '10.0.0.0/23' },
    { ip: '192.168.0.0/16' },
    { ip: '2001:db8::1' },
    { ip: '2001:db8::/64' },
    { ip: '2001:db8::/32' },
    { ip: '2001:db8:0:1::/64' },
    { ip: '0.0.0.0/0' },
    { sessionId: 'sess-bb22' },
    { q: 'trunk' },
    { q: 'JANE' },
    { q: 'josé' },
    { q: 'opus' },
    { q: 'INC-47' },
    { q: '"trunk provider"' },
    { q: 'provider two' },
    { q: 'predictive supervisor' },
    { q: '10.0.0' },
    { q: '2001:db8:1' },
    { q: 'mozilla' },
    { q: 'console' },
    { q: 'ticket' },
    { q: 'pacing' },
    { from: exactTime(100), to: exactTime(300) },
    { from: exactTime(0) },
    { to: exactTime(times.length - 1) },
    { from: withOffset(times[200] as number, 330), to: withOffset(times[400] as number, -480) },
    { from: '2024-01-10T00:00:00Z', to: '2024-01-20T00:00:00Z', user: 'usr_1002', action: 'update' },
    { category: 'telephony', user: ['jane.admin', 'ops'], ip: '10.0.0.0/16' },
    { q: 'trunk', action: 'update', from: '2024-01-15T00:00:00Z' },
    { targetType: 'Carrier', targetId: 'trunk-provider-2', sessionId: 'sess-aa11' },
  ];
  const gens: (() => [string, string | string[]])[] = [
    () => ['user', r.chance(0.5) ? r.pick(ACTORS).id : ((r.pick(ACTORS) as any).username ?? 'ops')],
    () => ['user', [r.pick(ACTORS).id, r.pick(ACTORS).id]],
    () => [
      'action',
      r.chance(0.6) ? r.pick(['create', 'update', 'delete']) : ['create', r.pick(['update', 'delete'])],
    ],
    () => [
      'category',
      r.chance(0.7)
        ? r.pick(Object.keys(CATALOG))
        : [r.pick(Object.keys(CATALOG)), r.pick(Object.keys(CATALOG))],
    ],
    () => ['eventType', r.pick(Object.values(CATALOG).flatMap((c) => c.eventTypes))],
    () => ['targetType', r.pick(Object.values(CATALOG).flatMap((c) => c.targets.map((t) => t.type)))],
    () => {
      const t = r.pick(Object.values(CATALOG).flatMap((c) => c.targets));
      return ['target', r.chance(0.5) || !t.name ? t.id : r.chance(0.5) ? t.name.toUpperCase() : t.name];
    },
    () => [
      'ip',
      r.pick([...IPS, '10.0.0.0/24', '10.0.0.0/8', '2001:db8::/48', '2001:db8::/64', '203.0.113.0/24']),
    ],
    () => ['sessionId', r.pick(SESSIONS)],
    () => [
      'q',
      r.pick(['trunk', 'agent', 'supervisor', 'emea', 'curl', 'review', 'li wei', 'g7', 'sales', 'campaign']),
    ],
    () => {
      const a = r.int(0, times.length - 1);
      const b = r.int(0, times.length - 1);
      return ['from', exactTime(Math.min(a, b))];
    },
    () => ['to', exactTime(r.int(0, times.length - 1))],
  ];
  const random: Query[] = [];
  for (let i = 0; i < 40; i++) {
    const q: Query = {};
    const k = r.int(2, 3);
    for (let j = 0; j < k; j++) {
      const [name, v] = r.pick(gens)();
      q[name] = v;
    }
    random.push(q);
  }
  return [...fixed, ...random];
}

export { DAY };
