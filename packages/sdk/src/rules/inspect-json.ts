import type { ErrorDetail } from './errors.js';

/** What one walk over a JSON value found. */
export interface JsonInspection {
  /** UTF-8 bytes of `JSON.stringify(value)`; when `tooLarge`, only a lower bound above `maxBytes`. */
  bytes: number;
  /** Deeper than `maxDepth` (a scalar is depth 0): the walk stopped there. */
  tooDeep: boolean;
  /** Over `maxBytes`: the walk stopped there, so a huge value costs no more than a small one. */
  tooLarge: boolean;
  /** Values that would not read back as sent (see `inspectJson`), each with its path. */
  problems: ErrorDetail[];
}

/** Integers past this magnitude are no longer exact in a double: 9007199254740993 reads back as …992. */
const MAX_EXACT_INTEGER = Number.MAX_SAFE_INTEGER;
/** In unicode mode a class of surrogates matches only unpaired ones: a pair is one code point. */
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;
const NEEDS_ESCAPE = /["\\\u0000-\u001f]/;
const ESCAPES = /["\\\u0000-\u001f]/g;
const SHORT_ESCAPES = new Set(['"', '\\', '\b', '\f', '\n', '\r', '\t']);

type TextProblem = 'nul' | 'lone_surrogate';

/**
 * Whether a string can be stored as it is. A lone UTF-16 surrogate is not Unicode text: RFC 8785 refuses
 * to canonicalise it and a UTF-8 reader turns it into U+FFFD, so what the hash covers would not be what a
 * reader sees. NUL ends a C string, and PostgreSQL's text cannot hold it.
 */
function textProblem(s: string): TextProblem | undefined {
  if (s.includes('\u0000')) return 'nul';
  if (LONE_SURROGATE.test(s)) return 'lone_surrogate';
  return undefined;
}

const VALUE_MESSAGES: Record<TextProblem, string> = {
  nul: 'must not contain NUL characters (U+0000)',
  lone_surrogate: 'must be well-formed Unicode: it holds a lone UTF-16 surrogate',
};
const KEY_MESSAGES: Record<TextProblem, string> = {
  nul: 'has a key with a NUL character (U+0000), which keys must not contain',
  lone_surrogate: 'has a key that is not well-formed Unicode (a lone UTF-16 surrogate)',
};

/** Why a string (a query parameter, a path segment) cannot be used, or undefined when it can. */
export function textMessage(s: string): string | undefined {
  const problem = textProblem(s);
  return problem && VALUE_MESSAGES[problem];
}

/**
 * Walks a JSON value once — recursing at most `maxDepth` levels, so stack-safe for any input — measuring its
 * serialised size and listing every value that would not read back exactly as sent: strings and keys with
 * `textProblem`s, numbers that are not finite (`1e999` parses as Infinity, which JSON cannot carry) or
 * integers beyond ±(2^53 − 1) (a double cannot keep them: `9007199254740993` parses as …992; send such
 * numbers as strings), and anything that is not JSON at all (a function, a Date, a BigInt, …, from library
 * callers). The walk MUST stop once the size passes `maxBytes`, so the cost of a hostile value is bounded by
 * the limit, not by the value. Sizes are exact for well-formed strings; properties whose value is
 * `undefined` are skipped, as JSON.stringify skips them.
 */
export function inspectJson(
  value: unknown,
  path: string,
  limits: { maxDepth: number; maxBytes: number },
  /** The key of `value` under `path`, when it has one: its pointer is then written only for a problem. */
  key?: string,
): JsonInspection {
  const walk = new JsonWalk(path, limits);
  if (key === undefined) walk.value(value, 0);
  else walk.member(key, value, 0);
  return walk.found;
}

/**
 * The walk keeps the keys from the root on a stack and writes a JSON Pointer only for a problem: building
 * one per value cost more than the walk itself on valid events (issue 18, batch ingest profile).
 */
class JsonWalk {
  readonly found: JsonInspection = { bytes: 0, tooDeep: false, tooLarge: false, problems: [] };
  readonly #keys: (string | number)[] = [];

  constructor(
    readonly root: string,
    readonly limits: { maxDepth: number; maxBytes: number },
  ) {}

  get stopped(): boolean {
    return this.found.tooLarge || this.found.tooDeep;
  }

  /** The JSON Pointer of the value being walked, `extra` appended. */
  path(extra?: number): string {
    let path = this.root;
    for (const k of this.#keys) path += `/${pointerToken(k)}`;
    return extra === undefined ? path : `${path}/${extra}`;
  }

  value(v: unknown, depth: number): void {
    const s = this.found;
    if (s.tooLarge) return;
    switch (typeof v) {
      case 'string':
        s.bytes += stringBytes(v);
        this.text(v, VALUE_MESSAGES);
        break;
      case 'number':
        s.bytes += Number.isFinite(v) ? String(v).length : 4;
        if (!Number.isFinite(v)) s.problems.push({ path: this.path(), message: 'must be a finite number' });
        else if (Number.isInteger(v) && Math.abs(v) > MAX_EXACT_INTEGER) {
          s.problems.push({
            path: this.path(),
            message: `is an integer beyond ±${MAX_EXACT_INTEGER} (2^53 − 1), which JSON readers cannot keep exactly; send it as a string`,
          });
        }
        break;
      case 'boolean':
        s.bytes += v ? 4 : 5;
        break;
      case 'object':
        if (v === null) s.bytes += 4;
        else if (depth >= this.limits.maxDepth) s.tooDeep = true;
        else if (Array.isArray(v)) this.array(v, depth);
        else if (isPlainObject(v)) this.object(v as Record<string, unknown>, depth);
        else s.problems.push({ path: this.path(), message: 'is not a JSON value' });
        break;
      default:
        s.problems.push({ path: this.path(), message: 'is not a JSON value' });
    }
    if (s.bytes > this.limits.maxBytes) s.tooLarge = true;
  }

  array(items: unknown[], depth: number): void {
    this.found.bytes += 2;
    for (let i = 0; i < items.length && !this.stopped; i++) {
      if (i > 0) this.found.bytes += 1;
      if (items[i] === undefined)
        this.found.problems.push({ path: this.path(i), message: 'is not a JSON value' });
      else {
        this.#keys.push(i);
        this.value(items[i], depth + 1);
        this.#keys.pop();
      }
    }
  }

  object(obj: Record<string, unknown>, depth: number): void {
    this.found.bytes += 2;
    let first = true;
    for (const key of Object.keys(obj)) {
      if (this.stopped) return;
      if (obj[key] === undefined) continue;
      this.found.bytes += stringBytes(key) + (first ? 1 : 2);
      first = false;
      this.text(key, KEY_MESSAGES);
      this.member(key, obj[key], depth + 1);
    }
  }

  /** The value under `key`, walked with the key on the path. */
  member(key: string, v: unknown, depth: number): void {
    this.#keys.push(key);
    this.value(v, depth);
    this.#keys.pop();
  }

  /** A string's text problem, at the current path (a key's problem is named at the object holding it). */
  text(text: string, messages: Record<TextProblem, string>): void {
    const problem = textProblem(text);
    if (problem) this.found.problems.push({ path: this.path(), message: messages[problem] });
  }
}

function isPlainObject(v: object): boolean {
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** UTF-8 bytes of the JSON string literal for `text`, quotes and escapes included. */
function stringBytes(text: string): number {
  let bytes = Buffer.byteLength(text, 'utf8') + 2;
  if (NEEDS_ESCAPE.test(text)) {
    for (const [c] of text.matchAll(ESCAPES)) bytes += SHORT_ESCAPES.has(c) ? 1 : 5;
  }
  return bytes;
}

/** RFC 6901: `~` and `/` escaped, so a path names a key that holds them unambiguously. */
export function pointerToken(key: string | number): string {
  return String(key).replaceAll('~', '~0').replaceAll('/', '~1');
}

/**
 * Validation errors followed by a walk's problems at the paths they do not already name: a NUL in an id
 * breaks the schema's no-control-characters rule too, and one message per path is enough.
 */
export function withProblems(errors: ErrorDetail[], problems: readonly ErrorDetail[]): ErrorDetail[] {
  const named = new Set(errors.map((d) => d.path));
  return [...errors, ...problems.filter((d) => !named.has(d.path))];
}
