// The round-trip contract with personal-data encryption on: every read opens the envelopes it finds and
// rebuilds each value, so every generated value (keys such as __proto__, constructor, prototype included)
// must read back identical from every read path, as it does without encryption (roundtrip.test.ts).
import fc from 'fast-check';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
import { buildCase, eventFields, propertyOptions, propertyRuns, timeoutFor } from './arbitraries.js';
import { checkReads } from './roundtrip-reads.js';

let server: TestServer;
const RUN = Math.random().toString(36).slice(2, 8);
const RUNS = propertyRuns(30);

beforeAll(async () => {
  // Every value root personal, so each read decrypts all of oldValue, newValue and metadata.
  server = await startTestServer({
    personalData: { encrypt: true, paths: ['/values/email', '/metadata/email'] },
  });
});
afterAll(async () => server?.close());

describe(`round trip with encryption on ${process.env.AUDITLOG_TEST_STORE ?? 'sqlite'}`, () => {
  it(
    'every accepted event reads back identical from every read path and export',
    async () => {
      let n = 0;
      await fc.assert(
        fc.asyncProperty(eventFields, async (fields) => {
          const c = buildCase(fields, `re${RUN}n${(n++).toString(36)}`);
          for (const [path, body] of [
            ['/v1/auth-events', c.login],
            ['/v1/events', c.event],
          ] as const) {
            const res = await server.request(path, { method: 'POST', json: body });
            if (res.status !== 201) throw new Error(`${path}: ${res.status} ${await res.text()}`);
          }
          await checkReads(server, c, { encrypted: true });
        }),
        propertyOptions(RUNS),
      );
    },
    timeoutFor(RUNS, 100),
  );
});
