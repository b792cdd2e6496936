import { AuditError, invalidEvent } from './errors.js';
import { LIMITS } from './schemas/event-schema.js';

/**
 * A POST body is one event or `{ "events": [ … ] }`. Returns the events and the JSON Pointer prefix of each
 * (`/events/3` in a batch, `` for a single event), so errors name the path the client sent.
 */
export function splitBatch(body: unknown): { items: unknown[]; paths: string[] } {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw invalidEvent([{ path: '', message: 'must be an event object or { "events": [ … ] }' }]);
  }
  if (!('events' in body)) return { items: [body], paths: [''] };
  const events = (body as { events: unknown }).events;
  const extra = Object.keys(body).filter((k) => k !== 'events');
  if (extra.length > 0) {
    throw invalidEvent(
      extra.map((k) => ({ path: `/${k}`, message: 'is not an allowed field next to events' })),
    );
  }
  if (!Array.isArray(events)) throw invalidEvent([{ path: '/events', message: 'must be an array' }]);
  if (events.length === 0) throw invalidEvent([{ path: '/events', message: 'must hold at least 1 event' }]);
  if (events.length > LIMITS.eventsPerBatch) {
    throw new AuditError('payload_too_large', `A batch holds at most ${LIMITS.eventsPerBatch} events`, [
      { path: '/events', message: `must hold at most ${LIMITS.eventsPerBatch} events, got ${events.length}` },
    ]);
  }
  return { items: events, paths: events.map((_, i) => `/events/${i}`) };
}

/** splitBatch's events, or undefined where it throws (a body it refuses is someone else's answer). */
export function splitBatchOrUndefined(body: unknown): { items: unknown[]; paths: string[] } | undefined {
  try {
    return splitBatch(body);
  } catch {
    return undefined;
  }
}

/** A store names a conflicting entry by index; the client knows it by the path it sent. */
export function withBatchPaths(error: unknown, paths: readonly string[]): unknown {
  if (!(error instanceof AuditError) || error.code !== 'idempotency_conflict') return error;
  const details = error.details.map((d) => {
    const m = /^\/(\d+)(\/.*)?$/.exec(d.path);
    return m ? { ...d, path: `${paths[Number(m[1])] ?? ''}${m[2] ?? ''}` } : d;
  });
  return new AuditError(error.code, error.message, details);
}
