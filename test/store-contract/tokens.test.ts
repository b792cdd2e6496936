// Store.tokens: create (a conflict when the id exists), createIfAbsent, find, list by tenant, revoke (with the
// tokens a token minted), count.
import { describe, expect, it } from 'vitest';
import type { TokenRecord } from '../../src/core/domain/tokens.js';
import { storePerFile } from './store-under-test.js';

const sut = storePerFile();
const tokens = () => sut().store.tokens;

const token = (id: string, extra: Partial<TokenRecord> = {}): TokenRecord => ({
  id,
  tenant: 'acme',
  name: null,
  scopes: ['ingest', 'read'],
  secretHash: 'a1'.repeat(32),
  createdMs: 1_767_225_600_123,
  revokedMs: null,
  expiresMs: null,
  kind: 'api',
  parentId: null,
  ...extra,
});

const byId = (xs: TokenRecord[]) => [...xs].sort((a, b) => (a.id < b.id ? -1 : 1));

describe('tokens', () => {
  it('an empty store has none', async () => {
    expect(await tokens().count()).toBe(0);
    expect(await tokens().list()).toEqual([]);
    expect(await tokens().find('nope')).toBeUndefined();
  });

  it('create stores every field exactly; find answers it', async () => {
    const records = [
      token('tok-api'),
      token('tok-bootstrap', {
        tenant: 'default',
        scopes: ['ingest', 'read', 'export', 'admin'],
        kind: 'bootstrap',
        name: 'bootstrap',
      }),
      token('tok-viewer', {
        tenant: 'globex',
        scopes: ['read'],
        kind: 'viewer',
        expiresMs: 1_767_226_500_456,
        name: 'Ünïcode "name" % _',
        secretHash: 'ff'.repeat(32),
        parentId: 'tok-api',
      }),
    ];
    for (const r of records) await tokens().create(r);
    for (const r of records) expect(await tokens().find(r.id)).toEqual(r);
    expect(await tokens().count()).toBe(3);
  });

  it('create fails when the id exists, and the stored token is unchanged', async () => {
    await tokens().create(token('tok-dup', { name: 'first' }));
    await expect(tokens().create(token('tok-dup', { name: 'second', tenant: 'other' }))).rejects.toThrow();
    expect(await tokens().find('tok-dup')).toEqual(token('tok-dup', { name: 'first' }));
  });

  it('createIfAbsent stores once and answers whether it stored', async () => {
    expect(await tokens().createIfAbsent(token('tok-once', { name: 'one' }))).toBe(true);
    expect(await tokens().createIfAbsent(token('tok-once', { name: 'two' }))).toBe(false);
    expect((await tokens().find('tok-once'))?.name).toBe('one');
    expect(await tokens().createIfAbsent(token('tok-api', { name: 'again' }))).toBe(false);
    expect((await tokens().find('tok-api'))?.name).toBeNull();
    const raced = await Promise.all(
      Array.from({ length: 8 }, (_, i) => tokens().createIfAbsent(token('tok-race', { name: `n${i}` }))),
    );
    expect(raced.filter(Boolean)).toHaveLength(1);
    expect((await tokens().find('tok-race'))?.name).toBe(`n${raced.indexOf(true)}`);
  });

  it('ids are exact', async () => {
    expect(await tokens().find('TOK-API')).toBeUndefined();
    expect(await tokens().find('tok-ap')).toBeUndefined();
    expect(await tokens().find('tok-%')).toBeUndefined();
  });

  it('list answers every token, or those of one tenant', async () => {
    const all = await tokens().list();
    expect(all.map((t) => t.id).sort()).toEqual(
      ['tok-api', 'tok-bootstrap', 'tok-dup', 'tok-once', 'tok-race', 'tok-viewer'].sort(),
    );
    expect(await tokens().count()).toBe(all.length);
    for (const t of all) expect(await tokens().find(t.id)).toEqual(t);
    expect(byId(await tokens().list('acme')).map((t) => t.id)).toEqual([
      'tok-api',
      'tok-dup',
      'tok-once',
      'tok-race',
    ]);
    expect(await tokens().list('globex')).toEqual([await tokens().find('tok-viewer')]);
    expect(await tokens().list('ACME')).toEqual([]);
    expect(await tokens().list('nobody')).toEqual([]);
  });

  it('revoke marks a token revoked; again changes nothing and is false; an unknown id is false', async () => {
    expect(await tokens().revoke('tok-api', 1_767_300_000_000)).toBe(true);
    const revoked = await tokens().find('tok-api');
    expect(revoked).toEqual(token('tok-api', { revokedMs: 1_767_300_000_000 }));
    // False: this call did not revoke it (so its caller records nothing).
    expect(await tokens().revoke('tok-api', 1_767_400_000_000)).toBe(false);
    expect(await tokens().find('tok-api')).toEqual(revoked);
    expect(await tokens().revoke('no-such-token', 1_767_300_000_000)).toBe(false);
    expect(await tokens().find('no-such-token')).toBeUndefined();
    // Revoking one token leaves the others alone, and a revoked token is still listed and counted.
    expect((await tokens().find('tok-once'))?.revokedMs).toBeNull();
    expect((await tokens().list('acme')).find((t) => t.id === 'tok-api')?.revokedMs).toBe(1_767_300_000_000);
    expect(await tokens().count()).toBe(6);
  });

  it('of concurrent revokes of one token, exactly one is true; the time is its', async () => {
    await tokens().create(token('tok-revoke-race'));
    const raced = await Promise.all(
      Array.from({ length: 8 }, (_, i) => tokens().revoke('tok-revoke-race', 1_767_700_000_000 + i)),
    );
    expect(raced.filter(Boolean)).toHaveLength(1);
    expect((await tokens().find('tok-revoke-race'))?.revokedMs).toBe(1_767_700_000_000 + raced.indexOf(true));
  });

  it('revoke reaches every token the revoked one minted, at any depth, and no other', async () => {
    await tokens().create(token('fam-root'));
    await tokens().create(token('fam-child', { kind: 'viewer', parentId: 'fam-root' }));
    await tokens().create(token('fam-child-2', { kind: 'viewer', parentId: 'fam-root', revokedMs: 5 }));
    await tokens().create(token('fam-grandchild', { kind: 'viewer', parentId: 'fam-child' }));
    await tokens().create(token('fam-other', { kind: 'viewer', parentId: 'tok-once' }));
    // A cycle (which the API cannot make) ends the walk instead of looping.
    await tokens().create(token('fam-loop-a', { parentId: 'fam-loop-b' }));
    await tokens().create(token('fam-loop-b', { parentId: 'fam-loop-a' }));
    expect(await tokens().revoke('fam-root', 1_767_500_000_000)).toBe(true);
    const revokedAt = async (id: string) => (await tokens().find(id))?.revokedMs;
    expect(await revokedAt('fam-root')).toBe(1_767_500_000_000);
    expect(await revokedAt('fam-child')).toBe(1_767_500_000_000);
    expect(await revokedAt('fam-grandchild')).toBe(1_767_500_000_000);
    expect(await revokedAt('fam-child-2')).toBe(5);
    expect(await revokedAt('fam-other')).toBeNull();
    expect(await revokedAt('tok-once')).toBeNull();
    expect(await tokens().revoke('fam-loop-a', 1_767_600_000_000)).toBe(true);
    expect(await revokedAt('fam-loop-b')).toBe(1_767_600_000_000);
  });
});
