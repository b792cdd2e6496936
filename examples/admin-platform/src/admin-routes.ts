import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AuditClient, Category, EventType, Target } from '../../../packages/sdk/src/index.js';
import { BODIES, IVR_NODE } from './body-schemas.js';
import type { AiProvider, IvrNode, State, User } from './data.js';
import type { Session } from './sign-in.js';

interface Change {
  category: Category;
  eventType: EventType;
  action: 'create' | 'update' | 'delete';
  target: Target;
  oldValue: unknown;
  newValue: unknown;
}

type Body = Record<string, any>;

/**
 * The admin API. Every change is recorded BEFORE it is applied and answered: record() resolves once the event
 * is durable on disk, so an action the user is told succeeded is always in the audit log — whether the audit
 * service is up or not, and even if this process is killed a moment later. Actor, address, user agent, session
 * and request id come from the request context (sign-in.ts puts the session's user there).
 */
export function installAdminRoutes(
  app: FastifyInstance,
  state: State,
  audit: AuditClient,
  auth: {
    requireSession: (request: FastifyRequest, reply: FastifyReply) => Promise<Session | undefined>;
    revokeSessions: (user: User) => Promise<void>;
  },
) {
  const sessions = new WeakMap<FastifyRequest, Session>();
  const apply = async (reply: FastifyReply, change: Change, commit: () => void, status = 200) => {
    const { id } = await audit.record(change);
    commit();
    return reply.code(status).send({ value: change.newValue, auditEventId: id });
  };
  const notFound = (reply: FastifyReply, what: string) => reply.code(404).send({ error: `no such ${what}` });
  const adminOnly = (request: FastifyRequest, reply: FastifyReply) =>
    sessions.get(request)!.user.role === 'admin' ? undefined : reply.code(403).send({ error: 'admins only' });
  const publicUser = ({ password: _p, totpSecret: _t, ...user }: User) => user;
  const userTarget = (u: User): Target => ({ type: 'User', id: u.id, name: u.username });

  app.addSchema(IVR_NODE);
  app.register(async (api) => {
    api.addHook('preHandler', async (request, reply) => {
      const session = await auth.requireSession(request, reply);
      if (session === undefined) return reply;
      sessions.set(request, session);
    });

    api.get('/api/state', async () => ({
      users: [...state.users.values()].map(publicUser),
      campaigns: [...state.campaigns.values()],
      carriers: [...state.carriers.values()].map(({ password: _p, ...c }) => c),
      trunkGroups: [...state.trunkGroups.values()],
      ivrMenus: Object.fromEntries(state.ivrMenus),
      ai: { ...state.ai.provider, apiKey: '••••' },
      leads: [...state.leads.values()],
    }));

    // Users: create, edit, role, 2FA reset, delete.
    api.post('/api/users', { schema: { body: BODIES.createUser } }, async (request, reply) => {
      if (adminOnly(request, reply)) return reply;
      const b = request.body as Body;
      const user: User = {
        id: `usr_${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`,
        username: String(b.username),
        displayName: String(b.displayName ?? b.username),
        role: b.role ?? 'agent',
        password: String(b.password ?? 'change-me'),
        method: 'password',
        email: String(b.email ?? `${b.username}@example.com`),
        twoFactor: 'none',
      };
      const change = { category: 'users', eventType: 'user.created', action: 'create' } as const;
      return apply(
        reply,
        { ...change, target: userTarget(user), oldValue: null, newValue: publicUser(user) },
        () => state.users.set(user.id, user),
        201,
      );
    });
    api.patch('/api/users/:id', { schema: { body: BODIES.editUser } }, async (request, reply) => {
      const user = state.users.get((request.params as Body).id);
      if (!user) return notFound(reply, 'user');
      // Admins edit anyone; others only themselves (a supervisor changed any user's email).
      if (sessions.get(request)!.user.id !== user.id && adminOnly(request, reply)) return reply;
      const b = request.body as Body;
      const next = { ...user, displayName: b.displayName ?? user.displayName, email: b.email ?? user.email };
      const change = { category: 'users', eventType: 'user.updated', action: 'update' } as const;
      const values = { oldValue: publicUser(user), newValue: publicUser(next) };
      return apply(reply, { ...change, target: userTarget(user), ...values }, () =>
        state.users.set(user.id, next),
      );
    });
    api.put('/api/users/:id/role', { schema: { body: BODIES.role } }, async (request, reply) => {
      if (adminOnly(request, reply)) return reply;
      const user = state.users.get((request.params as Body).id);
      if (!user) return notFound(reply, 'user');
      const role = (request.body as Body).role as User['role'];
      const change = { category: 'users', eventType: 'user.role_changed', action: 'update' } as const;
      const values = { oldValue: { role: user.role }, newValue: { role } };
      return apply(reply, { ...change, target: userTarget(user), ...values }, () => {
        user.role = role;
      });
    });
    api.post('/api/users/:id/2fa-reset', async (request, reply) => {
      if (adminOnly(request, reply)) return reply;
      const user = state.users.get((request.params as Body).id);
      if (!user) return notFound(reply, 'user');
      const change = { category: 'users', eventType: 'user.2fa_reset', action: 'update' } as const;
      const values = { oldValue: { twoFactor: user.twoFactor }, newValue: { twoFactor: 'none' } };
      await apply(reply, { ...change, target: userTarget(user), ...values }, () => {
        user.twoFactor = 'none';
      });
      await auth.revokeSessions(user);
      return reply;
    });
    api.delete('/api/users/:id', async (request, reply) => {
      if (adminOnly(request, reply)) return reply;
      const user = state.users.get((request.params as Body).id);
      if (!user) return notFound(reply, 'user');
      const change = { category: 'users', eventType: 'user.deleted', action: 'delete' } as const;
      await apply(
        reply,
        { ...change, target: userTarget(user), oldValue: publicUser(user), newValue: null },
        () => state.users.delete(user.id),
      );
      await auth.revokeSessions(user);
      return reply;
    });

    // Campaigns: configuration, pacing, activation.
    api.patch('/api/campaigns/:id', { schema: { body: BODIES.editCampaign } }, async (request, reply) => {
      const campaign = state.campaigns.get((request.params as Body).id);
      if (!campaign) return notFound(reply, 'campaign');
      const next = { ...campaign, name: (request.body as Body).name ?? campaign.name };
      const change = { category: 'campaigns', eventType: 'campaign.updated', action: 'update' } as const;
      const target = { type: 'Campaign', id: campaign.id, name: campaign.name };
      return apply(reply, { ...change, target, oldValue: campaign, newValue: next }, () =>
        state.campaigns.set(campaign.id, next),
      );
    });
    api.put('/api/campaigns/:id/pacing', { schema: { body: BODIES.pacing } }, async (request, reply) => {
      const campaign = state.campaigns.get((request.params as Body).id);
      if (!campaign) return notFound(reply, 'campaign');
      const b = request.body as Body;
      // A field left out keeps its value (it became NaN).
      const pacing = { ...campaign.pacing, ...(b as Partial<typeof campaign.pacing>) };
      const change = {
        category: 'campaigns',
        eventType: 'campaign.pacing_adjusted',
        action: 'update',
      } as const;
      const target = { type: 'Campaign', id: campaign.id, name: campaign.name };
      return apply(reply, { ...change, target, oldValue: campaign.pacing, newValue: pacing }, () => {
        campaign.pacing = pacing;
      });
    });
    for (const active of [true, false])
      api.post(`/api/campaigns/:id/${active ? 'activate' : 'deactivate'}`, async (request, reply) => {
        const campaign = state.campaigns.get((request.params as Body).id);
        if (!campaign) return notFound(reply, 'campaign');
        const eventType = active ? 'campaign.activated' : 'campaign.deactivated';
        const target = { type: 'Campaign', id: campaign.id, name: campaign.name };
        const values = { oldValue: { active: campaign.active }, newValue: { active } };
        return apply(reply, { category: 'campaigns', eventType, action: 'update', target, ...values }, () => {
          campaign.active = active;
        });
      });

    // Telephony: carriers (their SIP password is redacted by the audit service) and trunk groups.
    api.patch('/api/carriers/:id', { schema: { body: BODIES.carrier } }, async (request, reply) => {
      const carrier = state.carriers.get((request.params as Body).id);
      if (!carrier) return notFound(reply, 'carrier');
      const next = { ...carrier, ...pick(request.body as Body, ['name', 'host', 'maxChannels', 'password']) };
      const change = { category: 'telephony', eventType: 'carrier.updated', action: 'update' } as const;
      const target = { type: 'Carrier', id: carrier.id, name: carrier.name };
      return apply(reply, { ...change, target, oldValue: carrier, newValue: next }, () =>
        state.carriers.set(carrier.id, next),
      );
    });
    api.patch('/api/trunk-groups/:id', { schema: { body: BODIES.trunkGroup } }, async (request, reply) => {
      const group = state.trunkGroups.get((request.params as Body).id);
      if (!group) return notFound(reply, 'trunk group');
      const next = { ...group, ...pick(request.body as Body, ['name', 'carriers', 'strategy']) };
      const change = { category: 'telephony', eventType: 'trunk_group.updated', action: 'update' } as const;
      const target = { type: 'TrunkGroup', id: group.id, name: group.name };
      return apply(reply, { ...change, target, oldValue: group, newValue: next }, () =>
        state.trunkGroups.set(group.id, next),
      );
    });

    // Inbound: an IVR menu is a nested tree, replaced whole; the log's diff names the leaves that changed.
    api.put('/api/ivr-menus/:id', { schema: { body: BODIES.ivrMenu } }, async (request, reply) => {
      const id = (request.params as Body).id as string;
      const menu = state.ivrMenus.get(id);
      if (!menu) return notFound(reply, 'IVR menu');
      const next = (request.body as Body).tree as IvrNode;
      const change = { category: 'inbound', eventType: 'ivr.menu_updated', action: 'update' } as const;
      return apply(reply, { ...change, target: { type: 'IVR', id }, oldValue: menu, newValue: next }, () =>
        state.ivrMenus.set(id, next),
      );
    });

    // AI: provider settings with an API key (stored by the audit service as a fingerprint, never in clear).
    api.put('/api/ai-provider', { schema: { body: BODIES.aiProvider } }, async (request, reply) => {
      if (adminOnly(request, reply)) return reply;
      const old = state.ai.provider;
      const next: AiProvider = { ...old, ...pick(request.body as Body, ['provider', 'model', 'apiKey']) };
      const keyOnly =
        next.apiKey !== old.apiKey && next.provider === old.provider && next.model === old.model;
      const eventType = keyOnly ? 'ai.api_key_updated' : 'ai.provider_updated';
      const target = { type: 'AIProvider', id: 'default', name: next.provider };
      return apply(
        reply,
        { category: 'ai', eventType, action: 'update', target, oldValue: old, newValue: next },
        () => {
          state.ai.provider = next;
        },
      );
    });

    // Bulk: one event for a mass lead update, with every lead's before and after.
    api.post('/api/leads/bulk-update', { schema: { body: BODIES.bulkLeads } }, async (request, reply) => {
      const b = request.body as Body;
      const leads = (b.leadIds as string[]).map((id) => state.leads.get(id)).filter((l) => l !== undefined);
      if (leads.length === 0) return notFound(reply, 'lead');
      const status = String(b.status);
      const change = { category: 'bulk', eventType: 'bulk.leads_updated', action: 'update' } as const;
      const target = { type: 'LeadList', id: `bulk-${leads.length}-leads`, name: `${leads.length} leads` };
      const values = {
        oldValue: Object.fromEntries(leads.map((l) => [l.id, { status: l.status }])),
        newValue: Object.fromEntries(leads.map((l) => [l.id, { status }])),
      };
      return apply(reply, { ...change, target, ...values }, () => {
        for (const lead of leads) lead.status = status;
      });
    });
  });
}

function pick(body: Body, keys: string[]): Body {
  return Object.fromEntries(keys.filter((k) => body[k] !== undefined).map((k) => [k, body[k]]));
}
