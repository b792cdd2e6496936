import type { Command } from 'commander';
import { AuditError } from '../../core/domain/errors.js';
import type { LegalHold, RetentionPolicy } from '../../core/domain/retention.js';
import { formatTimestamp } from '../../core/domain/time.js';
import type { AuditLog } from '../../core/services/audit-log.js';
import { cliActor, openRuntime } from '../runtime.js';
import { tenantOption } from '../tenant-option.js';

interface StoreFlagsCli {
  db?: string;
  databaseUrl?: string;
}

/** `auditlog purge`, `auditlog retention …`, `auditlog hold …` (docs/lifecycle.md). */
export function registerLifecycle(program: Command): void {
  withStore(
    program
      .command('purge')
      .description(
        'Remove the content of entries past their retention policy (not held), in small steps; the chain keeps verifying',
      )
      .option('--tenant <tenant>', 'only this tenant (default: every tenant with a policy)')
      .option('--step <n>', 'entries per step (one short transaction each)', '200'),
  ).action(async (flags: StoreFlagsCli & { tenant?: string; step: string }) => {
    const stepSize = wholeNumber(flags.step, '--step', 100_000);
    await withLog(flags, async (log) => {
      const report = await log.lifecycle.purge({ tenant: flags.tenant, stepSize, by: cliActor('purge') });
      for (const p of report.partitions.filter((p) => p.reason !== 'empty')) {
        process.stdout.write(
          p.dropped
            ? `partition ${p.partition} dropped whole (${p.entries} entries)\n`
            : `partition ${p.partition} kept (${p.reason}); expired entries purged in steps\n`,
        );
      }
      if (report.recoveredRuns > 0)
        process.stdout.write(
          `appended the auditlog.purge event(s) of ${report.recoveredRuns} earlier run(s) that had not\n`,
        );
      for (const t of report.tenants) {
        const anchor = t.anchor ? `; anchor checkpoint ${t.tenant}@${t.anchor.seq}` : '';
        process.stdout.write(
          `${t.tenant}: ${t.purged} entries purged in ${t.purges.length} signed step(s), ${t.held} kept by legal holds${anchor}\n`,
        );
      }
      process.stdout.write(
        `purged ${report.purged} entries, ${report.held} held, in ${Math.round(report.elapsedMs)} ms\n`,
      );
    });
  });

  const retention = program.command('retention').description('Retention policies per tenant and category');
  withStore(
    retention
      .command('set')
      .description('Keep a stream (and category) for this many days after the entries occurred')
      .addOption(tenantOption('the tenant'))
      .requiredOption('--days <n>', 'days to keep')
      .option('--stream <stream>', 'event (administrative events) or auth (the authentication log)', 'event')
      .option('--category <category>', 'one category of administrative events (default: every other one)'),
  ).action(
    async (flags: StoreFlagsCli & { tenant: string; days: string; stream: string; category?: string }) => {
      await withLog(flags, async (log) => {
        const body = {
          stream: flags.stream,
          maxAgeDays: wholeNumber(flags.days, '--days', 36_500),
          ...(flags.category ? { category: flags.category } : {}),
        };
        printPolicy(await log.lifecycle.setPolicy(flags.tenant, body, cliActor('retention set')));
      });
    },
  );
  withStore(
    retention
      .command('list')
      .description('List the retention policies')
      .option('--tenant <tenant>', 'only this tenant'),
  ).action(async (flags: StoreFlagsCli & { tenant?: string }) => {
    await withLog(flags, async (log) => {
      for (const p of await log.store.lifecycle.listPolicies(flags.tenant)) printPolicy(p);
    });
  });
  withStore(
    retention
      .command('delete')
      .description('Delete a policy: its entries are kept for ever again (or by the tenant default)')
      .requiredOption('--tenant <tenant>', 'the tenant')
      .option('--stream <stream>', 'event or auth', 'event')
      .option('--category <category>', 'the category (default: the tenant default of the stream)'),
  ).action(async (flags: StoreFlagsCli & { tenant: string; stream: string; category?: string }) => {
    await withLog(flags, async (log) => {
      await log.lifecycle.deletePolicy(
        flags.tenant,
        flags.stream,
        flags.category ?? null,
        cliActor('retention delete'),
      );
      process.stderr.write('policy deleted\n');
    });
  });

  const hold = program.command('hold').description('Legal holds: entries that survive every purge');
  withStore(
    hold
      .command('create')
      .description('Hold every entry matching all the criteria given, until released')
      .addOption(tenantOption('the tenant'))
      .requiredOption('--reason <text>', 'why (a case number)')
      .option('--actor <id>', 'actor id or username (user id or username in the auth log)')
      .option('--target-type <type>', 'target type')
      .option('--target-id <id>', 'target id')
      .option('--category <category>', 'category')
      .option('--from <time>', 'occurred at or after (RFC 3339)')
      .option('--to <time>', 'occurred before (RFC 3339)'),
  ).action(async (flags: StoreFlagsCli & Record<string, string | undefined> & { tenant: string }) => {
    await withLog(flags, async (log) => {
      const body = Object.fromEntries(
        Object.entries({
          reason: flags.reason,
          actorId: flags.actor,
          targetType: flags.targetType,
          targetId: flags.targetId,
          category: flags.category,
          from: flags.from,
          to: flags.to,
        }).filter(([, v]) => v !== undefined),
      );
      printHold(await log.lifecycle.createHold(flags.tenant, body, cliActor('hold create')));
    });
  });
  withStore(
    hold
      .command('list')
      .description('List the active holds (with --all, released ones too)')
      .requiredOption('--tenant <tenant>', 'the tenant')
      .option('--all', 'include released holds'),
  ).action(async (flags: StoreFlagsCli & { tenant: string; all?: boolean }) => {
    await withLog(flags, async (log) => {
      for (const h of await log.lifecycle.holds(flags.tenant, flags.all === true)) printHold(h);
    });
  });
  withStore(
    hold
      .command('release')
      .argument('<id>', 'the hold id')
      .description('Release a hold: the next purge may remove what it kept')
      .requiredOption('--tenant <tenant>', 'the tenant'),
  ).action(async (id: string, flags: StoreFlagsCli & { tenant: string }) => {
    await withLog(flags, async (log) => {
      printHold(await log.lifecycle.releaseHold(flags.tenant, id, cliActor('hold release')));
    });
  });
}

function withStore(command: Command): Command {
  return command
    .option('--db <file>', 'SQLite database file')
    .option('--database-url <url>', 'PostgreSQL connection URL');
}

/** Opens the log with the signing key of the servers (purge records are signed with it), runs, closes. */
async function withLog(flags: StoreFlagsCli, fn: (log: AuditLog) => Promise<void>): Promise<void> {
  const log = await openRuntime({ db: flags.db, databaseUrl: flags.databaseUrl });
  try {
    await fn(log);
  } finally {
    await log.close();
  }
}

/** 1..max, checked here so the message names the flag (not the policy's /maxAgeDays) and 0 is not clamped. */
function wholeNumber(text: string, flag: string, max: number): number {
  const n = /^\d{1,9}$/.test(text) ? Number(text) : 0;
  if (n < 1 || n > max) {
    throw new AuditError('invalid_request', `${flag} must be a whole number from 1 to ${max}, not "${text}"`);
  }
  return n;
}

function printPolicy(p: RetentionPolicy): void {
  process.stdout.write(`${p.tenant}\t${p.stream}\t${p.category ?? '*'}\t${p.maxAgeDays} days\n`);
}

function printHold(h: LegalHold): void {
  const criteria = [
    h.actorId && `actor=${h.actorId}`,
    h.targetType && `targetType=${h.targetType}`,
    h.targetId && `targetId=${h.targetId}`,
    h.category && `category=${h.category}`,
    h.fromMs !== null && `from=${formatTimestamp(h.fromMs)}`,
    h.toMs !== null && `to=${formatTimestamp(h.toMs)}`,
  ].filter(Boolean);
  const state =
    h.releasedMs === null
      ? 'active'
      : `released ${formatTimestamp(h.releasedMs)}${h.releasedBy ? ` by ${h.releasedBy}` : ''}`;
  process.stdout.write(
    `${h.id}\t${h.tenant}\t${state}\t${criteria.join(' ') || 'everything'}\t${h.reason}\n`,
  );
}
