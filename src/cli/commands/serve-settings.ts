import type { AlertRules } from '../../core/domain/attack-detection.js';
import { AuditError } from '../../core/domain/errors.js';
import { parseIpFilter } from '../../core/domain/ip.js';
import { parseDuration } from '../../core/domain/time.js';
import { assertStrongBootstrapToken } from '../../core/domain/tokens.js';
import { resolveStoreFlags, type StoreFlags } from '../runtime.js';

/** Every setting of `serve` (docs/configuration.md), read and checked before anything is opened. */
export interface ServeSettings {
  port: number;
  host: string;
  bootstrap: string | undefined;
  trustProxy: string[];
  purgeEveryMs: number;
  frameAncestors: string[];
  alertRules: Partial<AlertRules>;
  keywordScanLimit: number | undefined;
  logLevel: string;
  /** Undefined: AUDITLOG_DELIVERY=off. */
  delivery:
    | { pollMs?: number; leaseMs?: number; nodeId?: string; retry: { maxFailures?: number } }
    | undefined;
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/**
 * A malformed value is exit 2 naming its variable, before the store is opened (docs/configuration.md): one
 * read later either failed after the first admin token was printed and left the store's threads idling (no
 * listener, no exit), or, read after `listen`, left stream delivery silently off.
 */
export async function serveSettings(
  flags: StoreFlags & { port?: string; host?: string },
): Promise<ServeSettings> {
  const env = process.env;
  const bootstrap = env.AUDITLOG_BOOTSTRAP_TOKEN || undefined;
  // A weak all-scopes token is a usage error, never served.
  if (bootstrap) assertStrongBootstrapToken(bootstrap);
  const logLevel = env.LOG_LEVEL || 'warn';
  if (!LOG_LEVELS.includes(logLevel))
    throw new AuditError('invalid_request', `LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}`);
  if (resolveStoreFlags(flags).db !== undefined) {
    // Read again by each reader thread; a value it refused there stopped the server as "store unavailable".
    const { readerMmapBytes } = await import('../../store/sqlite/sqlite-connection.js');
    try {
      readerMmapBytes(env.AUDITLOG_SQLITE_MMAP_MB);
    } catch (error) {
      throw new AuditError('invalid_request', (error as Error).message);
    }
  }
  return {
    port: portOf(flags.port ?? env.PORT ?? '8080'),
    host: flags.host ?? env.HOST ?? '127.0.0.1',
    bootstrap,
    trustProxy: trustProxyFromEnv(),
    purgeEveryMs: purgeEveryFromEnv(),
    frameAncestors: frameAncestorsFromEnv(),
    alertRules: alertRulesFromEnv(),
    keywordScanLimit: positiveIntFromEnv('AUDITLOG_KEYWORD_SCAN_LIMIT'),
    logLevel,
    delivery: deliveryFromEnv(),
  };
}

/** --port or PORT: a TCP port, 0–65535 (0: any free one). */
function portOf(text: string): number {
  const port = Number(text);
  if (!/^\d{1,5}$/.test(text.trim()) || port > 65_535)
    throw new AuditError('invalid_request', `--port (or PORT) must be a TCP port, 0–65535, not "${text}"`);
  return port;
}

/** AUDITLOG_DELIVERY (`on`, the default, or `off`) and the delivery loop's numbers. */
function deliveryFromEnv(): ServeSettings['delivery'] {
  const switched = (process.env.AUDITLOG_DELIVERY ?? '').trim().toLowerCase();
  if (!['', 'on', 'off'].includes(switched))
    throw new AuditError('invalid_request', 'AUDITLOG_DELIVERY must be on or off');
  const options = {
    pollMs: positiveIntFromEnv('AUDITLOG_DELIVERY_POLL_MS', MAX_TIMER_MS),
    leaseMs: positiveIntFromEnv('AUDITLOG_DELIVERY_LEASE_MS', MAX_TIMER_MS),
    nodeId: process.env.AUDITLOG_NODE_ID || undefined,
    retry: { maxFailures: positiveIntFromEnv('AUDITLOG_DELIVERY_MAX_FAILURES') },
  };
  return switched === 'off' ? undefined : options;
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
  // A zone id (fe80::1%eth0) would be dropped, trusting the address on every interface: refused, as ip= does.
  const bad = proxies.find((p) => p.includes('%') || parseIpFilter(p) === null);
  if (bad !== undefined) {
    throw new AuditError(
      'invalid_request',
      `AUDITLOG_TRUST_PROXY: ${JSON.stringify(bad)} is not an address or CIDR block like 10.0.0.0/8 (with no zone id)`,
    );
  }
  return proxies;
}

/** A timer's longest delay: Node takes a longer one as 1 ms. */
const MAX_TIMER_MS = 2_147_483_647;

function positiveIntFromEnv(name: string, max = Number.MAX_SAFE_INTEGER): number | undefined {
  const v = process.env[name];
  if (v === undefined || v === '') return undefined;
  if (!/^\d+$/.test(v) || Number(v) < 1 || Number(v) > max)
    throw new AuditError(
      'invalid_request',
      `${name} must be a positive integer${max < Number.MAX_SAFE_INTEGER ? ` up to ${max}` : ''}`,
    );
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
