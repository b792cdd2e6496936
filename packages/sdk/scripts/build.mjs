// Builds the SDK into packages/sdk/dist: tsc compiles its sources and the server's rule modules they import
// (one source, no copies); then the event schemas, TypeBox in the source, are written out as their JSON so
// the package needs no schema library, and the build fails if dist imports anything the package does not
// declare. Run from anywhere: `node packages/sdk/scripts/build.mjs` (the root `npm run build:sdk`).

import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { builtinModules, createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const sdk = fileURLToPath(new URL('../', import.meta.url));
const dist = join(sdk, 'dist');
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');

rmSync(dist, { recursive: true, force: true });
execFileSync(process.execPath, [tsc, '-p', join(sdk, 'tsconfig.json')], { stdio: 'inherit' });

const schemas = join(dist, 'packages/sdk/src/rules/schemas.js');
const built = await import(schemas);
const json = (value) => JSON.stringify(value, null, 2);
writeFileSync(
  schemas,
  `// Written by packages/sdk/scripts/build.mjs from src/core/domain/schemas/ (through rules/schemas.ts).
export const LIMITS = ${json(built.LIMITS)};
export const EVENT_TYPE_MAX_LENGTH = ${json(built.EVENT_TYPE_MAX_LENGTH)};
export const EVENT_SCHEMA = ${json(built.EVENT_SCHEMA)};
export const AUTH_EVENT_SCHEMA = ${json(built.AUTH_EVENT_SCHEMA)};
`,
);
rmSync(`${schemas}.map`);
rmSync(join(dist, 'src/core/domain/schemas'), { recursive: true });

// Every import in dist must be a Node built-in, a declared dependency, or a file inside dist.
const declared = Object.keys(JSON.parse(readFileSync(join(sdk, 'package.json'), 'utf8')).dependencies);
const allowed = (spec) =>
  builtinModules.includes(spec.replace(/^node:/, '')) ||
  declared.some((d) => spec === d || spec.startsWith(`${d}/`));
const problems = [];
for (const file of files(dist).filter((f) => /\.(js|d\.ts)$/.test(f))) {
  for (const [, spec] of readFileSync(file, 'utf8').matchAll(/(?:from|import)\s*\(?\s*['"]([^'"]+)['"]/g)) {
    const at = `${relative(sdk, file)} imports ${spec}`;
    if (!spec.startsWith('.')) {
      if (!allowed(spec)) problems.push(`${at}, not a dependency of the SDK`);
      continue;
    }
    const target = resolve(dirname(file), spec).replace(/\.js$/, '');
    const inside = !relative(dist, target).startsWith('..');
    if (!inside || !(existsSync(`${target}.js`) || existsSync(`${target}.d.ts`)))
      problems.push(`${at}, not in dist`);
  }
}
if (problems.length > 0) {
  console.error(`The SDK's build is not self-contained:\n  ${problems.join('\n  ')}`);
  process.exit(1);
}

function files(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? files(join(dir, entry.name)) : [join(dir, entry.name)],
  );
}
