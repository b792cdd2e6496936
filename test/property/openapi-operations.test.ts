// Every operation of /openapi.json, driven by its own schemas: fast-check builds parameters and bodies from
// the document (valid values, values of the wrong type, unknown parameters, no token or a wrong one) and the
// server MUST never answer 5xx; every answer is checked against the document by the test server
// (test/helpers/openapi-responses.ts): a documented status, a 2xx matching its schema, a 4xx the error body.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, json, startTestServer, type TestServer } from '../helpers/test-server.js';
import { anyText, propertyOptions, propertyRuns, timeoutFor } from './arbitraries.js';

type Schema = Record<string, any>;
interface Parameter {
  name: string;
  in: 'query' | 'path';
  required?: boolean;
  schema: Schema;
}
interface Operation {
  operationId: string;
  parameters?: Parameter[];
  requestBody?: { content: { 'application/json': { schema: Schema } } };
}

let server: TestServer;
let doc: {
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, Schema> };
};
beforeAll(async () => {
  server = await startTestServer();
  doc = await json(await server.request('/openapi.json'));
});
afterAll(async () => server?.close());

const resolve = (s: Schema): Schema =>
  typeof s.$ref === 'string'
    ? resolve(doc.components?.schemas?.[s.$ref.split('/').pop() as string] ?? {})
    : s;

/** A parameter's text: a valid value or one of the wrong type (a query string carries only text). */
function parameterText(raw: Schema): fc.Arbitrary<string | string[]> {
  const s = resolve(raw);
  const wrong = fc.constantFrom('', '1.5', 'AAA', '-1', '99999999999999999999', 'true', 'null');
  if (s.type === 'array') return fc.array(parameterText(s.items).map(String), { minLength: 1, maxLength: 3 });
  if (s.enum) return fc.oneof(fc.constantFrom(...(s.enum as string[])), wrong, anyText);
  if (s.type === 'integer') {
    const valid = fc.integer({ min: s.minimum ?? -1000, max: Math.min(s.maximum ?? 1e6, 1e6) }).map(String);
    return fc.oneof({ weight: 3, arbitrary: valid }, { weight: 1, arbitrary: wrong });
  }
  if (s.format === 'date-time') {
    const date = fc.date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true });
    return fc.oneof(
      date.map((d) => d.toISOString()),
      wrong,
      anyText,
    );
  }
  if (s.pattern) return fc.oneof(fc.stringMatching(new RegExp(s.pattern)), wrong, anyText);
  return fc.oneof(anyText, wrong);
}

/** A JSON body shaped by the schema (optional fields left out at random), or any JSON at all. */
function bodyValue(raw: Schema, depth = 0): fc.Arbitrary<unknown> {
  const s = resolve(raw);
  if (depth > 4) return fc.constant(null);
  if (s.anyOf) return fc.oneof(...(s.anyOf as Schema[]).map((b) => bodyValue(b, depth + 1)));
  if (s.enum) return fc.constantFrom(...(s.enum as unknown[]));
  if (s.type === 'object' && s.properties) {
    const shape = Object.fromEntries(
      Object.entries(s.properties as Record<string, Schema>).map(([k, v]) => [k, bodyValue(v, depth + 1)]),
    );
    return fc.record(shape, { requiredKeys: (s.required as string[]) ?? [] });
  }
  if (s.type === 'array') return fc.array(bodyValue(s.items ?? {}, depth + 1), { maxLength: 3 });
  if (s.type === 'integer') return fc.integer({ min: -10, max: 5000 });
  if (s.type === 'string')
    return s.format === 'date-time' ? fc.date({ noInvalidDate: true }).map((d) => d.toISOString()) : anyText;
  if (s.type === 'boolean') return fc.boolean();
  return fc.jsonValue({ maxDepth: 2 });
}

function requestFor(path: string, op: Operation) {
  const params = op.parameters ?? [];
  const query = params.filter((p) => p.in === 'query');
  const pathParams = params.filter((p) => p.in === 'path');
  const queryArb = fc.record(Object.fromEntries(query.map((p) => [p.name, parameterText(p.schema)])), {
    requiredKeys: query.filter((p) => p.required).map((p) => p.name),
  });
  const bodySchema = op.requestBody?.content['application/json'].schema;
  return fc
    .record({
      query: queryArb,
      unknown: fc.option(fc.constantFrom('limt', 'x', 'Category'), { freq: 5 }),
      path: fc.tuple(...pathParams.map(() => anyText.filter((t) => t !== '' && t !== '.' && t !== '..'))),
      body: bodySchema
        ? fc.oneof({ weight: 4, arbitrary: bodyValue(bodySchema) }, fc.jsonValue())
        : fc.constant(undefined),
      token: fc.constantFrom<string | null>(ADMIN_TOKEN, ADMIN_TOKEN, ADMIN_TOKEN, null, 'al_wrong.secret'),
    })
    .map(({ query: q, unknown, path: values, body, token }) => {
      let url = path;
      pathParams.forEach((p, i) => {
        url = url.replace(`{${p.name}}`, encodeURIComponent(values[i] as string));
      });
      const search = new URLSearchParams();
      for (const [name, value] of Object.entries(q))
        for (const v of [value].flat()) search.append(name, v as string);
      if (unknown) search.append(unknown, '1');
      const text = search.toString();
      return { url: text ? `${url}?${text}` : url, body, token };
    });
}

describe('every operation of /openapi.json, from its schemas', () => {
  const runs = propertyRuns(12);
  it(
    'never answers 5xx, and every answer matches the document',
    async () => {
      const operations = Object.entries(doc.paths).flatMap(([path, ops]) =>
        Object.entries(ops).map(([method, op]) => ({ path, method: method.toUpperCase(), op })),
      );
      expect(operations.length).toBeGreaterThan(20);
      for (const { path, method, op } of operations) {
        await fc.assert(
          fc.asyncProperty(requestFor(path, op), async ({ url, body, token }) => {
            const res = await server.request(url, {
              method,
              token,
              ...(body === undefined ? {} : { json: body }),
            });
            const text = await res.text();
            expect(res.status, `${method} ${url} → ${text.slice(0, 300)}`).toBeLessThan(500);
          }),
          propertyOptions(runs),
        );
      }
      expect(server.contract.violations).toEqual([]);
      expect(server.contract.checked).toBeGreaterThan(operations.length * runs - 1);
    },
    timeoutFor(runs * 24, 40),
  );
});
