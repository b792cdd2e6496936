import type { Command } from 'commander';
import { AuditError } from '../../core/domain/errors.js';
import { openStore } from '../runtime.js';

/**
 * `auditlog migrate`: brings the schema up to date and, on PostgreSQL, creates the monthly partitions ahead.
 * `serve` does both on start when its role may; a deployment whose service role cannot create tables runs
 * this with the owner role (at least monthly, e.g. from cron).
 */
export function registerMigrate(program: Command): void {
  program
    .command('migrate')
    .description('Migrate the schema; on PostgreSQL also create monthly partitions ahead (run as the owner)')
    .option('--db <file>', 'SQLite database file')
    .option('--database-url <url>', 'PostgreSQL connection URL')
    .option('--months-ahead <n>', 'PostgreSQL: months of partitions to create ahead', '12')
    .action(async (flags: { db?: string; databaseUrl?: string; monthsAhead: string }) => {
      const months = Number(flags.monthsAhead);
      if (!Number.isInteger(months) || months < 0 || months > 120) {
        throw new AuditError('invalid_request', '--months-ahead must be an integer from 0 to 120');
      }
      const store = await openStore({ db: flags.db, databaseUrl: flags.databaseUrl });
      try {
        const ensurePartitions = store.capabilities.ensurePartitions;
        if (!ensurePartitions) {
          process.stdout.write('schema is up to date\n');
          return;
        }
        const { created, failed } = await ensurePartitions(months);
        for (const f of failed) process.stderr.write(`could not create ${f}\n`);
        process.stdout.write(
          `schema is up to date; ${created} partition(s) created, ${months} month(s) ahead covered${failed.length ? `; ${failed.length} failed` : ''}\n`,
        );
        if (failed.length) process.exitCode = 1;
      } finally {
        await store.close();
      }
    });
}
