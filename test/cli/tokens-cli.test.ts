// The CLI side of issue 20 findings 3, 6 and 7: a weak bootstrap token is refused at start (exit 2),
// `token list` shows viewer tokens with their parent, and `import` of an export keeps the log's own records.
import { existsSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { issueToken } from '../../src/core/domain/tokens.js';
import { runCli, startServerProcess } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp-dir.js';

const dir = tempDir();
afterAll(() => dir.remove());

describe('auditlog serve with AUDITLOG_BOOTSTRAP_TOKEN', () => {
  it('refuses a token weaker than 128 bits before opening the store, with exit code 2', async () => {
    // Which tokens are weak is unit-tested (test/core/bootstrap-token.test.ts); here, that serve refuses one.
    for (const weak of ['changeme-please', 'a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d']) {
      const db = dir.file(`weak-${weak.length}.db`);
      const r = await runCli(['serve', '--port', '0', '--db', db], { AUDITLOG_BOOTSTRAP_TOKEN: weak });
      expect(r.code, weak).toBe(2);
      expect(r.stderr).toMatch(/^auditlog: AUDITLOG_BOOTSTRAP_TOKEN is too weak to hold every scope: /);
      expect(r.stderr).toContain('openssl rand -base64 32');
      expect(existsSync(db), 'nothing was created').toBe(false);
    }
  });

  it('accepts an al_ token as the bootstrap token, and lists viewer tokens with their parent', async () => {
    const bootstrap = issueToken('default', ['admin'], { nowMs: 0 }).token;
    const db = dir.file('strong.db');
    const server = await startServerProcess(['--db', db], { AUDITLOG_BOOTSTRAP_TOKEN: bootstrap });
    try {
      const auth = { authorization: `Bearer ${bootstrap}`, 'content-type': 'application/json' };
      const me = await (await fetch(`${server.url}/v1/me`, { headers: auth })).json();
      expect(me).toMatchObject({ tokenId: bootstrap.slice(3, 15), kind: 'bootstrap', tenant: 'default' });
      const minted = await fetch(`${server.url}/v1/viewer-sessions`, {
        method: 'POST',
        headers: auth,
        body: '{}',
      });
      const viewer = (await minted.json()) as { token: string; expiresAt: string };
      const list = await runCli(['token', 'list', '--db', db]);
      expect(list.code).toBe(0);
      const rows = list.stdout
        .trim()
        .split('\n')
        .map((l) => l.split('\t'));
      expect(rows).toContainEqual([
        viewer.token.slice(3, 15),
        'default',
        'read',
        'viewer via bootstrap',
        `active until ${viewer.expiresAt}`,
        `viewer of ${bootstrap.slice(3, 15)}`,
      ]);
      expect(rows).toContainEqual([
        bootstrap.slice(3, 15),
        'default',
        'ingest,read,export,admin',
        'bootstrap',
        'active',
        'bootstrap',
      ]);
      const revoked = await runCli(['token', 'revoke', bootstrap.slice(3, 15), '--db', db]);
      expect(revoked.code, revoked.stderr).toBe(0);
      const after = await fetch(`${server.url}/v1/me`, {
        headers: { authorization: `Bearer ${viewer.token}` },
      });
      expect(after.status).toBe(401);
    } finally {
      await server.stop();
    }
  });
});

describe('changing AUDITLOG_BOOTSTRAP_TOKEN', () => {
  it('revokes the earlier bootstrap token and its viewer tokens, recorded; a revoked one is refused (exit 2)', async () => {
    const db = dir.file('rotate.db');
    const [first, second] = [0, 1].map(() => issueToken('default', ['admin'], { nowMs: 0 }).token) as [
      string,
      string,
    ];
    const firstId = first.slice(3, 15);
    const bearer = (t: string) => ({ authorization: `Bearer ${t}`, 'content-type': 'application/json' });
    const a = await startServerProcess(['--db', db], { AUDITLOG_BOOTSTRAP_TOKEN: first });
    let viewer: string;
    try {
      const minted = await fetch(`${a.url}/v1/viewer-sessions`, {
        method: 'POST',
        headers: bearer(first),
        body: '{}',
      });
      viewer = ((await minted.json()) as { token: string }).token;
    } finally {
      await a.stop();
    }
    const b = await startServerProcess(['--db', db], { AUDITLOG_BOOTSTRAP_TOKEN: second });
    try {
      expect(b.output()).toContain(
        `revoked bootstrap token ${firstId}: AUDITLOG_BOOTSTRAP_TOKEN names another`,
      );
      for (const old of [first, viewer])
        expect((await fetch(`${b.url}/v1/me`, { headers: bearer(old) })).status).toBe(401);
      expect((await fetch(`${b.url}/v1/me`, { headers: bearer(second) })).status).toBe(200);
      const events = await fetch(`${b.url}/v1/events?eventType=auditlog.token_revoked`, {
        headers: bearer(second),
      });
      const body = (await events.json()) as {
        events: { target: unknown; actor: { id: string; displayName: string } }[];
      };
      expect(body.events.map((e) => e.target)).toEqual([{ type: 'Token', id: firstId, name: 'bootstrap' }]);
      expect(body.events[0]!.actor).toMatchObject({
        id: expect.stringMatching(/^cli:/),
        displayName: 'auditlog serve',
      });
    } finally {
      await b.stop();
    }
    // A node started with the stale value brings nothing back and revokes nothing.
    const stale = await runCli(['serve', '--port', '0', '--db', db], { AUDITLOG_BOOTSTRAP_TOKEN: first });
    expect(stale.code).toBe(2);
    expect(stale.stderr).toMatch(
      new RegExp(`^auditlog: AUDITLOG_BOOTSTRAP_TOKEN names token ${firstId}, revoked at `),
    );
    const list = await runCli(['token', 'list', '--db', db]);
    expect(list.stdout).toMatch(new RegExp(`^${second.slice(3, 15)}\t.*\tactive\t`, 'm'));
    expect(list.stdout).toMatch(new RegExp(`^${firstId}\t.*\trevoked `, 'm'));
  });
});

describe('auditlog import', () => {
  it('imports an export holding the log’s own records (the operator may; an API client may not)', async () => {
    const source = dir.file('source.db');
    expect(
      (await runCli(['token', 'create', '--db', source, '--tenant', 'default', '--scopes', 'read'])).code,
    ).toBe(0);
    const exported = await runCli(['export', '--db', source, '--format', 'ndjson']);
    expect(exported.stdout).toContain('"eventType":"auditlog.token_created"');
    const file = dir.file('export.ndjson');
    writeFileSync(file, exported.stdout);
    const target = dir.file('target.db');
    const imported = await runCli(['import', file, '--db', target]);
    expect(imported.code, imported.stderr).toBe(0);
    const again = await runCli(['export', '--db', target, '--format', 'ndjson']);
    expect(again.stdout).toContain('"eventType":"auditlog.token_created"');
    expect(again.stdout).toContain('"id":"cli:');
  });
});
