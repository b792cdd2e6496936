import type { Command } from 'commander';
import { AuditError } from '../../core/domain/errors.js';
import { cliActor, openRuntime, requireExistingStore } from '../runtime.js';

interface EraseFlags {
  db?: string;
  databaseUrl?: string;
  tenant: string;
  list?: boolean;
}

/**
 * `auditlog erase <actorId>`: erasure of a data subject by crypto-shredding (docs/lifecycle.md). Needs the
 * erasure key file (or AUDITLOG_ERASURE_KEY) and AUDITLOG_ENCRYPT_PERSONAL_DATA=1, like the servers.
 */
export function registerErase(program: Command): void {
  program
    .command('erase')
    .description('Erase a data subject: destroy its key, so its personal fields read as erased everywhere')
    .argument('[actorId]', "the subject's actor id")
    .option('--tenant <tenant>', 'the tenant', 'default')
    .option('--list', "list the tenant's erasures instead")
    .option('--db <file>', 'SQLite database file')
    .option('--database-url <url>', 'PostgreSQL connection URL')
    .action(async (actorId: string | undefined, flags: EraseFlags) => {
      if ((flags.list === true) === (actorId !== undefined))
        throw new AuditError('invalid_request', 'Give the actor id to erase, or --list, not both');
      requireExistingStore(flags, 'erase works on an existing log');
      const log = await openRuntime({ db: flags.db, databaseUrl: flags.databaseUrl });
      try {
        if (flags.list) {
          for (const e of await log.erasure.list(flags.tenant)) {
            process.stdout.write(`${e.erasedAt}\t${e.keyId}\t${e.status}\n`);
          }
          return;
        }
        const started = performance.now();
        const result = await log.erasure.erase(flags.tenant, actorId!, cliActor('erase'));
        const ms = Math.round(performance.now() - started);
        process.stdout.write(`erased: key ${result.keyId} destroyed in ${ms} ms (tenant ${flags.tenant})\n`);
      } finally {
        await log.close();
      }
    });
}
