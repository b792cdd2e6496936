#!/usr/bin/env node
// The `auditlog` command. `npm ci` builds dist/ (the prepare script); from a source checkout without a
// build, run `npm run build` first.
import { existsSync } from 'node:fs';

const entry = new URL('../dist/src/cli/main.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('auditlog: dist/ is missing; run `npm run build` (npm ci does it for you)\n');
  process.exit(3);
}
const { main } = await import(entry.href);
await main(process.argv);
