// Hostile input, generated: a poisoned value anywhere in an event is a 400 naming its path and stores
// nothing; arbitrary paths and query strings on every GET route never answer 5xx; whatever was stored
// stays readable on every page.
import { parse as parseCsv } from 'csv-parse/sync';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
import {
  anyText,
  buildCase,
  eventFields,
  jsonValue,
  propertyOptions,
  propertyRuns,
  timeoutFor,
} from './arbitraries.js';
import { bodyText, plant, poison } from './poison.js';
import { readJson } from './property-helpers.js';

let server: TestServer;
const RUN = Math.random().toString(36).slice(2, 8);

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => server?.close());

async function postRaw(path: string, body: string): Promise<{ status: number; body: any }> {
  const res = await server.request(path, {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/json' },
  });
  return { status: res.status, body: await res.json() };
}

const VALUE_FIELDS = ['oldValue', 'newValue', 'metadata'] as const;
const TEXT_FIELDS = [
  ['id'],
  ['actor', 'id'],
  ['actor', 'username'],
  ['target', 'type'],
  ['target', 'id'],
  ['target', 'name'],
  ['sessionId'],
  ['requestId'],
  ['reason'],
  ['userAgent'],
] as const;

describe('poisoned values', () => {
  const runs = propertyRuns(150);
  it(
    'a NUL, a lone surrogate or an inexact number anywhere in an event is a 400 naming its path',
    async () => {
      let n = 0;
      await fc.assert(
        fc.asyncProperty(eventFields, poison, fc.nat(), fc.nat(), async (fields, p, where, field) => {
          const c = buildCase(fields, `hi${RUN}n${(n++).toString(36)}`);
          const event = c.event as Record<string, any>;
          let path: string;
          const inText = p.kind === 'string' && field % 3 === 0;
          if (inText) {
            const [a, b] = TEXT_FIELDS[where % TEXT_FIELDS.length]!;
            if (b === undefined) event[a] = p.text;
            else event[a] = { ...event[a], [b]: p.text };
            path = b === undefined ? `/${a}` : `/${a}/${b}`;
          } else {
            const name = VALUE_FIELDS[field % VALUE_FIELDS.length]!;
            const planted = plant(event[name] ?? {}, p, where, `/${name}`);
            if (name === 'metadata' && Array.isArray(planted.value)) {
              event.metadata = { list: planted.value };
              path = planted.path.replace('/metadata', '/metadata/list');
            } else {
              event[name] = planted.value;
              path = planted.path;
            }
          }
          const res = await postRaw('/v1/events', bodyText({ events: [event] }, p));
          expect(res.status, JSON.stringify(res.body)).toBe(400);
          expect(res.body.error.code).toBe('invalid_event');
          expect(res.body.error.details.map((d: { path: string }) => d.path)).toContain(`/events/0${path}`);
          if (!inText || path !== '/id') {
            const got = await server.request(`/v1/events/${encodeURIComponent(event.id)}`);
            expect(got.status).toBe(404);
          }
        }),
        propertyOptions(runs),
      );
      console.log(`poisoned values: ${n} generated cases refused with their path`);
    },
    timeoutFor(runs, 30),
  );

  it(
    'sign-ins too: a NUL or a lone surrogate in any of their strings is a 400 naming it',
    async () => {
      const fieldsOf = [
        ['user', 'username'],
        ['user', 'id'],
        ['user', 'displayName'],
        ['sessionId'],
        ['userAgent'],
        ['id'],
      ] as const;
      await fc.assert(
        fc.asyncProperty(
          eventFields,
          fc.constantFrom('a\u0000', '\ud800', 'z\udfff'),
          fc.nat(),
          async (fields, bad, i) => {
            const login = buildCase(fields, `hi${RUN}auth`).login as Record<string, any>;
            const [a, b] = fieldsOf[i % fieldsOf.length]!;
            if (b === undefined) login[a] = bad;
            else login[a] = { ...login[a], [b]: bad };
            const res = await postRaw('/v1/auth-events', JSON.stringify(login));
            expect(res.status).toBe(400);
            expect(res.body.error.details.map((d: { path: string }) => d.path)).toContain(
              b ? `/${a}/${b}` : `/${a}`,
            );
          },
        ),
        propertyOptions(Math.ceil(runs / 3)),
      );
    },
    timeoutFor(runs, 10),
  );
});

const PARAMS = [
  ...['from', 'to', 'user', 'action', 'category', 'eventType', 'targetType', 'targetId', 'target', 'ip'],
  ...['sessionId', 'q', 'limit', 'cursor', 'order', 'afterSeq', 'format', 'groupBy', 'prefix', 'type'],
  ...[
    'method',
    'active',
    'window',
    'bucket',
    'tenant',
    '__proto__',
    'constructor',
    'toString',
    'a[]',
    'b[c]',
  ],
];
/** Percent-encodings a URL decoder chokes on, NUL, dot segments, and text that needs no encoding at all. */
const RAW_PIECES = [
  '%00',
  '%FF',
  '%ED%A0%80',
  '%C0%AF',
  '%',
  '%zz',
  '%2',
  '.',
  '..',
  '%2e%2e',
  '%2F',
  '=',
  '&',
  '+',
  '',
];
const piece = fc.oneof(
  anyText.map(encodeURIComponent),
  fc.constantFrom(...RAW_PIECES),
  fc.constantFrom(
    '2026-01-01T00:00:00Z',
    '-1',
    '0',
    '1e999',
    '9007199254740993',
    '10.0.0.0/8',
    'csv',
    'ndjson',
    'asc',
    'true',
    '1h',
    '15m',
  ),
);
const query = fc
  .array(
    fc.tuple(fc.oneof(fc.constantFrom(...PARAMS), piece), fc.array(piece, { minLength: 1, maxLength: 3 })),
    {
      maxLength: 5,
    },
  )
  .map((pairs) => pairs.map(([name, value]) => `${name}=${value.join('')}`).join('&'));

describe('arbitrary URLs', () => {
  const runs = propertyRuns(300);
  it(
    'every GET route answers arbitrary path segments and query strings without a 5xx',
    async () => {
      // Stored values as hostile as the rules allow, for the reads to trip over.
      for (let i = 0; i < 5; i++) {
        const [fields, value] = fc.sample(fc.tuple(eventFields, jsonValue), 1)[0]!;
        const c = buildCase(fields, `hq${RUN}n${i}`);
        const res = await server.request('/v1/events', {
          method: 'POST',
          json: { ...c.event, newValue: value },
        });
        expect(res.status).toBe(201);
      }
      const routes = server.app.routeTable.filter((r) => r.method === 'GET');
      let n = 0;
      await fc.assert(
        fc.asyncProperty(
          fc.nat(),
          fc.array(piece, { minLength: 4, maxLength: 4 }),
          query,
          async (r, segments, q) => {
            n++;
            const route = routes[r % routes.length]!;
            let i = 0;
            const path = route.url.replace(/:\w+|\*/g, () => segments[i++]!);
            const res = await server.request(`${path}?${q}`);
            const text = await res.text();
            expect(res.status, `GET ${path}?${q}: ${text.slice(0, 200)}`).toBeLessThan(500);
            const type = res.headers.get('content-type') ?? '';
            if (res.status >= 400) expect(JSON.parse(text).error.code).toEqual(expect.any(String));
            else if (type.includes('application/json')) JSON.parse(text);
            else if (type.includes('ndjson'))
              for (const line of text.split('\n').filter(Boolean)) JSON.parse(line);
            else if (type.includes('csv')) parseCsv(text);
          },
        ),
        propertyOptions(runs),
      );
      console.log(`arbitrary URLs: ${n} generated requests on ${routes.length} GET routes`);
    },
    timeoutFor(runs, 20),
  );

  it('afterwards every page of both logs still reads', async () => {
    for (const base of ['/v1/events?limit=500', '/v1/auth-events?limit=500']) {
      let cursor: string | null = null;
      do {
        const page: any = await readJson(
          server,
          `${base}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
        );
        cursor = page.nextCursor;
      } while (cursor);
    }
  });
});
