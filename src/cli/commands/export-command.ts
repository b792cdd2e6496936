import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Command } from 'commander';
import { AuditError, invalidQuery, isAuditError } from '../../core/domain/errors.js';
import { parseEventFilter, parsePage, type RawQuery } from '../../core/domain/event-query.js';
import { Progress } from '../progress.js';
import { cliActor, openRuntime, requireExistingStore } from '../runtime.js';

interface ExportFlags {
  format: string;
  tenant: string;
  db?: string;
  databaseUrl?: string;
  from?: string;
  to?: string;
  user?: string[];
  action?: string[];
  category?: string[];
  eventType?: string[];
  targetType?: string;
  targetId?: string;
  target?: string;
  ip?: string;
  sessionId?: string;
  q?: string;
  order?: string;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

export function registerExport(program: Command): void {
  program
    .command('export')
    .description('Stream matching events to stdout (filters as in GET /v1/events); progress on stderr')
    .option('--format <format>', 'ndjson or csv', 'ndjson')
    .option('--tenant <tenant>', 'tenant to export', 'default')
    .option('--from <time>', 'occurredAt >= this RFC 3339 time')
    .option('--to <time>', 'occurredAt < this RFC 3339 time')
    .option('--user <id-or-username>', 'repeatable', collect)
    .option('--action <action>', 'create, update or delete; repeatable', collect)
    .option('--category <category>', 'repeatable', collect)
    .option('--event-type <type>', 'repeatable', collect)
    .option('--target-type <type>', 'the affected entity type')
    .option('--target-id <id>', 'the affected entity id')
    .option('--target <id-or-name>', 'a target id or name, case-insensitive')
    .option('--ip <address-or-cidr>', 'an address or a CIDR block')
    .option('--session-id <id>', 'the login session')
    .option('--q <keywords>', 'keyword search')
    .option('--order <order>', 'asc (default) or desc')
    .option('--db <file>', 'SQLite database file')
    .option('--database-url <url>', 'PostgreSQL connection URL')
    .action(async (flags: ExportFlags) => {
      const query: RawQuery = {
        format: flags.format,
        from: flags.from,
        to: flags.to,
        user: flags.user,
        action: flags.action,
        category: flags.category,
        eventType: flags.eventType,
        targetType: flags.targetType,
        targetId: flags.targetId,
        target: flags.target,
        ip: flags.ip,
        sessionId: flags.sessionId,
        q: flags.q,
        order: flags.order,
      };
      checkFlags(query);
      requireExistingStore(flags, 'export reads an existing log');
      const log = await openRuntime(flags);
      const progress = new Progress('export');
      try {
        // A mistyped --tenant must not create the tenant it names with the record of its own export.
        if (!(await log.store.chainHead(flags.tenant)))
          throw new AuditError(
            'invalid_request',
            `Tenant ${flags.tenant} holds no entries: nothing to export`,
          );
        const { stream, recorded } = log.startExport(flags.tenant, query, cliActor('export'), {
          onRow: () => progress.add(1),
        });
        await pipeline(stream, stdoutSink()).catch((error: unknown) => {
          if ((error as NodeJS.ErrnoException).code !== 'ERR_STREAM_PREMATURE_CLOSE') throw error;
        });
        await recorded;
        process.stderr.write(`export: ${progress.done} events\n`);
      } finally {
        progress.stop();
        await log.close();
      }
    });
}

/**
 * stdout without closing it, honouring backpressure. A reader that goes away (`| head`) ends the export
 * quietly, as for any Unix filter; the export event then records `completed: false`.
 */
function stdoutSink(): Writable {
  const sink = new Writable({
    write(chunk, _encoding, callback) {
      if (process.stdout.write(chunk)) callback();
      else process.stdout.once('drain', callback);
    },
  });
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    sink.destroy(error.code === 'EPIPE' ? undefined : error);
  });
  return sink;
}

/**
 * The flags, checked as the API checks its query before anything is opened: a bad one is named as the flag
 * it is (`--format must be ndjson or csv`), also when the tenant holds no entries (that was reported first).
 */
function checkFlags(query: RawQuery): void {
  try {
    if (query.format !== 'ndjson' && query.format !== 'csv')
      throw invalidQuery('/format', 'must be ndjson or csv');
    parseEventFilter(query, new Set(['format', 'order']));
    parsePage({ order: query.order }, { order: 'asc' });
  } catch (error) {
    if (!isAuditError(error) || error.code !== 'invalid_query') throw error;
    const flag = (path: string) => `--${path.slice(1).replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
    throw new AuditError(
      'invalid_request',
      error.details.map((d) => `${flag(d.path)} ${d.message}`).join('; '),
    );
  }
}
