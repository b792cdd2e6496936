import { splitBatch } from '../src/core/domain/batch-body.js';
import { DEFAULT_CATALOG } from '../src/core/domain/catalog.js';
import { prepareEvents } from '../src/core/domain/prepare-event.js';
import { Redactor } from '../src/core/domain/redact.js';
import type { EventInput } from '../src/core/domain/schemas/event-schema.js';
import type { Report } from './lib/report.js';

type Fields = Pick<EventInput, 'oldValue' | 'newValue' | 'metadata' | 'reason' | 'userAgent'>;

/** What prepareEvents redacts in one event: the three values and the two free-text fields. */
function redactEvent(r: Redactor, e: Fields): void {
  r.redact('default', e.oldValue ?? null);
  r.redact('default', e.newValue ?? null);
  if (e.metadata !== undefined) r.redact('default', e.metadata);
  if (e.reason !== undefined) r.redactText('default', e.reason);
  if (e.userAgent !== undefined) r.redactText('default', e.userAgent);
}

/** Median CPU microseconds per event over `rounds` passes (CPU time: other processes on the machine do not count). */
function cpuPerEvent(events: readonly unknown[], rounds: number, pass: () => void): number {
  pass(); // warm-up: JIT and memos
  const runs: number[] = [];
  for (let k = 0; k < rounds; k++) {
    const t = process.cpuUsage();
    pass();
    const u = process.cpuUsage(t);
    runs.push((u.user + u.system) / events.length);
  }
  return runs.sort((a, b) => a - b)[rounds >> 1]!;
}

/** Text seen once only, with no secret: the case no memo helps. */
function uniqueText(n: number): Fields[] {
  return Array.from({ length: n }, (_, i) => ({
    reason: `Ticket OPS-${i}: customer asked to raise maxChannels to ${i % 300}, approved by ops.oncall at 09:${i % 60}`,
    userAgent: `Mozilla/5.0 (X11; Linux x86_64; rv:${i}.0) Gecko/20100101 Firefox/${i}.0 build ${i * 7}`,
    newValue: { note: `free note ${i} see https://wiki.example/page/${i}?tab=history`, count: i },
  }));
}

/** Text seen once only, not ASCII (read folded too: secret-fold.ts), with no secret. */
function uniqueForeignText(n: number): Fields[] {
  return Array.from({ length: n }, (_, i) => ({
    reason: `Заявка OPS-${i}: клиент попросил увеличить maxChannels до ${i % 300}, одобрено café ${i}`,
    userAgent: `Mozilla/5.0 (X11; Linux x86_64; rv:${i}.0) Gecko/20100101 Firefox/${i}.0 build ${i * 7}`,
    newValue: { note: `заметка ${i}: см. ｗｉｋｉ／${i}?tab=история`, count: i },
  }));
}

/** Six secrets in one event: by key, in a header list, in a URL and a bearer token in the reason. */
const SECRET_HEAVY: Fields = {
  oldValue: {
    smtp: { host: 'mail.example', user: 'relay', password: 'hunter2-old' },
    headers: [{ name: 'Authorization', value: 'Bearer abcdef0123456789' }],
  },
  newValue: {
    smtp: { host: 'mail.example', user: 'relay', password: 'hunter2-new' },
    headers: [{ name: 'Authorization', value: 'Bearer abcdef0123456789' }],
    webhook: 'https://user:pa55word@hooks.example/x',
  },
  reason: 'Rotated after leak: Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig123456',
  userAgent: 'Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0',
};

/**
 * Redaction runs on every ingested event on the main thread: its CPU cost per event on the demo events,
 * on text never seen before, and on an event full of secrets (each costs an HMAC), next to the whole
 * preparation (validation, redaction, diff, canonical JSON, search strings) of the demo events.
 */
export function redactBench(report: Report, events: EventInput[], rounds = 9): void {
  const section = report.section('Redaction (CPU time per event, main thread)');
  const r = new Redactor(Buffer.alloc(32, 1));
  const demo = cpuPerEvent(events, rounds, () => {
    for (const e of events) redactEvent(r, e);
  });
  const unique = uniqueText(events.length);
  const fresh = cpuPerEvent(unique, rounds, () => {
    // A new redactor each pass, so that no text is remembered as clean from the pass before.
    const r2 = new Redactor(Buffer.alloc(32, 1));
    for (const e of unique) redactEvent(r2, e);
  });
  const foreign = uniqueForeignText(events.length);
  const freshForeign = cpuPerEvent(foreign, rounds, () => {
    const r2 = new Redactor(Buffer.alloc(32, 1));
    for (const e of foreign) redactEvent(r2, e);
  });
  const heavy = Array<Fields>(events.length).fill(SECRET_HEAVY);
  const secrets = cpuPerEvent(heavy, rounds, () => {
    for (const e of heavy) redactEvent(r, e);
  });
  const categories = new Set(DEFAULT_CATALOG.map((c) => c.key));
  const whole = cpuPerEvent(events, Math.min(rounds, 5), () => {
    for (let i = 0; i < events.length; i += 500) {
      const { items, paths } = splitBatch({ events: events.slice(i, i + 500) });
      prepareEvents(items, paths, { tenant: 'default', now: Date.now(), categories, redactor: r });
    }
  });
  report.add(
    section,
    'demo events',
    `${demo.toFixed(1)} µs/event`,
    `whole preparation ${whole.toFixed(0)} µs/event`,
  );
  report.add(section, 'unique text, no secret (reason, UA, a value)', `${fresh.toFixed(1)} µs/event`);
  report.add(section, 'unique non-ASCII text, no secret', `${freshForeign.toFixed(1)} µs/event`);
  report.add(section, 'six secrets in one event', `${secrets.toFixed(1)} µs/event`, 'an HMAC per secret');
}
