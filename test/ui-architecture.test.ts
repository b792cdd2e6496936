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
  it('talks to the server only through the API: no server module but the pure category catalog', () => {
    const offenders = sources(web).flatMap((file) =>
      [...readFileSync(file, 'utf8').matchAll(/from\s+['"]([^'"]+)['"]/g)]
        .map((m) => m[1]!)
        .filter((i) => i.startsWith('.') && !join(file, '..', i).startsWith(web))
        .filter((i) => !i.endsWith('/src/core/catalog.ts'))
        .map((i) => `${relative(root, file)} imports ${i}`),
    );
    expect(offenders).toEqual([]);
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
