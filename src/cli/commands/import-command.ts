import type { Command } from 'commander';
import { duplicateKeyIn } from '../../core/domain/duplicate-keys.js';
import { AuditError, isAuditError } from '../../core/domain/errors.js';
import type { AuditLog } from '../../core/services/audit-log.js';
import { Progress } from '../progress.js';
import { readLines, requireFile } from '../read-lines.js';
import { openRuntime } from '../runtime.js';
import { tenantOption } from '../tenant-option.js';

interface ImportFlags {
  tenant: string;
  db?: string;
  databaseUrl?: string;
}

const BATCH = 1000;
const MAX_REPORTED = 100;
/** Fields an export adds; an export imports again (into a new chain) once they are set aside. */
const EXPORT_ONLY_FIELDS = ['seq', 'tenant', 'receivedAt', 'changes', 'hash', 'prevHash'];

export function registerImport(program: Command): void {
  program
    .command('import')
    .argument('<file>', 'NDJSON file: one event per line (an auditlog NDJSON export also imports)')
    .description('Bulk-load events with the API validation; nothing is stored unless every line is valid')
    .addOption(tenantOption('tenant to write to', 'default'))
    .option('--db <file>', 'SQLite database file')
    .option('--database-url <url>', 'PostgreSQL connection URL')
    .action(async (file: string, flags: ImportFlags) => {
      requireFile(file);
      const log = await openRuntime({ db: flags.db, databaseUrl: flags.databaseUrl });
      try {
        const lines = await checkFile(log, file);
        await load(log, file, flags.tenant, lines);
        await log.store.refreshStatistics();
      } finally {
        await log.close();
      }
    });
}

/** A personal field as a store with personal-data encryption keeps it (shred-event.ts): `{"ct","enc","kid"}`. */
const SEALED = /\{"ct":"[A-Za-z0-9+/=]*","enc":"v1","kid":"/;

async function* events(file: string): AsyncGenerator<{ line: number; event?: unknown; error?: string }> {
  let line = 0;
  for await (const text of readLines(file)) {
    line++;
    if (text.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      yield { line, error: `not valid JSON (${(error as Error).message})` };
      continue;
    }
    // A repeated name is refused as the API refuses it: JSON.parse keeps the last value, a reader of the
    // file may take the first, and the sealed entry would not be the event they see.
    const duplicate = duplicateKeyIn(Buffer.from(text), value, text);
    if (duplicate !== undefined) {
      yield { line, error: `${duplicate}: duplicate key` };
      continue;
    }
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      if ('checkpoint' in value || 'bridge' in value || 'end' in value) continue;
      if (SEALED.test(text)) {
        yield {
          line,
          error:
            'holds personal fields sealed under the subject keys of the store it was exported from (AUDITLOG_ENCRYPT_PERSONAL_DATA): import cannot open them; copy that store instead (docs/lifecycle.md)',
        };
        continue;
      }
      for (const f of EXPORT_ONLY_FIELDS) delete (value as Record<string, unknown>)[f];
    }
    yield { line, event: value };
  }
}

/** First pass: every problem of every line, so one run shows what to fix. */
async function checkFile(log: AuditLog, file: string): Promise<number> {
  const problems: string[] = [];
  let count = 0;
  for await (const { line, event, error } of events(file)) {
    count++;
    if (error) problems.push(`line ${line}: ${error}`);
    else {
      try {
        log.checkEvents(event, { operator: true });
      } catch (e) {
        if (!isAuditError(e)) throw e;
        for (const d of e.details) problems.push(`line ${line}: ${d.path || '/'} ${d.message}`);
      }
    }
    if (problems.length >= MAX_REPORTED) break;
  }
  if (problems.length > 0) {
    for (const p of problems.slice(0, MAX_REPORTED)) process.stderr.write(`${p}\n`);
    throw new AuditError(
      'invalid_event',
      `${file} has invalid lines (first ${problems.length} shown); nothing was imported`,
    );
  }
  return count;
}

async function load(log: AuditLog, file: string, tenant: string, total: number): Promise<void> {
  const progress = new Progress('import', total);
  let batch: unknown[] = [];
  let lines: number[] = [];
  let stored = 0;
  let duplicates = 0;
  const flush = async () => {
    const results = await log
      .appendEvents(tenant, { events: batch }, { operator: true })
      .catch((e: unknown) => {
        throw atLine(e, lines, stored);
      });
    for (const r of results) if (r.duplicate) duplicates++;
    stored += results.length;
    progress.add(batch.length);
    batch = [];
    lines = [];
  };
  try {
    for await (const { line, event } of events(file)) {
      batch.push(event);
      lines.push(line);
      if (batch.length === BATCH) await flush();
    }
    if (batch.length > 0) await flush();
  } finally {
    progress.stop();
  }
  process.stderr.write(
    `import: ${stored - duplicates} events stored, ${duplicates} already present (same id and content), tenant ${tenant}\n`,
  );
}

/**
 * A batch refused by the store (an id already stored with other content) names the file's line, not the
 * batch's `/events/N`, and says how many events earlier batches stored: those stay (re-running the fixed
 * file is safe, ids are idempotent).
 */
function atLine(error: unknown, lines: number[], stored: number): unknown {
  if (!isAuditError(error) || error.status >= 500) return error;
  const lineOf = (path: string) => lines[Number(/^\/events\/(\d+)/.exec(path)?.[1] ?? Number.NaN)];
  const details = error.details.map((d) => {
    const line = lineOf(d.path);
    return line === undefined
      ? d
      : { ...d, path: `line ${line}: ${d.path.replace(/^\/events\/\d+/, '') || '/'}` };
  });
  const first = details.map((d) => /^line \d+/.exec(d.path)?.[0]).find((l) => l !== undefined);
  return new AuditError(
    error.code,
    `${first ? `${first}: ` : ''}${error.message}; ${stored} events of earlier lines were stored (ids are idempotent: re-running the fixed file is safe)`,
    details,
  );
}
