import { isUtf8 } from 'node:buffer';
import {
  countKeys,
  countMembers,
  duplicateKeyIn,
  findDuplicateKey,
} from '../src/core/domain/duplicate-keys.js';
import { demoEvents } from './lib/demo-entries.js';

/** Best-of-`rounds` microseconds of `pass` (wall time: each pass is short and CPU-bound). */
function best(rounds: number, pass: () => unknown): number {
  let min = Infinity;
  for (let k = 0; k < rounds; k++) {
    const t = performance.now();
    pass();
    min = Math.min(min, performance.now() - t);
  }
  return min * 1000;
}

/**
 * What the duplicate-key check adds to the JSON parser for one 500-event batch body of demo events: the
 * parser as before, the parser with the check (a member count of the bytes, a key count of the value), and the
 * full scan that only a body with a repeated name pays.
 */
export function jsonDuplicateBench(rounds = 300): string[] {
  const bytes = Buffer.from(JSON.stringify({ events: demoEvents(500) }));
  const text = bytes.toString();
  const before = () => isUtf8(bytes) && JSON.parse(bytes.toString());
  const parse = best(rounds, before);
  const checked = best(rounds, () => duplicateKeyIn(bytes, before()));
  const members = best(rounds, () => countMembers(bytes));
  const keys = best(rounds, () => countKeys(JSON.parse(text))) - best(rounds, () => JSON.parse(text));
  const full = best(rounds, () => findDuplicateKey(text));
  return [
    `batch body: 500 demo events, ${bytes.length} bytes, ${countMembers(bytes)} members`,
    `the parser before (UTF-8 check, decode, JSON.parse): ${parse.toFixed(0)} µs; with the check: ${checked.toFixed(0)} µs`,
    `member count (bytes): ${members.toFixed(0)} µs; key count (value): ~${keys.toFixed(0)} µs`,
    `full scan (only when the counts differ): ${full.toFixed(0)} µs`,
  ];
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(jsonDuplicateBench().join('\n'));
