import { createServer } from 'node:net';
import type { TestServer } from '../helpers/test-server.js';

/** A port nothing listens on (taken from the OS, then released): an audit service that is down. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Every stored event of the stream (oldest first, in seq order), read through the API. */
export async function storedEvents(
  request: TestServer['request'],
  path: '/v1/events' | '/v1/auth-events' = '/v1/events',
): Promise<any[]> {
  const events: any[] = [];
  let cursor: string | null = null;
  do {
    const query = new URLSearchParams({ order: 'asc', limit: '500' });
    if (cursor) query.set('cursor', cursor);
    const res = await request(`${path}?${query}`);
    if (res.status !== 200) throw new Error(`${path}: ${res.status} ${await res.text()}`);
    const page = (await res.json()) as { events: any[]; nextCursor: string | null };
    events.push(...page.events);
    cursor = page.nextCursor;
  } while (cursor);
  return events
    .filter((e) => !String(e.eventType ?? '').startsWith('auditlog.'))
    .sort((a, b) => a.seq - b.seq);
}

/** A small event for `record()`. */
export function adminEvent(n: number, overrides: Record<string, unknown> = {}) {
  return {
    actor: { id: 'usr_1', username: 'jane.admin' },
    action: 'update' as const,
    category: 'telephony',
    eventType: 'carrier.updated',
    target: { type: 'Carrier', id: `carrier-${n}` },
    oldValue: { maxChannels: n },
    newValue: { maxChannels: n + 1 },
    ...overrides,
  };
}
