import type { Command } from 'commander';
import type { Scope } from '../../core/domain/tokens.js';
import { cliActor, openRuntime, requireExistingStore } from '../runtime.js';

interface StoreFlagsCli {
  db?: string;
  databaseUrl?: string;
}

export function registerToken(program: Command): void {
  const token = program.command('token').description('Manage API tokens');
  token
    .command('create')
    .description('Create a token and print it once (only its hash is stored)')
    .requiredOption('--tenant <tenant>', 'the tenant the token belongs to')
    .requiredOption('--scopes <list>', 'comma-separated: ingest,read,export,admin')
    .option('--name <name>', 'a label shown in token lists and audit events')
    .option('--db <file>', 'SQLite database file')
    .option('--database-url <url>', 'PostgreSQL connection URL')
    .action(async (flags: StoreFlagsCli & { tenant: string; scopes: string; name?: string }) => {
      const log = await openRuntime(flags);
      try {
        const scopes = flags.scopes.split(',').map((s) => s.trim()) as Scope[];
        const issued = await log.access.createToken(
          { tenant: flags.tenant, scopes, name: flags.name },
          cliActor('token create'),
        );
        process.stdout.write(`${issued.token}\n`);
        process.stderr.write(
          `token ${issued.record.id} for tenant ${flags.tenant} (${issued.record.scopes.join(',')}); it is shown only this once\n`,
        );
      } finally {
        await log.close();
      }
    });
  token
    .command('list')
    .description('List tokens (never their secrets) and the viewer tokens that still work, with their parent')
    .option('--tenant <tenant>', 'only this tenant')
    .option('--db <file>', 'SQLite database file')
    .option('--database-url <url>', 'PostgreSQL connection URL')
    .action(async (flags: StoreFlagsCli & { tenant?: string }) => {
      requireExistingStore(flags, 'token list reads an existing log');
      const log = await openRuntime(flags);
      try {
        for (const t of await log.access.listTokens(flags.tenant)) {
          const state = t.revokedAt
            ? `revoked ${t.revokedAt}`
            : t.expiresAt
              ? `active until ${t.expiresAt}`
              : 'active';
          const parent = t.parentId ? `viewer of ${t.parentId}` : t.kind;
          process.stdout.write(
            `${t.id}\t${t.tenant}\t${t.scopes.join(',')}\t${t.name ?? ''}\t${state}\t${parent}\n`,
          );
        }
      } finally {
        await log.close();
      }
    });
  token
    .command('revoke')
    .argument('<id>', 'the token id (the part after al_, before the next _)')
    .description('Revoke a token; it stops working at once')
    .option('--db <file>', 'SQLite database file')
    .option('--database-url <url>', 'PostgreSQL connection URL')
    .action(async (id: string, flags: StoreFlagsCli) => {
      requireExistingStore(flags, 'token revoke changes an existing log');
      const log = await openRuntime(flags);
      try {
        const revoked = await log.access.revokeToken(id, cliActor('token revoke'));
        process.stderr.write(revoked ? `token ${id} revoked\n` : `token ${id} was already revoked\n`);
      } finally {
        await log.close();
      }
    });
}
