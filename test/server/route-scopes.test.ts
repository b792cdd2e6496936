import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Scope } from '../../src/core/domain/tokens.js';
import { SCOPES } from '../../src/core/domain/tokens.js';
import { json, startTestServer, type TestServer } from '../helpers/test-server.js';

let server: TestServer;
const tokenWithout = new Map<string, string>();

beforeAll(async () => {
  server = await startTestServer();
  // For every scope, a token holding all the others.
  for (const missing of SCOPES) {
    const scopes = SCOPES.filter((s) => s !== missing);
    const res = await server.request('/v1/tokens', {
      method: 'POST',
      json: { tenant: 'default', scopes, name: `no-${missing}` },
    });
    tokenWithout.set(missing, (await json(res)).token);
  }
});
afterAll(async () => server?.close());

const concrete = (url: string) => url.replace(/:(\w+)/g, (_, name) => `x-${name}`);

describe('the route table', () => {
  it('declares a scope on every /v1 route', () => {
    const api = server.app.routeTable.filter((r) => r.url.startsWith('/v1/'));
    expect(api.length).toBeGreaterThan(8);
    const undeclared = api.filter((r) => r.scope === undefined || r.scope === 'public');
    expect(undeclared.map((r) => `${r.method} ${r.url}`)).toEqual([]);
  });

  it('answers 401 without a token and 403 without the scope, on every /v1 route', async () => {
    const api = server.app.routeTable.filter((r) => r.url.startsWith('/v1/'));
    const failures: string[] = [];
    for (const route of api) {
      const needed = [route.scope as Scope | Scope[]].flat();
      const url = concrete(route.url);
      const body = route.method === 'GET' || route.method === 'DELETE' ? undefined : {};
      const anonymous = await server.request(url, { method: route.method, token: null, json: body });
      if (anonymous.status !== 401)
        failures.push(`${route.method} ${route.url} without token: ${anonymous.status}`);
      const garbage = await server.request(url, { method: route.method, token: 'al_nope', json: body });
      if (garbage.status !== 401)
        failures.push(`${route.method} ${route.url} unknown token: ${garbage.status}`);
      // A token lacking every accepted scope: for single-scope routes, the token without that scope.
      if (needed.length === 1) {
        const res = await server.request(url, {
          method: route.method,
          token: tokenWithout.get(needed[0]!)!,
          json: body,
        });
        if (res.status !== 403)
          failures.push(`${route.method} ${route.url} without ${needed[0]}: ${res.status}`);
      }
      const allowed = await server.request(url, { method: route.method, json: body });
      if (allowed.status === 401 || allowed.status === 403) {
        failures.push(`${route.method} ${route.url} with all scopes: ${allowed.status}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it('refuses multi-scope routes to a token holding none of their scopes', async () => {
    const multi = server.app.routeTable.filter(
      (r) => Array.isArray(r.scope) && r.scope.length < SCOPES.length,
    );
    expect(multi.length).toBeGreaterThan(0);
    for (const route of multi) {
      const lacking = SCOPES.filter((s) => !(route.scope as Scope[]).includes(s));
      const token = await server.token('default', lacking);
      const body = route.method === 'GET' || route.method === 'DELETE' ? undefined : {};
      const r = await server.request(concrete(route.url), { method: route.method, token, json: body });
      expect(r.status, `${route.method} ${route.url}`).toBe(403);
    }
  });

  it('refuses a viewer token every /v1 route but GET, so it mints nothing', async () => {
    const minted = await server.request('/v1/viewer-sessions', { method: 'POST', json: {} });
    const viewer = (await json(minted)).token as string;
    const writes = server.app.routeTable.filter((r) => r.url.startsWith('/v1/') && r.method !== 'GET');
    expect(writes.map((r) => `${r.method} ${r.url}`)).toContain('POST /v1/viewer-sessions');
    const answers = [];
    for (const route of writes) {
      const body = route.method === 'DELETE' ? undefined : {};
      const r = await server.request(concrete(route.url), {
        method: route.method,
        token: viewer,
        json: body,
      });
      answers.push(`${route.method} ${route.url}: ${r.status}`);
    }
    expect(answers).toEqual(writes.map((r) => `${r.method} ${r.url}: 403`));
  });

  it('leaves /healthz, /metrics and /openapi.json open and lists every /v1 route in the OpenAPI document', async () => {
    expect((await server.request('/healthz', { token: null })).status).toBe(200);
    const metrics = await server.request('/metrics', { token: null });
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toContain('auditlog_http_request_duration_seconds');
    const doc = await json(await server.request('/openapi.json', { token: null }));
    expect(doc.openapi).toMatch(/^3\./);
    const documented = Object.keys(doc.paths);
    for (const r of server.app.routeTable.filter((x) => x.url.startsWith('/v1/'))) {
      expect(documented).toContain(r.url.replace(/:(\w+)/g, '{$1}'));
    }
  });
});
