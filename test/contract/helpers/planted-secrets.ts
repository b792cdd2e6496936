// Secrets a redaction test plants through the API, and the places it looks for them again: responses, and
// everything the store keeps (SQLite files with -wal and -shm; PostgreSQL rows, files and WAL).
import { randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import { occurrences } from '../../helpers/stored-bytes.js';
import { type RunningServer, storedBytes } from './server.js';

export const REDACTED = { redacted: true, fingerprint: expect.any(String) };
/** A redacted span inside text, as a RegExp source. */
export const MARK = '\\[redacted:[0-9a-f]{16}\\]';

export const isRedacted = (v: unknown) =>
  typeof v === 'object' &&
  v !== null &&
  (v as any).redacted === true &&
  typeof (v as any).fingerprint === 'string' &&
  Object.keys(v).length === 2;

export class PlantedSecrets {
  /** `tag-needle`: the needle alone is what must never be found. */
  readonly #all: string[] = [];

  /** A fresh secret whose bytes cannot occur by chance. */
  secret = (tag = 's'): string => {
    const s = `${tag}-${randomBytes(12).toString('hex')}`;
    this.#all.push(s);
    return s;
  };

  /** A secret in some format: `make` wraps `needle` (default 24 random hex digits), what the scans look for. */
  planted = (make: (needle: string) => string, needle = randomBytes(12).toString('hex')): string => {
    this.#all.push(`p-${needle}`);
    return make(needle);
  };

  /** Watch for `needle` too (a secret made by hand). */
  add(needle: string): void {
    this.#all.push(`n-${needle}`);
  }

  leaksIn(text: string): string[] {
    return this.#all.filter((s) => text.includes(s) || text.includes(s.slice(s.indexOf('-') + 1)));
  }

  /** The secrets found in what the store behind `dbFile` keeps. */
  async leaksInStore(dbFile: string): Promise<string[]> {
    return occurrences(
      await storedBytes(dbFile),
      this.#all.map((s) => s.slice(s.indexOf('-') + 1)),
    );
  }

  /** Posts one event, checks that the answer leaks nothing, and reads the stored event back. */
  async postOne(server: RunningServer, e: Record<string, unknown>): Promise<any> {
    const { status, body } = await server.post(e);
    expect(status, JSON.stringify(body)).toBe(201);
    expect(this.leaksIn(JSON.stringify(body))).toEqual([]);
    const got = await server.getJson(`/v1/events/${body.events[0].id}`);
    expect(got.status).toBe(200);
    return got.body;
  }
}

let n = 0;
/** An administrative event about an AI provider's key, each at its own time and on its own target. */
export function secretEvent(over: Record<string, unknown> = {}): Record<string, any> {
  n++;
  return {
    occurredAt: new Date(Date.parse('2024-04-01T00:00:00Z') + n * 1000).toISOString(),
    actor: { id: 'usr_9', username: 'sec.admin' },
    action: 'update',
    eventType: 'ai.api_key_updated',
    category: 'ai',
    target: { type: 'AIProvider', id: `prov-${n}` },
    ...over,
  };
}
