// Events and field edits the POST /v1/events contract tests share (ingest.test.ts, ingest-validation.test.ts).
import { expect } from 'vitest';
import { fetchAllPages, type RunningServer } from './server.js';

let counter = 0;
/** A valid event on its own target (so it can be counted with ?targetId=). */
export function event(over: Record<string, unknown> = {}, targetId = `t-${++counter}`): Record<string, any> {
  return {
    occurredAt: '2024-03-01T10:00:00Z',
    actor: { id: 'usr_1', username: 'jane.admin', displayName: 'Jane Admin' },
    action: 'update',
    eventType: 'carrier.updated',
    category: 'telephony',
    target: { type: 'Carrier', id: targetId },
    oldValue: { maxChannels: 60 },
    newValue: { maxChannels: 120 },
    ip: '10.0.0.1',
    ...over,
  };
}

/** Removes a field given as a JSON Pointer-ish path ("actor/id"). */
export function without(e: Record<string, any>, path: string): Record<string, any> {
  const copy = structuredClone(e);
  const parts = path.split('/');
  let o: any = copy;
  for (const p of parts.slice(0, -1)) o = o[p];
  delete o[parts[parts.length - 1] as string];
  return copy;
}
export function withValue(e: Record<string, any>, path: string, v: unknown): Record<string, any> {
  const copy = structuredClone(e);
  const parts = path.split('/');
  let o: any = copy;
  for (const p of parts.slice(0, -1)) o = o[p];
  o[parts[parts.length - 1] as string] = v;
  return copy;
}

export async function countTarget(server: RunningServer, targetId: string): Promise<number> {
  const { events } = await fetchAllPages(
    server,
    '/v1/events',
    new URLSearchParams({ targetId, limit: '500' }),
  );
  return events.length;
}

export async function lastSeq(server: RunningServer): Promise<number> {
  const { status, body } = await server.post(event({}, 'seq-probe'));
  expect(status).toBe(201);
  return body.events[0].seq;
}

export const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;
export const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** Every entry the file's server stored has seq 1, 2, 3, … (rejected requests consumed none). */
export async function expectGapFreeSeqs(server: RunningServer, atLeast: number): Promise<void> {
  const { events } = await fetchAllPages(server, '/v1/events', new URLSearchParams({ limit: '500' }));
  const seqs = events.map((e) => e.seq).sort((a, b) => a - b);
  expect(seqs.length).toBeGreaterThan(atLeast);
  const gaps = seqs.filter((s, i) => s !== i + 1).slice(0, 3);
  expect(gaps).toEqual([]);
}
