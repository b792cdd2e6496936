import { existsSync, readFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { Problem, TenantResult } from '../../core/domain/chain-verifier.js';
import { DEFAULT_CHECKPOINT_EVERY } from '../../core/domain/checkpoint-schedule.js';
import { AuditError } from '../../core/domain/errors.js';
import type { EndRule } from '../../core/domain/export-end.js';
import { parseSavedCheckpoints } from '../../core/domain/saved-checkpoints.js';
import { publicKeyInfo } from '../../core/domain/signing.js';
import { verifyExport } from '../../core/domain/verify-export.js';
import { verifyStore } from '../../core/services/verify-store.js';
import { Progress } from '../progress.js';
import { readPublicKeyArg } from '../public-key-arg.js';
import { readLines, requireFile } from '../read-lines.js';
import { openStore, resolveStoreFlags } from '../runtime.js';
import { verifyProof } from './verify-proof.js';

interface VerifyFlags {
  proof?: string;
  db?: string;
  databaseUrl?: string;
  file?: string;
  tenant?: string;
  publicKey?: string[];
  checkpoint?: string[];
  checkpointEvery?: string;
  allowMissingEnd?: boolean | string;
  merkle?: boolean;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

export function registerVerify(program: Command): void {
  program
    .command('verify')
    .description(
      'Recompute the hash chain, check the signed checkpoints, their schedule and the ones you saved; exit 1 on a problem',
    )
    .option('--db <file>', 'SQLite database file (opened read-only; a copy works with the server stopped)')
    .option('--database-url <url>', 'PostgreSQL connection URL')
    .option('--file <export.ndjson>', 'an NDJSON export, checked offline')
    .option('--tenant <tenant>', 'only this tenant')
    .option(
      '--proof <file>',
      'a proof file written by `auditlog prove`, checked offline (needs --public-key)',
    )
    .option(
      '--public-key <pem-file-or-text>',
      'trust only this key (repeatable; default: the keys in the store/file)',
      collect,
    )
    .option(
      '--checkpoint <file>',
      'checkpoints you saved earlier (GET /v1/integrity/checkpoints/latest, one JSON per line); the chain must still extend each (repeatable)',
      collect,
    )
    .option(
      '--checkpoint-every <n>',
      `the schedule the server signs checkpoints on; every multiple must have one (default ${DEFAULT_CHECKPOINT_EVERY}, 0: not checked)`,
    )
    .option(
      '--merkle',
      'also recompute every stored Merkle node from the chain (about twice the time); without it only the size the tree claims is checked',
    )
    .option(
      '--allow-missing-end [date]',
      'with --file: accept an export without its signed end line (made before exports had one): each event is still proven, but not that none is missing; with the date from which all your servers wrote end lines, not an export whose last checkpoint was signed since (it was cut)',
    )
    .action(async (flags: VerifyFlags) => {
      if (flags.proof !== undefined) {
        refuseBesideProof(flags);
        return verifyProof(flags.proof, flags.publicKey ?? []);
      }
      const trustedKeys = flags.publicKey?.length ? readKeys(flags.publicKey) : undefined;
      const saved = (flags.checkpoint ?? []).flatMap((f) => parseSavedCheckpoints(readText(f), f));
      const checkpointEvery = scheduleOf(flags.checkpointEvery);
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
        requireFile(flags.file);
        const report = await verifyExport(readLines(flags.file), {
          trustedKeys,
          tenant: flags.tenant,
          ...endRule(flags.allowMissingEnd),
          saved,
          onProgress,
        });
        progress.stop();
        // An empty file, one that is no export, or a --tenant it does not hold: nothing was proven.
        if (!report.problem && report.checkpoints === 0 && report.ends.length === 0)
          return nothingChecked(
            `${flags.file} holds no signed checkpoint or end line${flags.tenant === undefined ? '' : ` of tenant ${flags.tenant}`}: nothing is proven (is it an NDJSON export?)`,
          );
        return finish(report.problem ? [report.problem] : [], summaryOfFile(report, flags.file));
      }
      // A reader thread reads the next rows while this thread hashes the current ones.
      const store = await openStore({ ...resolveStoreFlags(flags), readonly: true, readers: 1 });
      try {
        const report = await verifyStore(store, {
          tenant: flags.tenant,
          trustedKeys,
          saved,
          checkpointEvery,
          merkleNodes: flags.merkle ?? false,
          onProgress,
        });
        progress.stop();
        // Nothing checked and nothing wrong: a --tenant typo, or an empty store (the wrong database). (A
        // tenant whose every row was deleted has problems to show: its chain head and checkpoints remain.)
        if (report.entries === 0 && report.problems.length === 0)
          return nothingChecked(
            flags.tenant !== undefined
              ? `tenant ${flags.tenant} holds no entries: nothing was verified`
              : 'the store holds no entries: nothing was verified (is it the right database?)',
          );
        return finish(
          report.problems,
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
    const info = readPublicKeyArg(v, publicKeyInfo);
    keys.set(info.keyId, info.publicKeyPem);
  }
  return keys;
}

function readText(file: string): string {
  if (!existsSync(file)) throw new AuditError('invalid_request', `No checkpoint file at ${file}`);
  return readFileSync(file, 'utf8');
}

function scheduleOf(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value))
    throw new AuditError('invalid_request', '--checkpoint-every must be a whole number (0: not checked)');
  return Number(value);
}

/** A verification that checked nothing is no verification: a typo in --tenant or --file must not read OK. */
function nothingChecked(message: string): void {
  process.stdout.write(`FAILED: ${message}\n`);
  process.exitCode = 1;
}

/** One FAILED line per problem (a tenant's first chain problem, its missing checkpoints), else the summary. */
function finish(problems: Problem[], summary: string): void {
  for (const p of problems) {
    process.stdout.write(
      `FAILED tenant ${p.tenant} seq ${p.seq}: ${p.kind.replaceAll('_', ' ')} — ${p.message}\n`,
    );
  }
  if (problems.length > 0) {
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
  const saved = tenants.reduce((n, t) => n + t.savedCheckpoints, 0);
  const purged = tenants.reduce((n, t) => n + t.purged, 0);
  return (
    `OK ${(entries - purged).toLocaleString('en-US')} entries in ${tenants.length} tenant(s) intact; ` +
    `${purged ? `${purgedSummary(tenants, purged)}; ` : ''}${checkpoint}; ` +
    `${unsigned} entries after it not yet signed; checkpoints checked against ${keys}; ` +
    `${saved ? `the chain extends all ${saved} saved checkpoint(s); ` : ''}${rate(entries, ms)}`
  );
}

/** Purged entries: the chain links through their tombstones, each under a signed purge record. */
function purgedSummary(tenants: TenantResult[], purged: number): string {
  const ranges = tenants
    .filter((t) => t.purged > 0)
    .map((t) => {
      const shown = t.purgedRanges.slice(0, 10).map(([a, b]) => (a === b ? `${a}` : `${a}–${b}`));
      const more = t.purgedRanges.length > 10 ? ', …' : '';
      return `${t.tenant} seqs ${shown.join(', ')}${more}`;
    });
  return `${purged.toLocaleString('en-US')} purged entries (signed purges; ${ranges.join('; ')})`;
}

function summaryOfFile(report: Awaited<ReturnType<typeof verifyExport>>, file: string): string {
  const keys =
    report.keySource === 'given'
      ? 'the given key(s)'
      : "the file's own keys (pass --public-key to use a key you hold)";
  const { extended, uncovered } = report.saved;
  const saved =
    extended + uncovered.length === 0
      ? ''
      : `it extends ${extended} saved checkpoint(s)${uncovered.length ? `; ${uncovered.length} not covered by this export (${uncovered.map((c) => `${c.tenant}@${c.seq}`).join(', ')}: filtered out, or signed after it)` : ''}; `;
  // What each tenant's signed end line proves whole: the export, its size and the head it was taken at.
  const whole = report.ends
    .slice(0, 5)
    .map(
      (e) =>
        `${e.tenant}: all ${e.events.toLocaleString('en-US')} events of export ${e.exportId}, taken at seq ${e.seq} (signed ${e.signedAt})`,
    )
    .join(', ');
  // Accepted without their end line (--allow-missing-end): where their proof ends, and that it proves less.
  const ended = new Set(report.ends.map((e) => e.tenant));
  const unended = report.reached
    .filter((r) => !ended.has(r.tenant))
    .map((r) => `${r.tenant} through seq ${r.seq} (signed ${r.signedAt}), NOT proven whole: no end line`);
  const more = report.ends.length > 5 ? ` and ${report.ends.length - 5} more tenant(s)` : '';
  return (
    `OK ${file}: ${report.events.toLocaleString('en-US')} events intact, each proven up to a signed checkpoint ` +
    `— ${[whole + more, ...unended].filter(Boolean).join(', ')} ` +
    `(${report.checkpoints} checkpoints checked against ${keys}); ${saved}` +
    `${report.purged ? `${report.purged.toLocaleString('en-US')} bridged entries marked purged; ` : ''}${rate(report.events, report.elapsedMs)}`
  );
}

/** --allow-missing-end, with or without the date end lines were written from (export-end.ts: EndRule). */
function endRule(flag: boolean | string | undefined): EndRule {
  if (flag === undefined || flag === false) return { requireEnd: true };
  if (flag === true) return { requireEnd: false };
  const from = /^\d{4}-\d{2}-\d{2}/.test(flag) ? Date.parse(flag) : Number.NaN;
  if (Number.isNaN(from))
    throw new AuditError(
      'invalid_request',
      `--allow-missing-end takes a date (from when exports had end lines, e.g. 2026-12-07 or 2026-12-07T13:47:53Z), not ${JSON.stringify(flag)}`,
    );
  return { requireEnd: false, endRequiredFrom: from };
}

/**
 * --proof checks the proof file alone. A --file, store or other check given beside it was silently skipped:
 * `verify --file tampered.ndjson --proof p.json` said OK (exit 0) without reading the export.
 */
function refuseBesideProof(flags: VerifyFlags): void {
  const beside: [string, unknown][] = [
    ['--file', flags.file],
    ['--db', flags.db],
    ['--database-url', flags.databaseUrl],
    ['--tenant', flags.tenant],
    ['--checkpoint', flags.checkpoint],
    ['--checkpoint-every', flags.checkpointEvery],
    ['--merkle', flags.merkle],
    ['--allow-missing-end', flags.allowMissingEnd],
  ];
  const given = beside.filter(([, value]) => value !== undefined).map(([flag]) => flag);
  if (given.length > 0)
    throw new AuditError(
      'invalid_request',
      `--proof checks the proof file alone: run ${given.join(', ')} as a separate verify`,
    );
}
