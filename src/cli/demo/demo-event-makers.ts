import type { EventInput } from '../../core/domain/schemas/event-schema.js';
import { DEMO_MODELS, type DemoEntities, type Entity, type State } from './demo-entities.js';
import type { DemoAdmin } from './demo-people.js';
import type { Random } from './random.js';

/** One kind of administrative change: what an admin does at a moment, as an event without its context. */
export type Make = (ctx: {
  admin: DemoAdmin;
  at: number;
}) => Omit<EventInput, 'actor' | 'ip' | 'userAgent' | 'sessionId'>;

const iso = (ms: number) => new Date(ms).toISOString();

function change(e: Entity, next: State | null): { oldValue: unknown; newValue: unknown } {
  const oldValue = e.state;
  e.state = next;
  return { oldValue, newValue: next };
}

/** Every kind of change the demo makes, with how often each happens. */
export function eventMakers(rng: Random, world: DemoEntities, agents: string[]): (readonly [Make, number])[] {
  const target = (e: Entity) =>
    e.name ? { type: e.type, id: e.id, name: e.name } : { type: e.type, id: e.id };
  const update =
    (
      pool: () => Entity[],
      category: string,
      eventType: (e: Entity) => string,
      reason?: () => string | undefined,
    ): Make =>
    ({ at }) => {
      const e = rng.pick(pool());
      const why = reason?.();
      return {
        occurredAt: iso(at),
        action: 'update',
        category,
        eventType: eventType(e),
        target: target(e),
        ...change(e, world.pickMutation(e)),
        ...(why ? { reason: why } : {}),
      };
    };
  const ticket = () => (rng.chance(0.35) ? `Ticket OPS-${rng.int(1000, 9999)}` : undefined);
  const userFor = () => rng.pick(world.users);

  const makers: [Make, number][] = [
    // users
    [
      ({ at }) => {
        const u = userFor();
        const created = u.state === null;
        const next = {
          username: u.id,
          displayName: u.id.replace('.', ' ').replace(/\b\w/g, (c) => c.toUpperCase()),
          email: `${u.id}@contact-center.example`,
          role: 'agent',
          team: rng.pick(['Team Alpha', 'Team Bravo', 'Team Ñandú', 'Night Shift']),
          extension: String(rng.int(2000, 2119)),
        };
        return {
          occurredAt: iso(at),
          action: created ? 'create' : 'update',
          category: 'users',
          eventType: created ? 'user.created' : 'user.updated',
          target: target(u),
          ...change(u, created ? next : { ...u.state, team: next.team, extension: next.extension }),
        };
      },
      9,
    ],
    [
      ({ at }) => {
        const u = userFor();
        const from = (u.state?.role as string | undefined) ?? 'agent';
        const to = rng.pick(['agent', 'supervisor', 'admin', 'quality_analyst'].filter((r) => r !== from));
        return {
          occurredAt: iso(at),
          action: 'update',
          category: 'users',
          eventType: 'user.role_changed',
          target: target(u),
          ...change(u, { ...(u.state ?? {}), role: to }),
          reason: ticket(),
        };
      },
      5,
    ],
    [
      ({ at }) => ({
        occurredAt: iso(at),
        action: 'update',
        category: 'users',
        eventType: 'user.2fa_reset',
        target: target(userFor()),
        oldValue: { twoFactor: { enabled: true, method: rng.pick(['totp', 'email']) } },
        newValue: { twoFactor: { enabled: false, method: null } },
        reason: 'Lost phone',
      }),
      2,
    ],
    [
      ({ at }) => {
        const u = userFor();
        return {
          occurredAt: iso(at),
          action: 'delete',
          category: 'users',
          eventType: 'user.deleted',
          target: target(u),
          ...change(u, null),
        };
      },
      1,
    ],
    [
      ({ at }) => ({
        occurredAt: iso(at),
        action: 'create',
        category: 'users',
        eventType: 'user.bulk_provisioned',
        target: { type: 'UserImport', id: `imp-${rng.hex(6)}`, name: `agents-${iso(at).slice(0, 10)}.csv` },
        oldValue: null,
        newValue: { created: rng.int(5, 60), skipped: rng.int(0, 4), usernames: agents.slice(0, 3) },
      }),
      1,
    ],
    // campaigns
    [
      update(
        () => world.campaigns,
        'campaigns',
        () => 'campaign.updated',
        ticket,
      ),
      4,
    ],
    [
      ({ at }) => {
        const c = rng.pick(world.campaigns);
        const active = c.state?.status === 'active';
        return {
          occurredAt: iso(at),
          action: 'update',
          category: 'campaigns',
          eventType: active ? 'campaign.deactivated' : 'campaign.activated',
          target: target(c),
          ...change(c, { ...(c.state ?? {}), status: active ? 'inactive' : 'active' }),
        };
      },
      6,
    ],
    [
      ({ at }) => {
        const c = rng.pick(world.campaigns);
        const s = structuredClone(c.state ?? {}) as { pacing?: { ratio: number; maxAbandonRate: number } };
        s.pacing = { ratio: rng.int(10, 40) / 10, maxAbandonRate: rng.pick([2, 3, 4, 5]) };
        return {
          occurredAt: iso(at),
          action: 'update',
          category: 'campaigns',
          eventType: 'campaign.pacing_adjusted',
          target: target(c),
          ...change(c, s),
        };
      },
      8,
    ],
    // telephony
    [
      update(
        () => world.carriers,
        'telephony',
        () => 'carrier.updated',
        ticket,
      ),
      5,
    ],
    [
      update(
        () => world.dids,
        'telephony',
        () => 'did.updated',
      ),
      6,
    ],
    [
      update(
        () => world.extensions,
        'telephony',
        () => 'extension.updated',
      ),
      4,
    ],
    [
      update(
        () => world.trunkGroups,
        'telephony',
        () => 'trunk_group.updated',
        ticket,
      ),
      2,
    ],
    // inbound
    [
      update(
        () => world.queues,
        'inbound',
        () => 'queue.updated',
      ),
      5,
    ],
    [
      update(
        () => world.ivrs,
        'inbound',
        () => 'ivr.menu_updated',
      ),
      5,
    ],
    [
      update(
        () => world.moh,
        'inbound',
        () => 'moh.updated',
      ),
      1,
    ],
    // settings
    [
      update(
        () => world.settings,
        'settings',
        (e) => `settings.${e.id}_updated`,
      ),
      5,
    ],
    // ai
    [
      ({ at }) => {
        const p = rng.pick(world.aiProviders);
        const kind = rng.weighted([
          ['model', 3],
          ['key', 2],
          ['settings', 2],
        ] as const);
        const s = structuredClone(p.state ?? {}) as State;
        if (kind === 'model') s.model = rng.pick(DEMO_MODELS);
        if (kind === 'key') s.apiKey = `sk-${rng.hex(24)}`;
        if (kind === 'settings') s.timeoutMs = rng.pick([10000, 15000, 30000]);
        const eventType = {
          model: 'ai.model_selected',
          key: 'ai.api_key_updated',
          settings: 'ai.provider_updated',
        }[kind];
        return {
          occurredAt: iso(at),
          action: 'update',
          category: 'ai',
          eventType,
          target: target(p),
          ...change(p, s),
        };
      },
      5,
    ],
    // security
    [
      ({ at }) => ({
        occurredAt: iso(at),
        action: 'update',
        category: 'security',
        eventType: 'security.password_changed',
        target: target(userFor()),
        oldValue: { password: `old-${rng.hex(8)}` },
        newValue: { password: `new-${rng.hex(8)}`, mustChangeAtNextLogin: rng.chance(0.5) },
      }),
      3,
    ],
    [
      ({ at }) => ({
        occurredAt: iso(at),
        action: 'update',
        category: 'security',
        eventType: 'security.2fa_reset',
        target: target(userFor()),
        oldValue: { totpSecret: rng.hex(16), enabled: true },
        newValue: { totpSecret: null, enabled: false },
        reason: ticket() ?? 'User request',
      }),
      2,
    ],
    [
      ({ at }) => ({
        occurredAt: iso(at),
        action: 'delete',
        category: 'security',
        eventType: 'security.session_revoked',
        target: { type: 'Session', id: `sess_${rng.hex(16)}` },
        oldValue: { user: rng.pick(agents), startedAt: iso(at - rng.int(600_000, 20_000_000)) },
        newValue: null,
      }),
      2,
    ],
    [
      update(
        () => world.policies,
        'security',
        () => 'security.policy_changed',
        ticket,
      ),
      1,
    ],
    // bulk operations
    [
      ({ at }) => {
        const l = rng.pick(world.leadLists);
        return {
          occurredAt: iso(at),
          action: 'update',
          category: 'bulk',
          eventType: 'bulk.leads_updated',
          target: target(l),
          oldValue: { status: 'new' },
          newValue: {
            status: rng.pick(['callback', 'do_not_call', 'archived']),
            affected: rng.int(10, 5000),
          },
        };
      },
      5,
    ],
    [
      ({ at }) => {
        const l = rng.pick(world.leadLists);
        return {
          occurredAt: iso(at),
          action: 'create',
          category: 'bulk',
          eventType: 'bulk.leads_imported',
          target: target(l),
          oldValue: null,
          newValue: {
            file: `leads-${rng.hex(4)}.csv`,
            rows: rng.int(100, 20000),
            duplicates: rng.int(0, 300),
          },
        };
      },
      4,
    ],
    [
      ({ at }) => {
        const l = rng.pick(world.leadLists);
        return {
          occurredAt: iso(at),
          action: 'update',
          category: 'bulk',
          eventType: 'bulk.leads_merged',
          target: target(l),
          oldValue: { records: rng.int(1000, 5000) },
          newValue: { merged: rng.int(5, 200), rule: rng.pick(['phone', 'email', 'phone+name']) },
        };
      },
      3,
    ],
  ];
  return makers;
}
