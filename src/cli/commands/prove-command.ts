import { readFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { AuditError } from '../../core/domain/errors.js';
import type { ConsistencyBundle } from '../../core/domain/merkle/proof-files.js';
import { parseCheckpointBody, parseNote } from '../../core/domain/merkle/signed-note.js';
import { openRuntime } from '../runtime.js';

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
      const log = await openRuntime(flags);
      try {
        let proof: unknown;
        if (eventId !== undefined) {
          const size = flags.treeSize === undefined ? undefined : sizeOf(flags.treeSize);
          proof = await log.merkle.prove(flags.tenant, eventId, size, flags.auth ? 'auth' : 'event');
        } else proof = await consistencyBundle(log.merkle, flags.tenant, flags.consistency!);
        const text = `${JSON.stringify(proof, null, 2)}\n`;
        if (flags.out) writeFileSync(flags.out, text);
        else process.stdout.write(text);
      } finally {
        await log.close();
      }
    });
}

async function consistencyBundle(
  merkle: { consistency(tenant: string, a: number, b: number): Promise<string[]> },
  tenant: string,
  files: string[],
): Promise<ConsistencyBundle> {
  if (files.length !== 2) throw new AuditError('invalid_request', '--consistency takes two note files');
  // A note ends with one line feed; a saved copy often has one more (`jq -r .note > a.note` adds it).
  const [from, to] = files.map((f) => readFileSync(f, 'utf8').replace(/\n+$/, '\n')) as [string, string];
  const sizes = [from, to].map((text, i) => {
    const note = parseNote(text);
    const head = note && parseCheckpointBody(note.body);
    if (!head) throw new AuditError('invalid_request', `${files[i]} is not a signed checkpoint note`);
    return head.size;
  }) as [number, number];
  const proof =
    sizes[0] === 0 || sizes[0] > sizes[1] ? [] : await merkle.consistency(tenant, sizes[0], sizes[1]);
  return { format: 'auditlog-consistency/v1', from, to, proof };
}

function sizeOf(value: string): number {
  if (!/^\d{1,15}$/.test(value))
    throw new AuditError('invalid_request', '--tree-size must be a whole number');
  return Number(value);
}
