import { existsSync, readFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { Problem, TenantResult } from '../../core/chain-verifier.js';
import { AuditError } from '../../core/errors.js';
import { publicKeyInfo } from '../../core/signing.js';
import { verifyExportFile } from '../../core/verify-export.js';
import { verifyStore } from '../../core/verify-store.js';
import { Progress } from '../progress.js';
import { openStore, resolveStoreFlags } from '../runtime.js';

interface VerifyFlags {
  db?: string;
  databaseUrl?: string;
  file?: string;
  tenant?: string;
  publicKey?: string[];
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

export function registerVerify(program: Command): void {
  program
    .command('verify')
    .description('Recompute the hash chain and check the signed checkpoints; exit 1 at the first problem')
    .option('--db <file>', 'SQLite database file (opened read-only; a copy works with the server stopped)')
    .option('--database-url <url>', 'PostgreSQL connection URL')
    .option('--file <export.ndjson>', 'an NDJSON export, checked offline')
    .option('--tenant <tenant>', 'only this tenant')
    .option(
      '--public-key <pem-file-or-text>',
      'trust only this key (repeatable; default: the keys in the store/file)',
      collect,
    )
    .action(async (flags: VerifyFlags) => {
      const trustedKeys = flags.publicKey?.length ? readKeys(flags.publicKey) : undefined;
      const progress = new Progress('verify');
      let tick = 0;
      const onProgress = (n: number) => {
        progress.add(n - tick);
        tick = n;
      };
      if (flags.file !== undefined) {
        if (flags.db !== undefined || flags.databaseUrl !== undefined) {
          throw new AuditError('invalid_request', 'Give --file or a store (--db / --database-url), not both');
        }
        const report = await verifyExportFile(flags.file, { trustedKeys, tenant: flags.tenant, onProgress });
        progress.stop();
        return finish(report.problem, summaryOfFile(report, flags.file));
      }
      // A reader thread reads the next rows while this thread hashes the current ones.
      const store = await openStore({ ...resolveStoreFlags(flags), readonly: true, readers: 1 });
      try {
        const report = await verifyStore(store, { tenant: flags.tenant, trustedKeys, onProgress });
        progress.stop();
        return finish(
          report.problem,
          summaryOfStore(report.tenants, report.entries, report.elapsedMs, report.keySource),
        );
      } finally {
        await store.close();
      }
    });
}

function readKeys(values: string[]): Map<string, string> {
  const keys = new Map<string, string>();
  for (const v of values) {
    const text = v.includes('-----BEGIN') ? v : existsSync(v) ? readFileSync(v, 'utf8') : v;
    const info = publicKeyInfo(text);
    keys.set(info.keyId, info.publicKeyPem);
  }
  return keys;
}

function finish(problem: Problem | undefined, summary: string): void {
  if (problem) {
    process.stdout.write(
      `FAILED tenant ${problem.tenant} seq ${problem.seq}: ${problem.kind.replaceAll('_', ' ')} — ${problem.message}\n`,
    );
    process.exitCode = 1;
    return;
  }
  process.stdout.write(`${summary}\n`);
}

function rate(entries: number, ms: number): string {
  return `${Math.round(entries / Math.max(ms / 1000, 0.001)).toLocaleString('en-US')} entries/s`;
}

function summaryOfStore(tenants: TenantResult[], entries: number, ms: number, keySource: string): string {
  const newest = tenants
    .map((t) => t.newestCheckpoint)
    .filter((c) => c !== undefined)
    .sort((a, b) => (a.signedAt < b.signedAt ? 1 : -1))[0];
  const unsigned = tenants.reduce((n, t) => n + t.unsigned, 0);
  const checkpoint = newest
    ? `newest checkpoint ${newest.tenant}@${newest.seq} signed ${newest.signedAt} by key ${newest.keyId}`
    : 'no checkpoint';
  const keys =
    keySource === 'given'
      ? 'the given key(s)'
      : "the store's own keys (pass --public-key to use a key you hold)";
  return (
    `OK ${entries.toLocaleString('en-US')} entries in ${tenants.length} tenant(s) intact; ${checkpoint}; ` +
    `${unsigned} entries after it not yet signed; checkpoints checked against ${keys}; ${rate(entries, ms)}`
  );
}

function summaryOfFile(report: Awaited<ReturnType<typeof verifyExportFile>>, file: string): string {
  const keys =
    report.keySource === 'given'
      ? 'the given key(s)'
      : "the file's own keys (pass --public-key to use a key you hold)";
  return (
    `OK ${file}: ${report.events.toLocaleString('en-US')} events intact, each proven up to a signed checkpoint ` +
    `(${report.checkpoints} checkpoints checked against ${keys}); ${rate(report.events, report.elapsedMs)}`
  );
}
