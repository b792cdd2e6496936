import type { Command } from 'commander';
import type { AlertRules } from '../../core/domain/attack-detection.js';
import { AuditError } from '../../core/domain/errors.js';
import { parseIpFilter } from '../../core/domain/ip.js';
import { parseDuration } from '../../core/domain/time.js';
import { assertStrongBootstrapToken } from '../../core/domain/tokens.js';
import { cliActor, openRuntime } from '../runtime.js';

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
  const port = portOf(flags.port ?? process.env.PORT ?? '8080');
  const host = flags.host ?? process.env.HOST ?? '127.0.0.1';
  const bootstrap = process.env.AUDITLOG_BOOTSTRAP_TOKEN;
  // Checked before the store is opened: a weak all-scopes token is a usage error (exit 2), never served.
  if (bootstrap) assertStrongBootstrapToken(bootstrap);
  const trustProxy = trustProxyFromEnv();
  const purgeEvery = purgeEveryFromEnv();
  // Loaded here, not at the top: every other command starts without Fastify (about 0.6 s of CPU).
  const { createMetrics } = await import('../../server/metrics.js');
  const { buildServer } = await import('../../server/server.js');
  const { compactHeap } = await import('../../store/threads/compact-heap.js');
  const metrics = createMetrics();
  const log = await openRuntime(
    { db: flags.db, databaseUrl: flags.databaseUrl, readers: 2 },
    {
      alertRules: alertRulesFromEnv(),
      keywordScanLimit: positiveIntFromEnv('AUDITLOG_KEYWORD_SCAN_LIMIT'),
      onAppend: (stream, entries) => {
        let fresh = 0;
        for (const e of entries) if (!e.duplicate) fresh++;
        metrics.appended.labels(stream).inc(fresh);
        if (fresh < entries.length) metrics.duplicates.labels(stream).inc(entries.length - fresh);
      },
    },
  );
  await compactHeap();
  if (bootstrap) {
    const revoked = await log.access
      .ensureBootstrapToken(bootstrap, cliActor('serve'))
      .catch(async (error) => {
        // Nothing is served (exit 2): the store's threads would keep the process alive.
        await log.close().catch(() => {});
        throw error;
      });
    for (const id of revoked)
      process.stderr.write(
        `auditlog: revoked bootstrap token ${id}: AUDITLOG_BOOTSTRAP_TOKEN names another\n`,
      );
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
    // Origins allowed to frame the UI (a host platform embedding it), e.g. "https://console.example.com".
    webUi: { frameAncestors: frameAncestorsFromEnv() },
    trustProxy,
  });
  app.addHook('onClose', async () => {
    await log.close();
  });
  // Retention: purge on a schedule (docs/lifecycle.md); AUDITLOG_PURGE_EVERY=0 leaves it to `auditlog purge`.
  log.lifecycle.start(purgeEvery, cliActor('serve'), (error) =>
    process.stderr.write(`auditlog: scheduled purge failed: ${(error as Error).message}\n`),
  );
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
  await app.ready();
  await compactHeap();
  let address: string;
  try {
    address = await app.listen({ port, host });
  } catch (error) {
    // Nothing is served: close the store and its threads, so that the process ends (exit 1) instead of idling.
    await app.close().catch(() => {});
    throw new Error(`cannot listen on ${host} port ${port}: ${(error as Error).message}`);
  }
  process.stdout.write(`auditlog listening on ${address} (${log.store.description})\n`);
  // Stream destinations: every node delivers; a lease per destination keeps it to one node at a time.
  if (process.env.AUDITLOG_DELIVERY !== 'off') {
    log.delivery.start({
      pollMs: positiveIntFromEnv('AUDITLOG_DELIVERY_POLL_MS'),
      leaseMs: positiveIntFromEnv('AUDITLOG_DELIVERY_LEASE_MS'),
      nodeId: process.env.AUDITLOG_NODE_ID || undefined,
      retry: { maxFailures: positiveIntFromEnv('AUDITLOG_DELIVERY_MAX_FAILURES') },
    });
  }
}

/** --port or PORT: a TCP port, 0–65535 (0: any free one); anything else is a usage error (exit 2). */
function portOf(text: string): number {
  const port = Number(text);
  if (!/^\d{1,5}$/.test(text.trim()) || port > 65_535)
    throw new AuditError('invalid_request', `--port (or PORT) must be a TCP port, 0–65535, not "${text}"`);
  return port;
}

/** AUDITLOG_PURGE_EVERY: a duration (`1h`, the default; `0` turns the scheduled purge off). */
function purgeEveryFromEnv(): number {
  const text = process.env.AUDITLOG_PURGE_EVERY;
  if (text === undefined || text === '') return 3_600_000;
  if (text.trim() === '0') return 0;
  const ms = parseDuration(text);
  if (ms === null || ms < 1000)
    throw new AuditError(
      'invalid_request',
      'AUDITLOG_PURGE_EVERY must be a duration of at least 1s (e.g. 1h) or 0',
    );
  return ms;
}

/** AUDITLOG_FRAME_ANCESTORS: space-separated CSP sources (origins) allowed to frame the UI. */
function frameAncestorsFromEnv(): string[] {
  const sources = (process.env.AUDITLOG_FRAME_ANCESTORS ?? '').split(/\s+/).filter(Boolean);
  const bad = sources.find((s) => !/^(https?:\/\/[A-Za-z0-9.*:-]+|'self')$/.test(s));
  if (bad !== undefined) {
    throw new AuditError(
      'invalid_request',
      `AUDITLOG_FRAME_ANCESTORS: ${JSON.stringify(bad)} is not an origin like https://console.example.com`,
    );
  }
  return sources;
}

/** AUDITLOG_TRUST_PROXY: the reverse proxies' addresses or CIDR blocks, separated by commas or spaces. */
function trustProxyFromEnv(): string[] {
  const proxies = (process.env.AUDITLOG_TRUST_PROXY ?? '').split(/[\s,]+/).filter(Boolean);
  const bad = proxies.find((p) => parseIpFilter(p) === null);
  if (bad !== undefined) {
    throw new AuditError(
      'invalid_request',
      `AUDITLOG_TRUST_PROXY: ${JSON.stringify(bad)} is not an address or CIDR block like 10.0.0.0/8`,
    );
  }
  return proxies;
}

function positiveIntFromEnv(name: string): number | undefined {
  const v = process.env[name];
  if (v === undefined || v === '') return undefined;
  if (!/^\d+$/.test(v) || Number(v) < 1)
    throw new AuditError('invalid_request', `${name} must be a positive integer`);
  return Number(v);
}

/** AUDITLOG_ALERT_BRUTE_FORCE (failures), AUDITLOG_ALERT_SPRAYING (usernames), AUDITLOG_ALERT_WINDOW (e.g. 15m). */
function alertRulesFromEnv(): Partial<AlertRules> {
  const rules: Partial<AlertRules> = {};
  const brute = positiveIntFromEnv('AUDITLOG_ALERT_BRUTE_FORCE');
  const spraying = positiveIntFromEnv('AUDITLOG_ALERT_SPRAYING');
  if (brute !== undefined) rules.bruteForceFailures = brute;
  if (spraying !== undefined) rules.sprayingUsernames = spraying;
  const window = process.env.AUDITLOG_ALERT_WINDOW;
  if (window) {
    const ms = parseDuration(window);
    if (ms === null || ms <= 0)
      throw new AuditError('invalid_request', 'AUDITLOG_ALERT_WINDOW must be a duration such as 15m');
    rules.windowMs = ms;
  }
  return rules;
}
