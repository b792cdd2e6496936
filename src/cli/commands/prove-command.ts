import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { AuditError } from '../../core/domain/errors.js';
import type { ConsistencyBundle } from '../../core/domain/merkle/proof-files.js';
import type { MerkleLog } from '../../core/services/merkle-log.js';
import { openRuntime, requireExistingStore } from '../runtime.js';
import { checkNotes, checkRoots, readNotes, type SavedNote } from './consistency-notes.js';

interface ProveFlags {
  db?: string;
  databaseUrl?: string;
  tenant: string;
  treeSize?: string;
  consistency?: string[];
  out?: string;
  auth?: boolean;
}

export function registerProve(program: Command): void {
  program
    .command('prove')
    .description(
      'Write a self-contained proof that an event (or with --auth an authentication event) is in the log (checked offline by verify --proof), or, with --consistency OLD NEW, that a newer checkpoint extends an older one',
    )
    .argument('[eventId]', 'the event to prove')
    .option('--db <file>', 'SQLite database file')
    .option('--database-url <url>', 'PostgreSQL connection URL')
    .option('--tenant <tenant>', 'the tenant of the event', 'default')
    .option('--auth', 'the id is an authentication event (sign-in, logout, failure)')
    .option('--tree-size <n>', 'prove in the tree of this size (default: the whole log now)')
    .option(
      '--consistency <notes...>',
      'two checkpoint note files (GET /v1/integrity/merkle/checkpoint → note)',
    )
    .option('--out <file>', 'write the proof here (default: standard output)')
    .action(async (eventId: string | undefined, flags: ProveFlags) => {
      if ((eventId === undefined) === (flags.consistency === undefined))
        throw new AuditError('invalid_request', 'Give an event id, or --consistency OLD NEW');
      const notes = flags.consistency === undefined ? undefined : readNotes(flags.consistency);
      // A proof is read from the log's stored Merkle tree: it needs the store the notes came from.
      requireExistingStore(
        flags,
        "prove reads the log's Merkle tree from the store the checkpoints came from",
      );
      const log = await openRuntime(flags);
      try {
        let proof: unknown;
        if (eventId !== undefined) {
          const size = flags.treeSize === undefined ? undefined : sizeOf(flags.treeSize);
          proof = await log.merkle
            .prove(flags.tenant, eventId, size, flags.auth ? 'auth' : 'event')
            .catch((error: unknown) => {
              throw asFlagError(error, '/treeSize', `--tree-size ${flags.treeSize}`);
            });
        } else proof = await consistencyBundle(log.merkle, flags.tenant, notes!);
        const text = `${JSON.stringify(proof, null, 2)}\n`;
        if (flags.out) writeOut(flags.out, text);
        else process.stdout.write(text);
      } finally {
        await log.close();
      }
    });
}

async function consistencyBundle(
  merkle: MerkleLog,
  tenant: string,
  [from, to]: [SavedNote, SavedNote],
): Promise<ConsistencyBundle> {
  checkNotes(merkle, tenant, [from, to]);
  let proof: string[] = [];
  try {
    if (from.head.size > 0) proof = await merkle.consistency(tenant, from.head.size, to.head.size);
    else await merkle.checkpoint(tenant, to.head.size);
  } catch (error) {
    if (!(error instanceof AuditError && error.code === 'invalid_query')) throw error;
    // The tree is smaller than the newer note: another store, or one restored from an older copy.
    throw new AuditError(
      'invalid_request',
      `${to.file} is a checkpoint of ${to.head.size} entries, more than tenant ${tenant}'s log in this store holds (${error.details[0]?.message ?? error.message}): is it the store the checkpoints came from?`,
    );
  }
  await checkRoots(merkle, tenant, [from, to]);
  return { format: 'auditlog-consistency/v1', from: from.text, to: to.text, proof };
}

/** The API's error about a query parameter, said of the flag that set it (`Query parameter treeSize` named no flag). */
function asFlagError(error: unknown, path: string, flag: string): unknown {
  if (!(error instanceof AuditError)) return error;
  const detail = error.details.find((d) => d.path === path);
  return detail ? new AuditError('invalid_request', `${flag}: ${detail.message}`) : error;
}

function sizeOf(value: string): number {
  if (!/^\d{1,15}$/.test(value))
    throw new AuditError('invalid_request', '--tree-size must be a whole number');
  return Number(value);
}

/** A path that cannot be written (no such directory, a directory, no permission) is exit 2 naming --out. */
function writeOut(file: string, text: string): void {
  try {
    writeFileSync(file, text);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new AuditError('invalid_request', `--out ${file} cannot be written (${code})`);
  }
}
