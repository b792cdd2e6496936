import type { EventInput } from '../../core/domain/schemas/event-schema.js';
import { DemoEntities } from './demo-entities.js';
import { eventMakers } from './demo-event-makers.js';
import { type DemoAdmin, demoAdmins, demoAgents } from './demo-people.js';
import { Random } from './random.js';

/**
 * Realistic demo history: administrators sign in, work through a session of changes across all eight
 * categories of the seed, and sign out. Sessions are generated in time order, ending just before `endMs`.
 */
export interface DemoSession {
  admin: DemoAdmin;
  sessionId: string;
  ip: string;
  loginMs: number;
  lastMs: number;
  events: EventInput[];
}

export interface DemoOptions {
  events: number;
  seed?: number;
  endMs: number;
}

export function demoSpanMs(events: number): number {
  const days = Math.min(365, Math.max(7, Math.ceil(events / 2500)));
  return days * 86_400_000;
}

export function* demoSessions(options: DemoOptions): Generator<DemoSession> {
  const rng = new Random(options.seed ?? 42);
  const admins = demoAdmins(rng);
  const agents = demoAgents(400, rng);
  const world = new DemoEntities(rng, agents);
  const makers = eventMakers(rng, world, agents);
  const span = demoSpanMs(options.events);
  const startMs = options.endMs - span;
  const sessions = Math.max(1, Math.ceil(options.events / 12));
  const step = span / sessions;
  let remaining = options.events;
  for (let s = 0; s < sessions && remaining > 0; s++) {
    const admin = rng.weighted(admins.map((a) => [a, a.weight] as const));
    const loginMs = Math.floor(startMs + s * step + rng.next() * step * 0.5);
    const count = s === sessions - 1 ? remaining : Math.min(remaining, rng.int(1, 23));
    const session: DemoSession = {
      admin,
      sessionId: `sess_${rng.hex(16)}`,
      ip: rng.pick(admin.ips),
      loginMs,
      lastMs: loginMs,
      events: [],
    };
    let at = loginMs + rng.int(5_000, 90_000);
    const room = Math.max(1, (options.endMs - at) / (count + 1));
    for (let i = 0; i < count; i++) {
      const make = rng.weighted(makers);
      const e = make({ admin, at });
      session.events.push({
        ...e,
        actor: { id: admin.id, username: admin.username, displayName: admin.displayName, type: 'user' },
        ip: session.ip,
        userAgent: admin.userAgent,
        sessionId: session.sessionId,
      });
      session.lastMs = at;
      at += Math.min(room, rng.int(3_000, 400_000));
    }
    remaining -= count;
    yield session;
  }
}
