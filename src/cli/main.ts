import { Command, CommanderError } from 'commander';
import { isAuditError } from '../core/domain/errors.js';
import { registerDemo } from './commands/demo-command.js';
import { registerDestination } from './commands/destination-command.js';
import { registerErase } from './commands/erase-command.js';
import { registerExport } from './commands/export-command.js';
import { registerImport } from './commands/import-command.js';
import { registerLifecycle } from './commands/lifecycle-command.js';
import { registerMigrate } from './commands/migrate-command.js';
import { registerProve } from './commands/prove-command.js';
import { registerServe } from './commands/serve-command.js';
import { registerToken } from './commands/token-command.js';
import { registerVerify } from './commands/verify-command.js';
import { registerWitness } from './commands/witness-command.js';

/** Exit codes: 0 ok, 1 failure (e.g. verification failed), 2 bad usage or input, 3 store unavailable. */
export function exitCodeFor(error: unknown): number {
  if (isAuditError(error)) {
    if (error.code === 'store_unavailable') return 3;
    if (error.status >= 400 && error.status < 500) return 2;
  }
  return 1;
}

export async function main(argv: string[]): Promise<void> {
  const program = new Command('auditlog')
    .description('Tamper-evident audit trail for admin platforms')
    .showHelpAfterError()
    .exitOverride();
  registerServe(program);
  registerDemo(program);
  registerImport(program);
  registerExport(program);
  registerToken(program);
  registerDestination(program);
  registerVerify(program);
  registerProve(program);
  registerWitness(program);
  registerMigrate(program);
  registerLifecycle(program);
  registerErase(program);
  try {
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      process.exitCode = error.exitCode === 0 ? 0 : 2;
      return;
    }
    process.stderr.write(`auditlog: ${(error as Error).message}\n`);
    // What is wrong, field by field, as the API's 400 says it (the message alone named no field).
    if (isAuditError(error))
      for (const d of error.details) process.stderr.write(`  ${d.path || '/'}: ${d.message}\n`);
    process.exitCode = exitCodeFor(error);
  }
}
