// Poisons: what the API refuses (README, "Administrative events": Unicode, NUL and numbers), planted at a
// random place of an otherwise valid event, with the JSON Pointer the 400 must name.
import fc from 'fast-check';
import { pointerToken } from '../../src/core/domain/inspect-json.js';
import { setOwn } from '../../src/core/domain/own-property.js';

export type Poison =
  | { kind: 'string'; text: string }
  | { kind: 'key'; text: string }
  | { kind: 'number'; literal: string };

const BAD_TEXT = ['a\u0000b', '\u0000', 'x\ud800', '\udc00y', '\ud83d', 'ok\ude00\ud83d'];
/** Literals JSON.parse turns into another number, or into none: Infinity, or an integer a double cannot keep. */
const BAD_NUMBERS = [
  '1e999',
  '-1e999',
  '1E400',
  '9007199254740993',
  '-9007199254740993',
  '9007199254740992',
  '1e300',
  '18446744073709551616',
];

export const poison: fc.Arbitrary<Poison> = fc.oneof(
  fc.constantFrom(...BAD_TEXT).map((text) => ({ kind: 'string' as const, text })),
  fc.constantFrom(...BAD_TEXT).map((text) => ({ kind: 'key' as const, text })),
  fc.constantFrom(...BAD_NUMBERS).map((literal) => ({ kind: 'number' as const, literal })),
);

const RAW = '\u0001raw-number\u0001';

/**
 * `value` with the poison put into the container chosen by `pick` (a scalar is wrapped in an array first),
 * and the path the 400 must name below `base`: the poisoned value's, or for a key its object's.
 */
export function plant(
  value: unknown,
  p: Poison,
  pick: number,
  base: string,
): { value: unknown; path: string } {
  const root = typeof value === 'object' && value !== null ? value : [value];
  const containers: { node: object; path: string }[] = [];
  const collect = (node: unknown, path: string) => {
    if (typeof node !== 'object' || node === null) return;
    containers.push({ node, path });
    for (const [k, v] of Object.entries(node)) collect(v, `${path}/${pointerToken(k)}`);
  };
  collect(root, base);
  const { node, path } = containers[pick % containers.length]!;
  const planted = p.kind === 'string' ? p.text : p.kind === 'number' ? RAW : 1;
  if (Array.isArray(node)) {
    const holder: Record<string, unknown> = {};
    if (p.kind === 'key') setOwn(holder, p.text, planted);
    node.push(p.kind === 'key' ? holder : planted);
    return { value: root, path: `${path}/${node.length - 1}` };
  }
  const key = p.kind === 'key' ? p.text : `poison-${pick}`;
  setOwn(node as Record<string, unknown>, key, planted);
  return { value: root, path: p.kind === 'key' ? path : `${path}/${pointerToken(key)}` };
}

/** The request body: JSON text with the raw number literal spliced in where `plant` left its marker. */
export function bodyText(body: unknown, p: Poison): string {
  const text = JSON.stringify(body);
  return p.kind === 'number' ? text.replace(JSON.stringify(RAW), p.literal) : text;
}
