import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = new URL('..', import.meta.url).pathname;
const web = join(root, 'web/src');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : /\.tsx?$/.test(name) ? [path] : [];
  });
}

describe('web UI architecture', () => {
  it('talks to the server only through the API: no server module, not even the category catalog', () => {
    // The one exception: `import type` of the API's schemas (src/core/domain/schemas), the UI's types —
    // erased at build, so no server code reaches the bundle, and the UI cannot drift from the API.
    const schemas = join(root, 'src/core/domain/schemas');
    const offenders = sources(web).flatMap((file) =>
      [...readFileSync(file, 'utf8').matchAll(/import\s+(type\s+)?[^;]*?from\s+['"]([^'"]+)['"]/g)]
        .filter((m) => m[2]!.startsWith('.') && !join(file, '..', m[2]!).startsWith(web))
        .filter((m) => !(m[1] && join(file, '..', m[2]!).startsWith(schemas)))
        .map((m) => `${relative(root, file)} imports ${m[2]}`),
    );
    expect(offenders).toEqual([]);
  });

  it('takes its API types from the API schemas, not a hand copy', () => {
    const types = readFileSync(join(web, 'api/types.ts'), 'utf8');
    expect(types).toContain("from '../../../src/core/domain/schemas/event-schema.ts'");
    expect(types).not.toMatch(/^export interface/m);
    // Nor does any other module of web/src/api declare an answer's shape by hand.
    for (const f of readdirSync(join(web, 'api'))) {
      expect(readFileSync(join(web, 'api', f), 'utf8'), f).not.toMatch(/^export interface/m);
    }
  });

  it('bundles no copy of the category catalog: labels come from GET /v1/catalog', () => {
    const assets = join(root, 'web/dist/assets');
    const bundles = readdirSync(assets).filter((f) => f.endsWith('.js'));
    expect(bundles.length).toBeGreaterThan(0);
    for (const f of bundles) {
      const code = readFileSync(join(assets, f), 'utf8');
      // Descriptions and action labels of the default catalog (src/core/catalog.ts).
      expect(code, f).not.toContain('Bulk provisioning');
      expect(code, f).not.toContain('pacing adjustments');
    }
  });

  it('never renders markup from data', () => {
    const offenders = sources(web).filter((file) =>
      /dangerouslySetInnerHTML|\.innerHTML\s*=|\.outerHTML\s*=|insertAdjacentHTML|document\.write|\beval\(|new Function\(/.test(
        readFileSync(file, 'utf8'),
      ),
    );
    expect(offenders.map((f) => relative(root, f))).toEqual([]);
  });

  it('keeps the token out of URLs and localStorage', () => {
    const all = sources(web)
      .map((f) => readFileSync(f, 'utf8'))
      .join('\n');
    expect(all).not.toMatch(/localStorage\s*[.[]/);
    expect(all).not.toMatch(/[?&]token=/);
  });
});
