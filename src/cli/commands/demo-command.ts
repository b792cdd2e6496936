import type { Command } from 'commander';
import type { EventInput } from '../../core/schemas/event-schema.js';
import { demoSessions } from '../demo/demo-events.js';
import { Progress } from '../progress.js';
import { openRuntime } from '../runtime.js';

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
    .description('Fill the store with realistic demo data for every category of the seed')
    .option('--events <n>', 'number of administrative events', '10000')
    .option('--seed <n>', 'random seed (the same seed writes the same history)', '42')
    .option('--tenant <tenant>', 'tenant to write to', 'default')
    .option('--db <file>', 'SQLite database file')
    .option('--database-url <url>', 'PostgreSQL connection URL')
    .action(async (flags: DemoFlags) => {
      const total = Number(flags.events);
      if (!Number.isSafeInteger(total) || total < 1) throw new Error('--events must be a positive integer');
      const log = await openRuntime({ db: flags.db, databaseUrl: flags.databaseUrl });
      const progress = new Progress('demo events', total);
      try {
        const inFlight = new Set<Promise<unknown>>();
        let batch: EventInput[] = [];
        const send = async (events: EventInput[]) => {
          const p = log.appendEvents(flags.tenant, { events }).then(() => progress.add(events.length));
          inFlight.add(p);
          void p.finally(() => inFlight.delete(p)).catch(() => {});
          if (inFlight.size >= IN_FLIGHT) await Promise.race(inFlight);
        };
        for (const session of demoSessions({
          events: total,
          seed: Number(flags.seed),
          endMs: Date.now() - 60_000,
        })) {
          for (const e of session.events) {
            batch.push(e);
            if (batch.length === BATCH) {
              await send(batch);
              batch = [];
            }
          }
        }
        if (batch.length > 0) await send(batch);
        await Promise.all(inFlight);
      } finally {
        progress.stop();
        await log.close();
      }
      process.stderr.write(
        `demo: wrote ${progress.done} events for tenant ${flags.tenant} (${progress.rate}/s)\n`,
      );
    });
}
