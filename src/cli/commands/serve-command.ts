import type { Command } from 'commander';
import { AuditError } from '../../core/domain/errors.js';
import type { AuditLog } from '../../core/services/audit-log.js';
import { cliActor, openRuntime } from '../runtime.js';
import { serveSettings } from './serve-settings.js';

/** SIGTERM ends the process within this, whatever the store does (in-flight requests are answered first). */
const SHUTDOWN_DEADLINE_MS = 20_000;

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
  const settings = await serveSettings(flags);
  // Loaded here, not at the top: every other command starts without Fastify (about 0.6 s of CPU).
  const { createMetrics } = await import('../../server/metrics.js');
  const { buildServer } = await import('../../server/server.js');
  const { compactHeap } = await import('../../store/threads/compact-heap.js');
  const metrics = createMetrics();
  const log = await openRuntime(
    { db: flags.db, databaseUrl: flags.databaseUrl, readers: 2 },
    {
      alertRules: settings.alertRules,
      keywordScanLimit: settings.keywordScanLimit,
      onAppend: (stream, entries) => {
        let fresh = 0;
        for (const e of entries) if (!e.duplicate) fresh++;
        metrics.appended.labels(stream).inc(fresh);
        if (fresh < entries.length) metrics.duplicates.labels(stream).inc(entries.length - fresh);
      },
    },
  );
  let app: Awaited<ReturnType<typeof buildServer>>;
  try {
    await compactHeap();
    await firstTokens(log, settings.bootstrap);
    app = await buildServer({
      log,
      metrics,
      logger: { level: settings.logLevel },
      // Origins allowed to frame the UI (a host platform embedding it), e.g. "https://console.example.com".
      webUi: { frameAncestors: settings.frameAncestors },
      trustProxy: settings.trustProxy,
    });
  } catch (error) {
    // Nothing is served: the store's threads would keep the process alive, idle, for ever.
    await log.close().catch(() => {});
    throw error;
  }
  app.addHook('onClose', async () => {
    await log.close();
  });
  // Retention: purge on a schedule (docs/lifecycle.md); AUDITLOG_PURGE_EVERY=0 leaves it to `auditlog purge`.
  log.lifecycle.start(settings.purgeEveryMs, cliActor('serve'), (error) =>
    process.stderr.write(`auditlog: scheduled purge failed: ${(error as Error).message}\n`),
  );
  // The log's own records a failed append left pending (audit-outbox.ts) are appended after every change, at
  // start, and by the drain's own retries after a failure. Not by polling: with `log.outbox.start(30_000)` here,
  // the full-disk fault test's clean shutdown hung past 60 s (test/faults/sqlite-faults.test.ts, twice).
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`auditlog: ${signal} received, finishing in-flight requests\n`);
    // Clients that ignore Connection: close do not hold the shutdown up for ever; neither does a store that
    // does not answer (the final checkpoint is then signed by the next start or by another node).
    setTimeout(() => app.server.closeAllConnections(), 10_000).unref();
    setTimeout(() => {
      process.stderr.write(
        `auditlog: shutdown did not finish within ${SHUTDOWN_DEADLINE_MS / 1000} s; final checkpoint not signed\n`,
      );
      process.exit(1);
    }, SHUTDOWN_DEADLINE_MS).unref();
    app.close().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(
          error instanceof AuditError && error.code === 'store_unavailable'
            ? `auditlog: final checkpoint not signed: ${error.message}; the next start or another node signs the entries since the last one\n`
            : `auditlog: shutdown failed: ${(error as Error).message}\n`,
        );
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  // Starting grows the young generation to its maximum twice (loading the store, then compiling the routes'
  // schemas): handed back after each (compact-heap.ts), the start's peak is ~25 MB lower.
  await compactHeap();
  try {
    await app.ready();
  } catch (error) {
    await app.close().catch(() => {});
    throw error;
  }
  await compactHeap();
  let address: string;
  try {
    address = await app.listen({ port: settings.port, host: settings.host });
  } catch (error) {
    // Nothing is served: close the store and its threads, so that the process ends (exit 1) instead of idling.
    await app.close().catch(() => {});
    throw new Error(`cannot listen on ${settings.host} port ${settings.port}: ${(error as Error).message}`);
  }
  process.stdout.write(`auditlog listening on ${address} (${log.store.description})\n`);
  // Stream destinations: every node delivers; a lease per destination keeps it to one node at a time.
  if (settings.delivery) log.delivery.start(settings.delivery);
}

/** The bootstrap token (AUDITLOG_BOOTSTRAP_TOKEN, rotated when it changed), or a first admin token printed once. */
async function firstTokens(log: AuditLog, bootstrap: string | undefined): Promise<void> {
  if (bootstrap) {
    const revoked = await log.access.ensureBootstrapToken(bootstrap, cliActor('serve'));
    for (const id of revoked)
      process.stderr.write(
        `auditlog: revoked bootstrap token ${id}: AUDITLOG_BOOTSTRAP_TOKEN names another\n`,
      );
    return;
  }
  const first = await log.access.createFirstAdminToken(cliActor('serve'));
  if (first) {
    process.stdout.write(
      `\nCreated the first admin token (tenant "default", all scopes). It is shown only this once:\n\n  ${first.token}\n\n`,
    );
  }
}
