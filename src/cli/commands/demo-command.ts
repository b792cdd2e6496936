import type { Command } from 'commander';
import { AuditError } from '../../core/domain/errors.js';
import { adminSessionAuthEvents, agentShiftAuthEvents, attackAuthEvents } from '../demo/demo-auth-events.js';
import { demoSessions, demoSpanMs } from '../demo/demo-events.js';
import { Random } from '../demo/random.js';
import { Progress } from '../progress.js';
import { openRuntime } from '../runtime.js';
import { tenantOption } from '../tenant-option.js';

interface DemoFlags {
  events: string;
  seed: string;
  tenant: string;
  db?: string;
  databaseUrl?: string;
}

const BATCH = 1000;
const IN_FLIGHT = 4;

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description(
      'Fill the store with realistic demo data: admin actions in all 8 categories and a sign-in history',
    )
    .option('--events <n>', 'number of administrative events', '10000')
    .option('--seed <n>', 'random seed (the same seed writes the same history)', '42')
    .addOption(tenantOption('tenant to write to', 'default'))
    .option('--db <file>', 'SQLite database file')
    .option('--database-url <url>', 'PostgreSQL connection URL')
    .action(async (flags: DemoFlags) => {
      const total = Number(flags.events);
      const seed = Number(flags.seed);
      if (!Number.isSafeInteger(total) || total < 1)
        throw new AuditError('invalid_request', '--events must be a positive integer');
      if (!Number.isSafeInteger(seed)) throw new AuditError('invalid_request', '--seed must be an integer');
      const log = await openRuntime({ db: flags.db, databaseUrl: flags.databaseUrl });
      const progress = new Progress('demo events', total);
      let authCount = 0;
      try {
        const endMs = Date.now() - 60_000;
        const events = new Batcher(
          (batch) => log.appendEvents(flags.tenant, { events: batch }),
          (n) => progress.add(n),
        );
        const auth = new Batcher(
          (batch) => log.auth.append(flags.tenant, { events: batch }),
          (n) => {
            authCount += n;
          },
        );
        const rng = new Random(seed + 1);
        for (const session of demoSessions({ events: total, seed, endMs })) {
          for (const e of session.events) await events.add(e);
          for (const e of adminSessionAuthEvents(session, rng, endMs)) await auth.add(e);
        }
        const shifts = Math.max(10, Math.round(total / 20));
        for (const e of agentShiftAuthEvents(shifts, endMs - demoSpanMs(total), endMs, seed))
          await auth.add(e);
        for (const e of attackAuthEvents(endMs, 'jane.admin')) await auth.add(e);
        await events.flush();
        await auth.flush();
        await log.store.refreshStatistics();
      } finally {
        progress.stop();
        await log.close();
      }
      process.stderr.write(
        `demo: wrote ${progress.done} administrative events and ${authCount} authentication events for tenant ${flags.tenant} (${progress.rate} events/s)\n`,
      );
    });
}

/** Groups items into batches of 1000 and keeps a few appends in flight, so preparing and writing overlap. */
class Batcher<T> {
  readonly #send: (batch: T[]) => Promise<unknown>;
  readonly #done: (n: number) => void;
  readonly #inFlight = new Set<Promise<unknown>>();
  #batch: T[] = [];

  constructor(send: (batch: T[]) => Promise<unknown>, done: (n: number) => void) {
    this.#send = send;
    this.#done = done;
  }

  async add(item: T): Promise<void> {
    this.#batch.push(item);
    if (this.#batch.length >= BATCH) await this.#dispatch();
  }

  async flush(): Promise<void> {
    if (this.#batch.length > 0) await this.#dispatch();
    await Promise.all(this.#inFlight);
  }

  async #dispatch(): Promise<void> {
    const batch = this.#batch;
    this.#batch = [];
    const p = this.#send(batch).then(() => this.#done(batch.length));
    this.#inFlight.add(p);
    p.finally(() => this.#inFlight.delete(p)).catch(() => {});
    if (this.#inFlight.size >= IN_FLIGHT) await Promise.race(this.#inFlight);
  }
}
