// `changes` of a returned Event (API.md, GET /v1/events): the field-level difference of oldValue and newValue as
// JSON Pointer paths to the leaves that differ (arrays by index); where one side is null, every leaf of the other side
// with null opposite.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/temp-dir.js';
import { expectedChanges, rng, sortChanges } from './helpers/model.js';
import { type RunningServer, startServer } from './helpers/server.js';

const dir = tempDir('auditlog-contract-changes-');
let server: RunningServer;

beforeAll(async () => {
  server = await startServer({ dbFile: dir.file('a.db') });
});

afterAll(async () => {
  await server?.stop();
  dir.remove();
});

function event(oldValue: unknown, newValue: unknown): Record<string, unknown> {
  const e: Record<string, unknown> = {
    occurredAt: '2024-02-01T00:00:00Z',
    actor: { id: 'usr_1' },
    action: 'update',
    eventType: 'campaign.pacing_changed',
    category: 'campaigns',
    target: { type: 'Campaign', id: 'cmp-1' },
  };
  if (oldValue !== undefined) e.oldValue = oldValue;
  if (newValue !== undefined) e.newValue = newValue;
  return e;
}

async function changesOf(oldValue: unknown, newValue: unknown): Promise<any[]> {
  const { status, body } = await server.post(event(oldValue, newValue));
  expect(status, JSON.stringify(body)).toBe(201);
  const got = await server.getJson(`/v1/events/${body.events[0].id}`);
  expect(got.status).toBe(200);
  expect(Array.isArray(got.body.changes)).toBe(true);
  return sortChanges(got.body.changes);
}

const C = (path: string, old: unknown, nw: unknown) => ({ path, old, new: nw });

describe('changes', () => {
  it('a nested leaf: /pacing/ratio', async () => {
    expect(
      await changesOf(
        { pacing: { ratio: 2.5, mode: 'predictive' } },
        { pacing: { ratio: 3, mode: 'predictive' } },
      ),
    ).toEqual([C('/pacing/ratio', 2.5, 3)]);
  });

  it('arrays by index: /options/2/action', async () => {
    const opts = (a: string) => ({
      options: [
        { digit: 1, action: 'sales' },
        { digit: 2, action: 'support' },
        { digit: 3, action: a },
      ],
    });
    expect(await changesOf(opts('voicemail'), opts('operator'))).toEqual([
      C('/options/2/action', 'voicemail', 'operator'),
    ]);
  });

  it('an array that grows or shrinks: the extra elements with null opposite', async () => {
    expect(await changesOf({ dids: ['a', 'b'] }, { dids: ['a', 'b', 'c', 'd'] })).toEqual([
      C('/dids/2', null, 'c'),
      C('/dids/3', null, 'd'),
    ]);
    expect(await changesOf({ dids: ['a', 'b', 'c'] }, { dids: ['a'] })).toEqual([
      C('/dids/1', 'b', null),
      C('/dids/2', 'c', null),
    ]);
  });

  it('oldValue null (a create): every leaf of newValue with old null', async () => {
    const nv = {
      name: 'Spring',
      pacing: { ratio: 2, modes: ['a', 'b'] },
      options: [{ digit: 1, action: 'x' }],
    };
    const expected = sortChanges([
      C('/name', null, 'Spring'),
      C('/pacing/ratio', null, 2),
      C('/pacing/modes/0', null, 'a'),
      C('/pacing/modes/1', null, 'b'),
      C('/options/0/digit', null, 1),
      C('/options/0/action', null, 'x'),
    ]);
    expect(await changesOf(null, nv)).toEqual(expected);
    expect(await changesOf(undefined, nv)).toEqual(expected);
  });

  it('newValue null (a delete): every leaf of oldValue with new null', async () => {
    const ov = { role: 'admin', teams: ['north', 'emea'], limits: { calls: 5 } };
    const expected = sortChanges([
      C('/role', 'admin', null),
      C('/teams/0', 'north', null),
      C('/teams/1', 'emea', null),
      C('/limits/calls', 5, null),
    ]);
    expect(await changesOf(ov, null)).toEqual(expected);
    expect(await changesOf(ov, undefined)).toEqual(expected);
  });

  it('no difference, or neither value: an empty list', async () => {
    expect(await changesOf({ a: 1, b: [1, 2] }, { a: 1, b: [1, 2] })).toEqual([]);
    expect(await changesOf({ a: 1, b: { c: 2, d: 3 } }, { b: { d: 3, c: 2 }, a: 1 })).toEqual([]);
    expect(await changesOf(undefined, undefined)).toEqual([]);
    expect(await changesOf(null, null)).toEqual([]);
  });

  it('an added and a removed key with a subtree: each leaf with null opposite', async () => {
    expect(await changesOf({ keep: 1, gone: { x: 1, y: [2] } }, { keep: 1, added: { p: 'q' } })).toEqual(
      sortChanges([C('/gone/x', 1, null), C('/gone/y/0', 2, null), C('/added/p', null, 'q')]),
    );
  });

  it('a null leaf that gets a value, and a value that changes type', async () => {
    expect(await changesOf({ a: null, b: 1, c: true }, { a: 'set', b: '1', c: 'true' })).toEqual(
      sortChanges([C('/a', null, 'set'), C('/b', 1, '1'), C('/c', true, 'true')]),
    );
  });

  it('keys with / and ~ are escaped as JSON Pointer (RFC 6901)', async () => {
    expect(
      await changesOf(
        { 'a/b': 1, 'm~n': 1, plain: { 'x/y~z': 1 } },
        { 'a/b': 2, 'm~n': 2, plain: { 'x/y~z': 2 } },
      ),
    ).toEqual(sortChanges([C('/a~1b', 1, 2), C('/m~0n', 1, 2), C('/plain/x~1y~0z', 1, 2)]));
  });

  it('scalar values at the root: the root pointer ""', async () => {
    expect(await changesOf(5, 6)).toEqual([C('', 5, 6)]);
    expect(await changesOf('off', 'on')).toEqual([C('', 'off', 'on')]);
  });

  it('unicode keys and values', async () => {
    expect(await changesOf({ país: 'España', ключ: 1 }, { país: 'México', ключ: 1 })).toEqual([
      C('/país', 'España', 'México'),
    ]);
  });

  it('random pairs (200, seeded) match an independent diff', async () => {
    const r = rng(4242);
    const scalar = () =>
      r.pick([
        () => r.int(-5, 50),
        () => r.pick(['a', 'b', 'on', 'off', 'x y']),
        () => r.chance(0.5),
        () => r.int(0, 9) / 4,
      ])();
    type Kind = 'scalar' | 'object' | 'array';
    const tree = (depth: number, kind: Kind): unknown => {
      if (kind === 'scalar' || depth === 0) return scalar();
      if (kind === 'array') {
        const k: Kind = r.pick(['scalar', 'object']);
        return Array.from({ length: r.int(1, 4) }, () => tree(depth - 1, k));
      }
      const o: Record<string, unknown> = {};
      for (let i = 0; i < r.int(1, 4); i++)
        o[r.pick(['a', 'b', 'c', 'd', 'e'])] = tree(
          depth - 1,
          r.pick(['scalar', 'scalar', 'object', 'array']),
        );
      return o;
    };
    // a mutated copy that never turns a container into a scalar or an object into an array
    const mutate = (v: unknown, depth: number): unknown => {
      if (Array.isArray(v)) {
        const out = v.map((x) => mutate(x, depth - 1));
        if (r.chance(0.2)) out.pop();
        if (r.chance(0.2) && out.length > 0)
          out.push(typeof out[0] === 'object' ? tree(depth - 1, 'object') : scalar());
        return out.length > 0 ? out : v;
      }
      if (typeof v === 'object' && v !== null) {
        const out: Record<string, unknown> = {};
        for (const [k, x] of Object.entries(v)) if (!r.chance(0.15)) out[k] = mutate(x, depth - 1);
        if (r.chance(0.2)) {
          const k = r.pick(['f', 'g', 'h']);
          out[k] = tree(depth - 1, r.pick(['scalar', 'object']));
        }
        return Object.keys(out).length > 0 ? out : v;
      }
      return r.chance(0.3) ? scalar() : v;
    };
    const pairs: [unknown, unknown][] = [];
    for (let i = 0; i < 200; i++) {
      const a = tree(3, 'object');
      const mode = r.int(0, 9);
      pairs.push(mode === 0 ? [null, a] : mode === 1 ? [a, null] : [a, mutate(a, 3)]);
    }
    expect(pairs.filter(([o, n]) => expectedChanges(o, n).length > 0).length).toBeGreaterThan(150);
    expect(
      pairs.filter(([o, n]) => o !== null && n !== null && expectedChanges(o, n).length > 0).length,
    ).toBeGreaterThan(100);
    const { status, body } = await server.post({ events: pairs.map(([o, n]) => event(o, n)) });
    expect(status).toBe(201);
    const failures: string[] = [];
    for (let i = 0; i < pairs.length; i++) {
      const [o, n] = pairs[i] as [unknown, unknown];
      const got = await server.getJson(`/v1/events/${body.events[i].id}`);
      const want = sortChanges(expectedChanges(o, n));
      const have = sortChanges(got.body.changes ?? []);
      if (JSON.stringify(have) !== JSON.stringify(want)) {
        failures.push(
          `old=${JSON.stringify(o)} new=${JSON.stringify(n)}\n  want ${JSON.stringify(want)}\n  got  ${JSON.stringify(have)}`,
        );
      }
    }
    expect(failures.slice(0, 5)).toEqual([]);
  });
});
