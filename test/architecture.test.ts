import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
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

/** The module an import names, as a path from the repository root ('' for a package or node: builtin). */
function resolved(file: string, spec: string): string {
  return spec.startsWith('.') ? relative(root, join(dirname(file), spec)) : '';
}

/** `file imports spec` for every import of a file under `dir` that `forbidden(target, spec)` refuses. */
function offenders(
  dir: string,
  forbidden: (target: string, spec: string, file: string) => boolean,
): string[] {
  return sources(join(root, dir)).flatMap((file) =>
    imports(file)
      .filter((spec) => forbidden(resolved(file, spec), spec, relative(root, file)))
      .map((spec) => `${relative(root, file)} imports ${spec}`),
  );
}

const DRIVERS = /^(better-sqlite3|pg|postgres|fastify|@fastify\/.*|commander|cli-progress)$/;

describe('architecture', () => {
  // The layers point one way: domain ← ports ← services ← (store, server) ← cli.
  it("keeps the core's domain pure: no ports, services, I/O, drivers or outer layers", () => {
    expect(
      offenders(
        'src/core/domain',
        (target, spec) =>
          /^src\/(core\/(ports|services)|store|server|cli)\//.test(target) ||
          DRIVERS.test(spec) ||
          /^node:(fs|fs\/promises|readline|worker_threads|child_process|http|https|net\/.*)$/.test(spec),
      ),
    ).toEqual([]);
  });

  it("keeps the ports to the domain's types", () => {
    expect(
      offenders(
        'src/core/ports',
        (target, spec) =>
          !target.startsWith('src/core/') || /^src\/core\/services\//.test(target) || DRIVERS.test(spec),
      ),
    ).toEqual([]);
  });

  it('keeps the services free of database drivers, HTTP, the CLI and any store engine', () => {
    expect(
      offenders(
        'src/core/services',
        (target, spec) => /^src\/(store|server|cli)\//.test(target) || DRIVERS.test(spec),
      ),
    ).toEqual([]);
  });

  it('keeps the stores free of the server and the CLI, and each engine free of the other', () => {
    expect(
      offenders(
        'src/store',
        (target, spec, file) =>
          /^src\/(server|cli)\//.test(target) ||
          /^(fastify|@fastify\/.*|commander)$/.test(spec) ||
          (file.includes('/sqlite/') && target.includes('/postgres/')) ||
          (file.includes('/postgres/') && target.includes('/sqlite/')),
      ),
    ).toEqual([]);
  });

  it('keeps the shared SQL (planners, dialect interface) free of both engines and their drivers', () => {
    expect(
      offenders(
        'src/store/sql',
        (target, spec) => /^src\/store\/(sqlite|postgres)\//.test(target) || DRIVERS.test(spec),
      ),
    ).toEqual([]);
  });

  it('gives both store folders the same file roles, but for the files only one engine needs', () => {
    // SQLite's writer is a thread of its own (client, protocol, worker) and its reads go to a pool of
    // reader threads (reader-pool); both keep a keyword index (search-index) and their rows' column order
    // (writer-rows); SQLite's seq guards halt with FAIL (its statement journals: seq-guard-schema);
    // PostgreSQL has monthly partitions and reconnects after an outage.
    const ENGINE_ONLY = {
      sqlite: ['reader-pool', 'seq-guard-schema', 'writer-client', 'writer-protocol', 'writer-worker'],
      postgres: ['availability', 'partitions'],
    };
    const roles = (engine: 'sqlite' | 'postgres') =>
      readdirSync(join(root, 'src/store', engine))
        .map((name) => name.replace(`${engine}-`, '').replace(/\.ts$/, ''))
        .filter((role) => !ENGINE_ONLY[engine].includes(role))
        .sort();
    expect(roles('postgres')).toEqual(roles('sqlite'));
    expect(roles('sqlite')).toEqual(
      expect.arrayContaining(['dialect', 'event-queries', 'auth-queries', 'query-runner']),
    );
  });

  it('keeps the server free of the store engines and the CLI (it is given a store)', () => {
    expect(offenders('src/server', (target) => /^src\/(store|cli)\//.test(target))).toEqual([]);
  });

  it('documents every error code in the contract, docs/api.md', () => {
    const contract = readFileSync(join(root, 'docs/api.md'), 'utf8');
    const undocumented = Object.keys(ERROR_CODES).filter(
      (code) =>
        !contract.includes(`| \`${code}\` | ${ERROR_CODES[code as keyof typeof ERROR_CODES].status} |`),
    );
    expect(undocumented).toEqual([]);
  });
});
