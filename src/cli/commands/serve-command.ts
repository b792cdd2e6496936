import type { Command } from 'commander';
import { createMetrics } from '../../server/metrics.js';
import { buildServer } from '../../server/server.js';
import { cliActor, openRuntime } from '../runtime.js';

interface ServeFlags {
  port?: string;
  host?: string;
  db?: string;
  databaseUrl?: string;
}

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('Serve the API and the web UI (SQLite by default; PostgreSQL with --database-url)')
    .option('--port <port>', 'port to listen on (env PORT)', undefined)
    .option('--host <host>', 'address to bind (env HOST)', undefined)
    .option('--db <file>', 'SQLite database file (env AUDITLOG_DB; default ./data/auditlog.db)')
    .option('--database-url <url>', 'PostgreSQL connection URL (env DATABASE_URL)')
    .action(async (flags: ServeFlags) => {
      await serve(flags);
    });
}

async function serve(flags: ServeFlags): Promise<void> {
  const port = Number(flags.port ?? process.env.PORT ?? 8080);
  const host = flags.host ?? process.env.HOST ?? '127.0.0.1';
  const metrics = createMetrics();
  const log = await openRuntime(
    { db: flags.db, databaseUrl: flags.databaseUrl },
    {
      onAppend: (stream, entries) => {
        let fresh = 0;
        for (const e of entries) if (!e.duplicate) fresh++;
        metrics.appended.labels(stream).inc(fresh);
        if (fresh < entries.length) metrics.duplicates.labels(stream).inc(entries.length - fresh);
      },
    },
  );
  const bootstrap = process.env.AUDITLOG_BOOTSTRAP_TOKEN;
  if (bootstrap) {
    await log.access.ensureBootstrapToken(bootstrap);
  } else {
    const first = await log.access.createFirstAdminToken(cliActor('serve'));
    if (first) {
      process.stdout.write(
        `\nCreated the first admin token (tenant "default", all scopes). It is shown only this once:\n\n  ${first.token}\n\n`,
      );
    }
  }
  const app = await buildServer({
    log,
    metrics,
    logger: { level: process.env.LOG_LEVEL ?? 'warn' },
  });
  app.addHook('onClose', async () => {
    await log.close();
  });
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`auditlog: ${signal} received, finishing in-flight requests\n`);
    app.close().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`auditlog: shutdown failed: ${(error as Error).message}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  const address = await app.listen({ port, host });
  process.stdout.write(`auditlog listening on ${address} (${describeStore(log.store)})\n`);
}

function describeStore(store: { dialect: string; file?: string }): string {
  return store.dialect === 'sqlite' ? `SQLite ${store.file}` : 'PostgreSQL';
}
