import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../src/core/domain/errors.js';

const root = new URL('..', import.meta.url).pathname;

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : path.endsWith('.ts') ? [path] : [];
  });
}

function imports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/^\s*(?:import|export)[^'"]*from\s+['"]([^'"]+)['"]/gm)].map((m) => m[1]!);
}

describe('architecture', () => {
  it('keeps the core free of database drivers, HTTP and the CLI', () => {
    const offenders = sources(join(root, 'src/core')).flatMap((file) =>
      imports(file)
        .filter(
          (i) =>
            /^(better-sqlite3|pg|postgres|fastify|@fastify\/|commander|cli-progress)$/.test(i) ||
            /\/(server|cli)\//.test(i) ||
            /\/store\/(sqlite|postgres)\//.test(i),
        )
        .map((i) => `${relative(root, file)} imports ${i}`),
    );
    expect(offenders).toEqual([]);
  });

  it('keeps the stores free of the server and the CLI, and each engine free of the other', () => {
    const offenders = sources(join(root, 'src/store')).flatMap((file) =>
      imports(file)
        .filter(
          (i) =>
            /\/(server|cli)\//.test(i) ||
            /^(fastify|commander)$/.test(i) ||
            (file.includes('/sqlite/') && i.includes('/postgres/')) ||
            (file.includes('/postgres/') && i.includes('/sqlite/')),
        )
        .map((i) => `${relative(root, file)} imports ${i}`),
    );
    expect(offenders).toEqual([]);
  });

  it('documents every error code in the README', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const undocumented = Object.keys(ERROR_CODES).filter(
      (code) => !readme.includes(`| \`${code}\` | ${ERROR_CODES[code as keyof typeof ERROR_CODES].status} |`),
    );
    expect(undocumented).toEqual([]);
  });
});
