import { randomBytes } from 'node:crypto';
import { rmSync, statSync } from 'node:fs';
import type { Store } from '../src/core/ports/store.js';
import { type AuditLog, openAuditLog } from '../src/core/services/audit-log.js';
import { PostgresStore } from '../src/store/postgres/postgres-store.js';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { DATA_DIR } from './lib/datasets.js';
import { BENCH_SIGNING_KEY, databaseSizeGb, dropDatabase, freshDatabase } from './lib/postgres.js';
import { fmt, ms, type Report } from './lib/report.js';

const BATCH = 500;
const ACTORS = 1000;
const by = { actor: { id: 'cli:bench', username: 'bench', type: 'system' as const } };

/**
 * The cost of crypto-shredding (docs/lifecycle.md#erasure-of-a-data-subject), in one run: ingest of `events`
 * events (batches of 500, 1,000 actors, each event with an IP, a user agent and a phone number in its values)
 * into a store with personal data in clear, then into one with it encrypted — events/s of each and their
 * ratio — then as many sign-ins (4 in 5 a login with session, 1 in 5 a failure naming only a username), then
 * the time of one erasure in the encrypted store of that size (on SQLite it VACUUMs the file).
 */
export async function erasureBench(
  report: Report,
  kind: 'sqlite' | 'postgres',
  events: number,
): Promise<void> {
  const section = report.section(
    `Crypto-shredding (${kind === 'sqlite' ? 'SQLite' : 'PostgreSQL'}, ${fmt(events)} events, batches of ${BATCH})`,
  );
  const plain = await ingestRate(kind, events, false);
  const encrypted = await ingestRate(kind, events, true);
  report.add(section, 'ingest, personal data in clear', `${fmt(plain.rate)} events/s`, 'baseline');
  report.add(
    section,
    'ingest, personal data encrypted',
    `${fmt(encrypted.rate)} events/s`,
    `${(encrypted.rate / plain.rate).toFixed(2)}× the baseline in the same run`,
  );
  report.add(section, 'sign-in ingest, in clear', `${fmt(plain.authRate)} events/s`, 'baseline');
  report.add(
    section,
    'sign-in ingest, encrypted',
    `${fmt(encrypted.authRate)} events/s`,
    `${(encrypted.authRate / plain.authRate).toFixed(2)}× the baseline in the same run`,
  );
  report.add(
    section,
    'one erasure',
    ms(encrypted.eraseMs),
    `key destroyed, derived rows deleted, ${kind === 'sqlite' ? 'VACUUM + WAL truncate' : 'VACUUM FULL subject_keys'} at ${fmt(events)} events`,
  );
  const large = Number(process.env.BENCH_ERASURE_LARGE ?? 0);
  if (large > 0) {
    const at = await erasureAt(kind, large);
    report.add(
      section,
      `one erasure at ${fmt(large)} events`,
      ms(at.eraseMs),
      `${fmt(at.sizeMb)} MB ${kind === 'sqlite' ? 'file' : 'database'}; loaded encrypted at ${fmt(at.rate)} events/s`,
    );
  }
}

/** One erasure in an encrypted store of `events` events (BENCH_ERASURE_LARGE), loaded 4 batches at a time. */
async function erasureAt(
  kind: 'sqlite' | 'postgres',
  events: number,
): Promise<{ rate: number; eraseMs: number; sizeMb: number }> {
  const opened = await openBenchStore(kind, 'large');
  const log = await openAuditLog({
    store: opened.store,
    signingKey: BENCH_SIGNING_KEY,
    personalData: { encrypt: true, paths: ['/values/phone'], key: randomBytes(32).toString('base64') },
  });
  try {
    const started = performance.now();
    const quarter = Math.ceil(events / 4 / BATCH) * BATCH;
    await Promise.all(
      [0, 1, 2, 3].map((k) => load(log, Math.min(quarter, events - k * quarter), k * quarter)),
    );
    const rate = events / ((performance.now() - started) / 1000);
    const sizeMb = await opened.sizeMb();
    const t = performance.now();
    await log.erasure.erase('default', 'u-7', by);
    return { rate, eraseMs: performance.now() - t, sizeMb };
  } finally {
    await log.close();
    await opened.remove();
  }
}

async function ingestRate(
  kind: 'sqlite' | 'postgres',
  events: number,
  encrypt: boolean,
): Promise<{ rate: number; authRate: number; eraseMs: number }> {
  const opened = await openBenchStore(kind, encrypt ? 'enc' : 'plain');
  const log = await openAuditLog({
    store: opened.store,
    signingKey: BENCH_SIGNING_KEY,
    personalData: { encrypt, paths: ['/values/phone'], key: randomBytes(32).toString('base64') },
  });
  try {
    const started = performance.now();
    await load(log, events);
    const rate = events / ((performance.now() - started) / 1000);
    const authStarted = performance.now();
    await loadAuth(log, events);
    const authRate = events / ((performance.now() - authStarted) / 1000);
    let eraseMs = 0;
    if (encrypt) {
      const t = performance.now();
      await log.erasure.erase('default', 'u-7', by);
      eraseMs = performance.now() - t;
    }
    return { rate, authRate, eraseMs };
  } finally {
    await log.close();
    await opened.remove();
  }
}

async function openBenchStore(
  kind: 'sqlite' | 'postgres',
  name: string,
): Promise<{ store: Store; remove: () => Promise<void>; sizeMb: () => Promise<number> }> {
  if (kind === 'sqlite') {
    const file = `${DATA_DIR}erasure-bench-${name}.db`;
    const clean = () => {
      for (const f of [file, `${file}-wal`, `${file}-shm`]) rmSync(f, { force: true });
    };
    clean();
    return {
      store: await SqliteStore.open({ file, readers: 2 }),
      remove: async () => clean(),
      sizeMb: async () =>
        (statSync(file).size + (statSync(`${file}-wal`, { throwIfNoEntry: false })?.size ?? 0)) / 1e6,
    };
  }
  const db = `auditlog_bench_erasure_${name}`;
  const url = await freshDatabase(db);
  return {
    store: await PostgresStore.open({ url, keyFile: `${DATA_DIR}erasure-bench.signing-key.pem` }),
    remove: () => dropDatabase(db),
    sizeMb: async () => (await databaseSizeGb(db)) * 1000,
  };
}

async function load(log: AuditLog, events: number, from = 0): Promise<void> {
  for (let i = from; i < from + events; i += BATCH) {
    const batch = Array.from({ length: Math.min(BATCH, from + events - i) }, (_, k) => {
      const a = (i + k) % ACTORS;
      return {
        actor: { id: `u-${a}`, username: `user.${a}`, displayName: `User Number ${a}` },
        action: 'update',
        category: 'telephony',
        target: { type: 'Customer', id: `c-${(i + k) % 5000}` },
        oldValue: { phone: `+1-555-01${a}`, plan: 'silver' },
        newValue: { phone: `+1-555-02${a}`, plan: 'gold' },
        ip: `10.${a % 256}.${(i + k) % 256}.7`,
        userAgent: 'Mozilla/5.0 (X11; Linux x86_64) bench',
      };
    });
    await log.appendEvents('default', { events: batch });
  }
}

async function loadAuth(log: AuditLog, events: number): Promise<void> {
  for (let i = 0; i < events; i += BATCH) {
    const batch = Array.from({ length: Math.min(BATCH, events - i) }, (_, k) => {
      const n = i + k;
      const a = n % ACTORS;
      const common = { ip: `10.${a % 256}.${n % 256}.9`, userAgent: 'Mozilla/5.0 (X11; Linux x86_64) bench' };
      if (n % 5 === 4) {
        return { type: 'login_failure', user: { username: `user.${a}` }, reason: 'bad_password', ...common };
      }
      return {
        type: 'login_success',
        user: { id: `u-${a}`, username: `user.${a}`, displayName: `User Number ${a}` },
        method: 'password',
        sessionId: `s-${n}`,
        ...common,
      };
    });
    await log.auth.append('default', { events: batch });
  }
}
