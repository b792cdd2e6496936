import { demoSessions } from '../../src/cli/demo/demo-events.js';
import { splitBatch } from '../../src/core/domain/batch-body.js';
import { DEFAULT_CATALOG } from '../../src/core/domain/catalog.js';
import type { PreparedEvent } from '../../src/core/domain/entry.js';
import { type SealedLink, sealEntries } from '../../src/core/domain/hash-chain.js';
import { prepareEvents } from '../../src/core/domain/prepare-event.js';
import { Redactor } from '../../src/core/domain/redact.js';
import type { EventInput } from '../../src/core/domain/schemas/event-schema.js';
import { formatTimestamp } from '../../src/core/domain/time.js';

/** `n` demo events as the clients send them (the same seed for every ingest benchmark). */
export function demoEvents(n: number): EventInput[] {
  const out: EventInput[] = [];
  for (const s of demoSessions({ events: n, seed: 7, endMs: Date.now() - 60_000 })) out.push(...s.events);
  return out.slice(0, n);
}

/**
 * The events as a store receives them: prepared (validated, redacted, diffed) and chained by the core, in
 * batches of 500, seqs from `firstSeq` — what the raw ceilings insert without the server.
 */
export function sealDemoEvents(
  events: EventInput[],
  firstSeq = 1,
): { entry: PreparedEvent; link: SealedLink }[] {
  const redactor = new Redactor(Buffer.alloc(32, 1));
  const categories = new Set(DEFAULT_CATALOG.map((c) => c.key));
  const sealed: { entry: PreparedEvent; link: SealedLink }[] = [];
  let head = { seq: firstSeq - 1, hash: '0'.repeat(64) };
  for (let i = 0; i < events.length; i += 500) {
    const { items, paths } = splitBatch({ events: events.slice(i, i + 500) });
    const prepared = prepareEvents(items, paths, {
      tenant: 'default',
      now: Date.now(),
      categories,
      redactor,
    });
    const links = sealEntries(
      head,
      'default',
      prepared.map((e) => ({ stream: e.stream, receivedAt: formatTimestamp(e.receivedMs), body: e.body })),
    );
    head = { seq: links.at(-1)!.seq, hash: links.at(-1)!.hash };
    prepared.forEach((entry, k) => {
      sealed.push({ entry, link: links[k]! });
    });
  }
  return sealed;
}
