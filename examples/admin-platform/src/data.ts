import type { LoginMethod } from '../../../packages/sdk/src/index.js';

/** The example's whole state, in memory: a restart starts from this seed again. */

export interface User {
  id: string;
  username: string;
  displayName: string;
  role: 'admin' | 'supervisor' | 'agent';
  password: string;
  method: LoginMethod;
  /** Base32 TOTP secret, for method password_totp. */
  totpSecret?: string;
  email: string;
  twoFactor: 'totp' | 'email' | 'none';
}

export interface Campaign {
  id: string;
  name: string;
  active: boolean;
  pacing: { dialRatio: number; maxAbandonRate: number };
}

export interface Carrier {
  id: string;
  name: string;
  host: string;
  maxChannels: number;
  password: string;
}

export interface TrunkGroup {
  id: string;
  name: string;
  carriers: string[];
  strategy: 'round_robin' | 'failover';
}

export interface IvrNode {
  prompt: string;
  options?: Record<string, IvrNode | { action: string; queue?: string }>;
}

export interface AiProvider {
  provider: string;
  model: string;
  apiKey: string;
}

export interface Lead {
  id: string;
  phone: string;
  status: string;
}

/** The demo sign-ins: printed by main.ts, used by the end-to-end test. */
export const DEMO_TOTP_SECRET = 'JBSWY3DPEHPK3PXP';

export function seed() {
  const users = new Map<string, User>(
    [
      {
        id: 'usr_1',
        username: 'jane.admin',
        displayName: 'Jane Admin',
        role: 'admin',
        password: 'correct-horse',
        method: 'password',
        email: 'jane@example.com',
        twoFactor: 'none',
      },
      {
        id: 'usr_2',
        username: 'tom.ops',
        displayName: 'Tom Ops',
        role: 'admin',
        password: 'battery-staple',
        method: 'password_totp',
        totpSecret: DEMO_TOTP_SECRET,
        email: 'tom@example.com',
        twoFactor: 'totp',
      },
      {
        id: 'usr_3',
        username: 'eva.sup',
        displayName: 'Eva Supervisor',
        role: 'supervisor',
        password: 'purple-monkey',
        method: 'password_email_2fa',
        email: 'eva@example.com',
        twoFactor: 'email',
      },
    ].map((u) => [u.id, u as User]),
  );
  const campaigns = new Map<string, Campaign>([
    [
      'camp-1',
      { id: 'camp-1', name: 'Spring renewals', active: false, pacing: { dialRatio: 1.5, maxAbandonRate: 3 } },
    ],
  ]);
  const carriers = new Map<string, Carrier>([
    [
      'trunk-provider-1',
      {
        id: 'trunk-provider-1',
        name: 'Acme Telecom',
        host: 'sip.acme.example',
        maxChannels: 60,
        password: 'sip-secret-1',
      },
    ],
  ]);
  const trunkGroups = new Map<string, TrunkGroup>([
    ['tg-1', { id: 'tg-1', name: 'Outbound EU', carriers: ['trunk-provider-1'], strategy: 'failover' }],
  ]);
  const ivrMenus = new Map<string, IvrNode>([
    [
      'main-menu',
      {
        prompt: 'Welcome',
        options: {
          '1': { action: 'queue', queue: 'sales' },
          '2': { prompt: 'Support', options: { '1': { action: 'queue', queue: 'support' } } },
        },
      },
    ],
  ]);
  const ai: { provider: AiProvider } = {
    provider: { provider: 'openai', model: 'gpt-4o-mini', apiKey: 'sk-demo-0000' },
  };
  const leads = new Map<string, Lead>(
    Array.from({ length: 20 }, (_, i) => [
      `lead-${i + 1}`,
      { id: `lead-${i + 1}`, phone: `+3361234${String(i).padStart(4, '0')}`, status: 'new' },
    ]),
  );
  return { users, campaigns, carriers, trunkGroups, ivrMenus, ai, leads };
}

export type State = ReturnType<typeof seed>;
