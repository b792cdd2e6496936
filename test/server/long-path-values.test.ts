// Every id the API accepts reads back at its path, at every length; a longer path segment is a 400 with the
// contract's error body (red-team report, issue 20 finding 7: ids of 101–128 characters answered 414).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, sampleEvent, startTestServer, type TestServer } from '../helpers/test-server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => server?.close());

const enc = encodeURIComponent;
/** `n` characters, `tag` first: ASCII, or astral (two UTF-16 units, 12 characters once percent-encoded). */
const fill = (n: number, astral: boolean, tag: string) =>
  astral ? `${tag}${'😀'.repeat(n - tag.length)}` : `${tag}${'x'.repeat(n - tag.length)}`;

describe('long values in URL paths', () => {
  for (const astral of [false, true]) {
    it(`read back at every length the API accepts (${astral ? 'astral' : 'ASCII'} characters)`, async () => {
      for (const n of [100, 101, 128]) {
        const id = fill(n, astral, `e${n}-`);
        const targetType = fill(128, astral, `T${n}`);
        const targetId = fill(256, astral, `t${n}`);
        const sessionId = fill(256, astral, `s${n}`);
        // With its own eventType: the default (`<target type>.<action>`) of a 128-character type is too long.
        const event = sampleEvent({
          id,
          target: { type: targetType, id: targetId },
          sessionId,
          eventType: 'carrier.updated',
        });
        const posted = await server.request('/v1/events', { method: 'POST', json: event });
        expect(posted.status, await posted.clone().text()).toBe(201);
        const login = {
          type: 'login_success',
          user: { id: 'u1', username: 'jane' },
          method: 'password',
          sessionId,
          ip: '198.51.100.7',
        };
        expect((await server.request('/v1/auth-events', { method: 'POST', json: login })).status).toBe(201);

        const byId = await server.request(`/v1/events/${enc(id)}`);
        expect(byId.status).toBe(200);
        expect((await json(byId)).id).toBe(id);
        const history = await server.request(`/v1/entities/${enc(targetType)}/${enc(targetId)}/history`);
        expect(history.status).toBe(200);
        expect((await json(history)).events.map((e: any) => e.id)).toEqual([id]);
        const session = await server.request(`/v1/sessions/${enc(sessionId)}`);
        expect(session.status).toBe(200);
        expect((await json(session)).actions.map((e: any) => e.id)).toEqual([id]);
      }
    });
  }

  it('answer a segment longer than any accepted value with 400 naming the parameter', async () => {
    const long = 'x'.repeat(513);
    const cases: [string, string][] = [
      [`/v1/events/${long}`, '/id'],
      [`/v1/entities/Carrier/${long}/history`, '/targetId'],
      [`/v1/entities/${long}/x/history`, '/targetType'],
      [`/v1/sessions/${enc('😀'.repeat(257))}`, '/sessionId'],
      [`/v1/tokens/${long}`, '/id'],
    ];
    for (const [path, param] of cases) {
      const res = await server.request(path, { method: path.startsWith('/v1/tokens') ? 'DELETE' : 'GET' });
      expect(res.status, path).toBe(400);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      const body = await json(res);
      expect(body.error.code).toBe('invalid_query');
      expect(body.error.details).toEqual([{ path: param, message: expect.stringContaining('longer than') }]);
    }
    // Longer than any route's value, on no route at all: still the contract's body.
    const stray = await server.request(`/v1/events/${'y'.repeat(5000)}/more`);
    expect(stray.status).toBe(400);
    expect((await json(stray)).error).toMatchObject({ code: 'invalid_query', details: [] });
    // Past Node's 16 KiB for the URL and headers: refused before any route runs, with the contract's body.
    const huge = await server.request(`/v1/events/${'z'.repeat(20_000)}`);
    expect(huge.status).toBe(431);
    expect(await json(huge)).toEqual({
      error: { code: 'invalid_query', message: expect.stringContaining('16 KiB'), details: [] },
    });
  });
});
