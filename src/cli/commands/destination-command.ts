import { readFileSync } from 'node:fs';
import { type Command, Option } from 'commander';
import type { AuditLog } from '../../core/services/audit-log.js';
import { cliActor, openRuntime, type StoreFlags } from '../runtime.js';
import { tenantOption } from '../tenant-option.js';

interface SettingFlags {
  tenant: string;
  kind?: string;
  name?: string;
  format?: string;
  url?: string;
  host?: string;
  port?: string;
  tls?: boolean;
  caFile?: string;
  maxMessageSize?: string;
  servers?: string;
  subject?: string;
  streams?: string;
  categories?: string;
  eventTypes?: string;
  batchSize?: string;
}

const list = (v: string | undefined) =>
  v === undefined
    ? undefined
    : v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
/** A number flag is passed on as the number it reads as, or as its text (the core then names the field). */
const numeric = (v: string | undefined) => (v === undefined ? undefined : /^\d+$/.test(v) ? Number(v) : v);

/** The request body the flags describe (only the flags given), checked by the core like an API body. */
function settingsBody(flags: SettingFlags): Record<string, unknown> {
  const filter = {
    streams: list(flags.streams),
    categories: list(flags.categories),
    eventTypes: list(flags.eventTypes),
  };
  const body: Record<string, unknown> = {
    kind: flags.kind,
    name: flags.name,
    format: flags.format,
    url: flags.url,
    host: flags.host,
    port: numeric(flags.port),
    tls: flags.tls,
    caPem: flags.caFile === undefined ? undefined : readFileSync(flags.caFile, 'utf8'),
    maxMessageSize: numeric(flags.maxMessageSize),
    servers: flags.servers,
    subject: flags.subject,
    batchSize: numeric(flags.batchSize),
    filter: Object.values(filter).some((v) => v !== undefined)
      ? Object.fromEntries(Object.entries(filter).filter(([, v]) => v !== undefined))
      : undefined,
  };
  return Object.fromEntries(Object.entries(body).filter(([, v]) => v !== undefined));
}

const print = (value: unknown): void => {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
};

/** `creates`: the tenant name must be one a token can have (tenant-option.ts); the others find what exists. */
function storeOptions(cmd: Command, creates = false): Command {
  const description = 'the tenant the destination belongs to';
  return cmd
    .addOption(
      creates
        ? tenantOption(description)
        : new Option('--tenant <tenant>', description).makeOptionMandatory(),
    )
    .option('--db <file>', 'SQLite database file')
    .option('--database-url <url>', 'PostgreSQL connection URL');
}

function settingOptions(cmd: Command): Command {
  return cmd
    .option('--name <name>', 'a label shown in lists and audit events')
    .option('--format <format>', 'json (default), ocsf, or cef (syslog only)')
    .option('--url <url>', 'webhook: the receiver URL')
    .option('--host <host>', 'syslog: the receiver host')
    .option('--port <port>', 'syslog: the receiver TCP port')
    .option('--tls', 'syslog: TLS (RFC 5425)')
    .option('--ca-file <file>', 'syslog over TLS: PEM file of the CA the receiver certificate chains to')
    .option('--max-message-size <bytes>', 'syslog: longest message the receiver takes whole (default 8096)')
    .option('--servers <urls>', 'nats: comma-separated nats:// URLs')
    .option('--subject <subject>', 'nats: the subject a JetStream stream takes')
    .option('--streams <list>', 'admin,auth (default both)')
    .option('--categories <list>', 'only these categories (administrative events)')
    .option('--event-types <list>', 'only these event types (or sign-in types)')
    .option('--batch-size <n>', 'entries per delivery, 1-1000 (default 100)');
}

async function withLog(flags: StoreFlags, run: (log: AuditLog) => Promise<void>): Promise<void> {
  const log = await openRuntime(flags);
  try {
    await run(log);
  } finally {
    await log.close();
  }
}

/**
 * `auditlog destination …`: stream destinations managed on the store directly (the operator's way; the API's
 * is /v1/destinations). Changes are recorded as events attributed to `cli:<os user>`; the servers deliver.
 */
export function registerDestination(program: Command): void {
  const cmd = program
    .command('destination')
    .description('Manage stream destinations (webhook, syslog, NATS JetStream)');

  settingOptions(storeOptions(cmd.command('create'), true))
    .description("Create a destination; a webhook's signing secret is printed once")
    .requiredOption('--kind <kind>', 'webhook, syslog or nats')
    .action(async (flags: SettingFlags & StoreFlags) =>
      withLog(flags, async (log) => {
        const created = await log.destinations.create(
          flags.tenant,
          settingsBody(flags),
          cliActor('destination create'),
        );
        print(created.destination);
        if (created.secret) {
          process.stderr.write(`signing secret (shown only this once): ${created.secret}\n`);
        }
      }),
    );

  storeOptions(cmd.command('list'))
    .description('List destinations with their delivery status')
    .action(async (flags: SettingFlags & StoreFlags) =>
      withLog(flags, async (log) => print(await log.destinations.list(flags.tenant))),
    );

  storeOptions(cmd.command('show').argument('<id>'))
    .description('One destination with its delivery status')
    .action(async (id: string, flags: SettingFlags & StoreFlags) =>
      withLog(flags, async (log) => print(await log.destinations.get(flags.tenant, id))),
    );

  settingOptions(storeOptions(cmd.command('update').argument('<id>')))
    .description('Change the settings or the filter of a destination')
    .action(async (id: string, flags: SettingFlags & StoreFlags) =>
      withLog(flags, async (log) =>
        print(
          await log.destinations.update(
            flags.tenant,
            id,
            settingsBody(flags),
            cliActor('destination update'),
          ),
        ),
      ),
    );

  for (const verb of ['pause', 'resume'] as const) {
    storeOptions(cmd.command(verb).argument('<id>'))
      .description(verb === 'pause' ? 'Pause delivery; entries wait' : 'Resume delivery where it stopped')
      .action(async (id: string, flags: SettingFlags & StoreFlags) =>
        withLog(flags, async (log) =>
          print(await log.destinations[verb](flags.tenant, id, cliActor(`destination ${verb}`))),
        ),
      );
  }

  storeOptions(cmd.command('replay').argument('<id>'))
    .description('Deliver again from a seq or from a time')
    .option('--from-seq <seq>', 'the first seq to deliver again')
    .option('--from-time <time>', 'RFC 3339: the first entry received at or after it')
    .action(async (id: string, flags: SettingFlags & StoreFlags & { fromSeq?: string; fromTime?: string }) =>
      withLog(flags, async (log) => {
        const body = { fromSeq: numeric(flags.fromSeq), fromTime: flags.fromTime };
        print(
          await log.destinations.replay(
            flags.tenant,
            id,
            JSON.parse(JSON.stringify(body)),
            cliActor('destination replay'),
          ),
        );
      }),
    );

  storeOptions(cmd.command('test').argument('<id>'))
    .description('Send one test entry now; exit 1 when the receiver did not take it')
    .action(async (id: string, flags: SettingFlags & StoreFlags) =>
      withLog(flags, async (log) => {
        const result = await log.destinations.testSend(flags.tenant, id);
        print(result);
        if (!result.delivered) process.exitCode = 1;
      }),
    );

  storeOptions(cmd.command('rotate-secret').argument('<id>'))
    .description('New signing keys for a webhook; the new secret is printed once')
    .option('--overlap-seconds <n>', 'how long the old keys keep signing too, 0-86400 (default 3600)')
    .action(async (id: string, flags: SettingFlags & StoreFlags & { overlapSeconds?: string }) =>
      withLog(flags, async (log) => {
        const body =
          flags.overlapSeconds === undefined ? {} : { overlapSeconds: numeric(flags.overlapSeconds) };
        const rotated = await log.destinations.rotateSecret(
          flags.tenant,
          id,
          body,
          cliActor('destination rotate-secret'),
        );
        print(rotated.destination);
        process.stderr.write(`signing secret (shown only this once): ${rotated.secret}\n`);
      }),
    );

  storeOptions(cmd.command('delete').argument('<id>'))
    .description('Delete a destination')
    .action(async (id: string, flags: SettingFlags & StoreFlags) =>
      withLog(flags, async (log) => {
        await log.destinations.delete(flags.tenant, id, cliActor('destination delete'));
        process.stderr.write(`destination ${id} deleted\n`);
      }),
    );
}
