import type { Random } from './random.js';

/**
 * The configurable things of a demo contact center and their current state. Each change an admin makes
 * starts from the current state, so an entity's history reads as one consistent story (old value = the
 * previous new value).
 */
export type State = Record<string, unknown>;

export interface Entity {
  type: string;
  id: string;
  name?: string;
  state: State | null;
}

const CAMPAIGN_NAMES = [
  'Spring Renewal',
  'Win-Back Q3',
  'Solar Leads West',
  'Insurance Upsell',
  'Donor Thank-You',
  'Appointment Reminders',
  'Fiber Rollout North',
  'Payment Follow-Up',
  'Survey NPS',
  'Holiday Promo',
  'Broadband Switch',
  'Médecins Outreach',
];
const QUEUES = [
  'sales',
  'support',
  'billing',
  'retention',
  'vip',
  'spanish-support',
  'overflow',
  'after-hours',
];
const CODECS = ['PCMU', 'PCMA', 'G722', 'OPUS', 'G729'];
const MODELS = ['gpt-4o', 'gpt-4.1', 'claude-sonnet-4', 'claude-haiku-4', 'gemini-2.5-pro', 'llama-3.3-70b'];
const TIMEZONES = ['America/New_York', 'America/Chicago', 'Europe/London', 'Europe/Berlin', 'Asia/Kolkata'];

export class DemoEntities {
  readonly users: Entity[];
  readonly campaigns: Entity[];
  readonly carriers: Entity[];
  readonly dids: Entity[];
  readonly extensions: Entity[];
  readonly trunkGroups: Entity[];
  readonly aiProviders: Entity[];
  readonly settings: Entity[];
  readonly leadLists: Entity[];
  readonly queues: Entity[];
  readonly ivrs: Entity[];
  readonly moh: Entity[];
  readonly policies: Entity[];
  readonly #rng: Random;

  constructor(rng: Random, agents: string[]) {
    this.#rng = rng;
    this.users = agents.map((u) => ({ type: 'User', id: u, state: null }));
    this.campaigns = CAMPAIGN_NAMES.map((n, i) => ({
      type: 'Campaign',
      id: `cmp-${100 + i}`,
      name: n,
      state: this.campaignConfig(),
    }));
    this.carriers = [1, 2, 3, 4, 5, 6].map((i) => ({
      type: 'Carrier',
      id: `trunk-provider-${i}`,
      state: {
        host: `sip${i}.carrier-${i}.example.net`,
        port: 5061,
        transport: 'tls',
        username: `acct${1000 + i * 17}`,
        password: `pw-${rng.hex(12)}`,
        codecs: CODECS.slice(0, 2 + (i % 3)),
        maxChannels: 60 * i,
        enabled: true,
      },
    }));
    this.dids = Array.from({ length: 240 }, (_, i) => ({
      type: 'DID',
      id: `+1555${String(100_0000 + i * 37).slice(-7)}`,
      state: {
        routeTo: { type: 'queue', id: rng.pick(QUEUES) },
        carrier: `trunk-provider-${1 + (i % 6)}`,
        sms: i % 3 === 0,
      },
    }));
    this.extensions = Array.from({ length: 120 }, (_, i) => ({
      type: 'Extension',
      id: String(2000 + i),
      state: { voicemail: true, forwardTo: null, ringSeconds: 20 },
    }));
    this.trunkGroups = ['outbound-us', 'outbound-eu', 'inbound-main'].map((id) => ({
      type: 'TrunkGroup',
      id,
      state: { members: ['trunk-provider-1', 'trunk-provider-2'], strategy: 'round_robin' },
    }));
    this.aiProviders = ['openai', 'anthropic', 'azure-openai'].map((id) => ({
      type: 'AIProvider',
      id,
      state: {
        model: rng.pick(MODELS),
        apiKey: `sk-${rng.hex(24)}`,
        timeoutMs: 15000,
        maxTokens: 1024,
        enabled: true,
      },
    }));
    this.settings = [
      {
        type: 'Setting',
        id: 'branding',
        state: { primaryColor: '#1f6feb', logoUrl: 'https://cdn.example.com/logo.svg' },
      },
      {
        type: 'Setting',
        id: 'email',
        state: {
          smtpHost: 'smtp.example.com',
          smtpPort: 587,
          smtpUser: 'noreply',
          smtpPassword: `pw-${rng.hex(10)}`,
        },
      },
      {
        type: 'Setting',
        id: 'storage',
        state: { recordingRetentionDays: 90, bucket: 'cc-recordings', secretAccessKey: rng.hex(32) },
      },
      {
        type: 'Setting',
        id: 'security',
        state: { passwordMinLength: 12, sessionTimeoutMinutes: 30, require2fa: true },
      },
    ];
    this.leadLists = Array.from({ length: 30 }, (_, i) => ({
      type: 'LeadList',
      id: `list-${500 + i}`,
      name: `${rng.pick(CAMPAIGN_NAMES)} leads ${i + 1}`,
      state: { size: rng.int(500, 50000) },
    }));
    this.queues = QUEUES.map((id) => ({
      type: 'Queue',
      id,
      state: { strategy: 'longest_idle', timeoutSeconds: 300, overflowTo: 'overflow', wrapUpSeconds: 15 },
    }));
    this.ivrs = ['main-menu', 'billing-menu', 'after-hours-menu', 'spanish-menu'].map((id) => ({
      type: 'IVR',
      id,
      state: {
        greeting: `${id}-greeting.wav`,
        options: [
          { digit: '1', action: 'queue:sales' },
          { digit: '2', action: 'queue:support' },
          { digit: '3', action: 'queue:billing' },
          { digit: '0', action: 'operator' },
        ],
      },
    }));
    this.moh = ['default', 'holiday'].map((id) => ({
      type: 'MusicOnHold',
      id,
      state: { playlist: ['smooth-jazz-01.mp3', 'ambient-02.mp3'], shuffle: false },
    }));
    this.policies = [{ type: 'SecurityPolicy', id: 'login', state: { maxAttempts: 5, lockoutMinutes: 15 } }];
  }

  campaignConfig(): State {
    const rng = this.#rng;
    return {
      status: 'inactive',
      dialMode: rng.pick(['predictive', 'progressive', 'preview']),
      pacing: { ratio: rng.int(10, 30) / 10, maxAbandonRate: 3 },
      callerId: `+1555${rng.int(1000000, 9999999)}`,
      schedule: { start: '09:00', end: '18:00', timezone: rng.pick(TIMEZONES) },
    };
  }

  pickMutation(e: Entity): State {
    const rng = this.#rng;
    const s = structuredClone(e.state ?? {}) as State;
    switch (e.type) {
      case 'Carrier':
        if (rng.chance(0.3)) s.password = `pw-${rng.hex(12)}`;
        if (rng.chance(0.5)) s.maxChannels = (s.maxChannels as number) + rng.pick([-20, -10, 10, 20, 40]);
        if (rng.chance(0.3)) s.codecs = CODECS.slice(0, rng.int(1, 4));
        if (rng.chance(0.2)) s.enabled = !s.enabled;
        break;
      case 'DID':
        s.routeTo = rng.chance(0.7)
          ? { type: 'queue', id: rng.pick(QUEUES) }
          : { type: 'ivr', id: 'main-menu' };
        break;
      case 'Extension':
        s.forwardTo = rng.chance(0.5) ? `+1555${rng.int(1000000, 9999999)}` : null;
        s.ringSeconds = rng.pick([15, 20, 25, 30]);
        break;
      case 'TrunkGroup':
        s.members = ['trunk-provider-1', 'trunk-provider-2', 'trunk-provider-3'].slice(0, rng.int(1, 3));
        s.strategy = rng.pick(['round_robin', 'least_used', 'failover']);
        break;
      case 'Queue':
        s.timeoutSeconds = rng.pick([120, 180, 300, 600]);
        s.strategy = rng.pick(['longest_idle', 'round_robin', 'skills_based']);
        break;
      case 'IVR': {
        const options = s.options as { digit: string; action: string }[];
        const o = options[rng.int(0, options.length - 1)]!;
        o.action = rng.pick([
          'queue:sales',
          'queue:support',
          'queue:billing',
          'queue:retention',
          'voicemail',
          'operator',
        ]);
        break;
      }
      case 'MusicOnHold':
        s.playlist = ['smooth-jazz-01.mp3', 'ambient-02.mp3', 'acoustic-03.mp3'].slice(0, rng.int(1, 3));
        s.shuffle = rng.chance(0.5);
        break;
      case 'SecurityPolicy':
        s.maxAttempts = rng.pick([3, 5, 10]);
        s.lockoutMinutes = rng.pick([5, 15, 30, 60]);
        break;
      case 'Setting':
        if (e.id === 'branding') s.primaryColor = `#${rng.hex(6)}`;
        if (e.id === 'email') s.smtpPassword = `pw-${rng.hex(10)}`;
        if (e.id === 'storage') s.recordingRetentionDays = rng.pick([30, 60, 90, 180, 365]);
        if (e.id === 'security') s.sessionTimeoutMinutes = rng.pick([15, 30, 60]);
        break;
      default:
        break;
    }
    return s;
  }
}

export const DEMO_MODELS = MODELS;
export const DEMO_QUEUES = QUEUES;
