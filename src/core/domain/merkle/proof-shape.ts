import type { ErrorDetail } from '../errors.js';

/**
 * What is missing or of the wrong type in a proof file, member by member (JSON Pointers), before any
 * hash is computed: a file without these members is no proof that could fail, and reading it threw a
 * TypeError. Only JSON types are checked here; a value of the right type that does not prove (an edited
 * hash, a step that is not hex) is the verification's to report.
 */
export function proofFileShape(json: Record<string, unknown>): ErrorDetail[] {
  const problems: ErrorDetail[] = [];
  const want = (path: string, value: unknown, type: keyof typeof TYPES, what = '') => {
    if (TYPES[type](value)) return;
    const expected = `${type}${what}`;
    problems.push({
      path,
      message:
        value === undefined
          ? `is missing (expected ${expected})`
          : `must be ${expected}, not ${describe(value)}`,
    });
  };
  const steps = (path: string, value: unknown) => {
    want(path, value, 'an array', ' of hex strings');
    if (!Array.isArray(value)) return;
    const at = value.findIndex((s) => typeof s !== 'string');
    if (at >= 0) want(`${path}/${at}`, value[at], 'a string', ' of hex digits');
  };
  if (json.format === 'auditlog-consistency/v1') {
    want('/from', json.from, 'a string', ' (the older signed note)');
    want('/to', json.to, 'a string', ' (the newer signed note)');
    steps('/proof', json.proof);
    return problems;
  }
  want('/checkpoint', json.checkpoint, 'a string', ' (the signed note)');
  want('/leafIndex', json.leafIndex, 'a whole number');
  want('/treeSize', json.treeSize, 'a whole number');
  steps('/inclusionProof', json.inclusionProof);
  want('/entry', json.entry, 'an object');
  if (!TYPES['an object'](json.entry)) return problems;
  const entry = json.entry as Record<string, unknown>;
  for (const member of ['tenant', 'stream', 'receivedAt', 'prevHash', 'body', 'hash'])
    want(`/entry/${member}`, entry[member], 'a string');
  want('/entry/seq', entry.seq, 'a whole number');
  return problems;
}

const TYPES = {
  'a string': (v: unknown) => typeof v === 'string',
  'a whole number': (v: unknown) => Number.isSafeInteger(v) && (v as number) >= 0,
  'an array': (v: unknown) => Array.isArray(v),
  'an object': (v: unknown) => typeof v === 'object' && v !== null && !Array.isArray(v),
} as const;

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string')
    return `the string ${JSON.stringify(value.length > 20 ? `${value.slice(0, 20)}…` : value)}`;
  return `${typeof value} ${String(value)}`;
}
