/**
 * Secrets inside free text. One precompiled scan finds, left to right:
 *
 * - PEM private keys (`-----BEGIN … PRIVATE KEY-----`, RSA/EC/OPENSSH/ENCRYPTED/PGP): the body, up to the END
 *   line or the end of the text;
 * - `Authorization:` / `Proxy-Authorization:` / `Cookie:` / `Set-Cookie:` headers (`:` or `=`, quoted or
 *   not): the value to the end of the line, the scheme word (`Bearer`, `Basic`, …) left readable;
 * - credentials in URLs, `scheme://user:pass@host`: the password (the user stays), or a user part that
 *   looks random (`https://<token>@host`);
 * - `Bearer` / `Basic` / `Token` followed by a random-looking credential;
 * - well-known token formats: this product's `al_<id>_<secret>` (the id stays, to know what to revoke),
 *   JWTs (`eyJ….eyJ….…`), GitHub (`ghp_`, `gho_`, `ghu_`, `ghs_`, `ghr_`, `github_pat_`), GitLab
 *   (`glpat-`), Slack (`xox?-`), Stripe secret and restricted keys and webhook secrets (`sk_live_`,
 *   `rk_test_`, `whsec_`), Google API keys (`AIza…`), npm (`npm_`), SendGrid (`SG.….…`), AWS access key ids
 *   (`AKIA…`, `ASIA…`), OpenAI/Anthropic-style `sk-…` keys (when random-looking);
 * - `key=value`, `key: value`, `"key": "value"` and `--key value` whose key names a secret by the key rules
 *   (`password=…` in a connection string, `?access_token=…` in a URL, JSON inside a string). After `:` an
 *   unquoted value must look random (`password: rotated` is prose; `password: hunter2` is not).
 *
 * Random-looking means at least a few characters with a digit, an inner lower-to-upper case change or one
 * of `+/=` — which prose words do not have. A span that is already a marker (`[redacted:…]`) is left as is,
 * so redacting twice changes nothing.
 */

import { foldText, foldWithOrigins, originalSpan } from './secret-fold.js';

export type Span = readonly [start: number, end: number];

const ci = (text: string) => text.replace(/[a-z]/g, (c) => `[${c}${c.toUpperCase()}]`);
const NOT_MARKER = '(?!\\\\?["\']?\\[redacted:)';
const KEY = '[A-Za-z_][A-Za-z0-9_.-]{0,63}';
/** Ahead of a token: a digit, `+/=`, or an inner lower-to-upper case change before the token ends. */
const RANDOM_TOKEN = '[A-Za-z0-9\\-._~]*?(?:[0-9+\\/=]|[a-z][A-Z])';
const VALUE = `"(?:[^"\\\\\\n]|\\\\.)*"|\\\\"(?:[^"\\\\\\n]|\\\\[^"\\n])*\\\\"|'[^'\\n]*'|[^\\s&;,"'<>()\\[\\]{}\\\\]+`;

// Every alternative starts with a literal or a separator (`:`, `=`, `://`, `--`) and looks back from there,
// so that the engine skips quickly over ordinary text; word boundaries before a match are checked in code.
// A key must hold one of `fragments` (any case) to match at all, so `a:b:c:…` costs no match per colon.
function scanner(fragments: readonly string[] | undefined): RegExp {
  const holds = fragments?.length ? `(?<=(?:${fragments.map(ci).join('|')})[A-Za-z0-9_.-]{0,63})` : '';
  const alternatives = [
    `(?<pemH>-----BEGIN [A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----)(?<pem>[\\s\\S]*?)(?:-----END [A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----|$)`,
    `(?<urlH>:\\/\\/(?<=\\b[A-Za-z][A-Za-z0-9+.-]{0,20}:\\/\\/))(?<url>[^\\s\\/?#@]*(?:@[^\\s\\/?#@]*)*)@`,
    `(?<kvH>[=:](?<=(?<![A-Za-z0-9_.-])(?<kvK>-{0,2}${KEY})${holds}\\\\?["']?\\s*[=:])\\s*(?![\\s=:\\/])${NOT_MARKER})`,
    `(?<schH>(?:${ci('bearer')}|${ci('basic')}|${ci('token')})\\s+)${NOT_MARKER}(?<sch>(?=${RANDOM_TOKEN})[A-Za-z0-9\\-._~+\\/]{8,}=*)`,
    `(?<tok>(?:al_[A-Za-z0-9_-]{12}_[A-Za-z0-9_-]{20,}|eyJ[A-Za-z0-9_-]{8,}\\.[A-Za-z0-9_-]{8,}(?:\\.[A-Za-z0-9_-]*){1,3}|gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{22,}|glpat-[A-Za-z0-9_-]{20,}|xox[abposre]-[A-Za-z0-9-]{10,}|[sr]k_(?:live|test)_[A-Za-z0-9]{16,}|whsec_[A-Za-z0-9+\\/=]{24,}|AIza[A-Za-z0-9_-]{35}|npm_[A-Za-z0-9]{36}|SG\\.[A-Za-z0-9_-]{16,}\\.[A-Za-z0-9_-]{16,}|A(?:KI|SI)A[A-Z0-9]{16}|sk-[A-Za-z0-9_-]{20,})(?![A-Za-z0-9]))`,
    `(?<flagH>(?<flagK>--${KEY})${holds}[ \\t]+(?!\\s)${NOT_MARKER})`,
  ];
  return new RegExp(alternatives.join('|'), 'g');
}

/**
 * The value after a key's separator, read only once the key names a secret: matched in the scan, a value
 * would be read again from every separator inside it (`a:a:a:…`, quadratic).
 */
const VALUE_AT = new RegExp(VALUE, 'y');
const MARKER = /^\[redacted:[0-9a-f]{16}\]$/;
const MARKERS = /\[redacted:[0-9a-f]{16}\]/g;
/** Headers whose whole value is a credential, whatever it looks like. */
const HEADER = /(?:^|[-_.])(?:authori[sz]ation|cookie)$/i;
const SCHEME = /^(?:bearer|basic|token|digest|negotiate|ntlm|apikey)[ \t]+/i;
/** The shortest text any built-in pattern can find a secret in: `pwd=x`. */
const MIN_LENGTH = 5;

export function looksRandom(s: string, minLength: number): boolean {
  return s.length >= minLength && /[0-9]|[a-z][A-Z]|[+/=]/.test(s);
}

export interface SecretTextOptions {
  /** Whether a key names a secret (`password=…`, `"apiKey": "…"`). */
  isSecretKey: (key: string) => boolean;
  /** Words of which every secret key holds one (see SecretKeys.fragments); undefined: any key may be. */
  keyFragments?: readonly string[];
  /** Extra patterns: each match, or its named group `secret`, is a secret. */
  patterns?: readonly RegExp[];
  /** When false, only `patterns` and the key=value form (with `isSecretKey`) apply. */
  builtIn?: boolean;
}

/** Finds secret spans in text; stateless between calls, safe to share. */
export class SecretText {
  readonly #isSecretKey: (key: string) => boolean;
  readonly #patterns: RegExp[];
  readonly #builtIn: boolean;
  readonly #scan: RegExp;

  constructor(options: SecretTextOptions) {
    this.#isSecretKey = options.isSecretKey;
    this.#scan = scanner(options.keyFragments);
    this.#builtIn = options.builtIn ?? true;
    this.#patterns = (options.patterns ?? []).map(
      (p) => new RegExp(p.source, `${p.flags.replace(/[gyd]/g, '')}gd`),
    );
  }

  /** The secret spans of `text`, in order and disjoint; empty for most texts. */
  spans(text: string): Span[] {
    if (text.length < MIN_LENGTH) return [];
    let found = this.#scanText(text);
    // Secret words spelt in other forms (`ｐａｓｓｗｏｒｄ=`, Cyrillic `раssword=`) are found in the folded
    // text; the text as sent is scanned too, as folding can also end a value sooner (`＆` becomes `&`).
    const folded = foldText(text);
    const more = folded === undefined ? [] : this.#scanText(folded);
    if (more.length > 0) {
      const map = foldWithOrigins(text);
      found = merge(
        found,
        more.map(([s, e]) => originalSpan(map, s, e)),
      );
    }
    return this.#patterns.length === 0 ? found : merge(found, this.#custom(text));
  }

  /** `text` with every secret span replaced by `mark(span)`; `text` itself when it holds none. */
  redact(text: string, mark: (secret: string) => string): string {
    const spans = this.spans(text);
    if (spans.length === 0) return text;
    let out = '';
    let last = 0;
    for (const [start, end] of spans) {
      out += text.slice(last, start) + mark(text.slice(start, end));
      last = end;
    }
    return out + text.slice(last);
  }

  #scanText(text: string): Span[] {
    const out: Span[] = [];
    // Synchronous, and nothing called from this loop scans text again: one regex per instance is enough.
    const re = this.#scan;
    re.lastIndex = 0;
    for (let m = re.exec(text); m !== null; m = re.exec(text)) {
      const hit = this.#secretOf(m, text);
      if (typeof hit === 'number') {
        // Not a secret: look again inside what the match consumed (`note=Bearer …`).
        re.lastIndex = Math.max(hit, m.index + 1);
        continue;
      }
      let [start, end] = hit;
      while (start < end && isSpace(text.charCodeAt(start))) start++;
      while (end > start && isSpace(text.charCodeAt(end - 1))) end--;
      if (end > start && !MARKER.test(text.slice(start, end))) out.push([start, end]);
      re.lastIndex = Math.max(hit[1], m.index + 1);
    }
    re.lastIndex = 0;
    return out;
  }

  /** The secret of a match (offsets in `text`), or where to resume scanning when it holds none. */
  #secretOf(m: RegExpExecArray, text: string): Span | number {
    const g = m.groups!;
    const at = m.index;
    const end = at + m[0].length;
    if (g.kvH !== undefined) return this.#keyValue(text, g.kvK!, end, g.kvH.startsWith(':'));
    // Tokens, schemes and flags begin a word: `xal_…` or `unbasic x` are not them.
    if (at > 0 && isWordChar(text.charCodeAt(at - 1)) && g.pem === undefined && g.url === undefined)
      return at + 1;
    if (g.flagH !== undefined) return this.#keyValue(text, g.flagK!, end, false);
    if (!this.#builtIn) return end;
    if (g.pem !== undefined) return [at + g.pemH!.length, at + g.pemH!.length + g.pem.length];
    if (g.url !== undefined) {
      const head = at + g.urlH!.length;
      const colon = g.url.indexOf(':');
      if (colon !== -1) return [head + colon + 1, head + g.url.length];
      return looksRandom(g.url, 8) ? [head, head + g.url.length] : head;
    }
    if (g.sch !== undefined) {
      const head = at + g.schH!.length;
      return [alToken(g.sch) ? head + AL_ID : head, end];
    }
    // Checked here, not by a lookahead: `sk-sk-sk-…` would be read to its end from every `sk-`.
    if (g.tok!.startsWith('sk-') && !looksRandom(g.tok!, 8)) return end;
    return [g.tok!.startsWith('al_') ? at + AL_ID : at, end];
  }

  /**
   * `key=value`, `key: value`, `--key value` (value starting at `from`): the value when the key names a
   * secret. After `:` an unquoted value must look random; a credential header's value runs to the end of
   * the line, past its scheme word.
   */
  #keyValue(text: string, key: string, from: number, colon: boolean): Span | number {
    if (!this.#isSecretKey(key)) return from;
    VALUE_AT.lastIndex = from;
    const value = VALUE_AT.exec(text)?.[0];
    if (value === undefined) return from;
    const q = value.startsWith('\\"') ? 2 : value.startsWith('"') || value.startsWith("'") ? 1 : 0;
    if (this.#builtIn && HEADER.test(key)) {
      const scheme = SCHEME.exec(text.slice(from + q, from + q + 12));
      const start = from + q + (scheme ? scheme[0].length : 0);
      if (text.startsWith('[redacted:', start)) return start;
      if (q > 0) return [start, from + value.length - q];
      const stop = text.slice(start).search(/[\r\n"'&\\]/);
      return [start, stop === -1 ? text.length : start + stop];
    }
    if (q > 0) return [from + q, from + value.length - q];
    // Past the value: a value without a digit, `/` or the like cannot hold a pattern (and `a:a:a:…` is read once).
    if (colon && !looksRandom(value, 4)) return from + value.length;
    return [from, from + value.length];
  }

  #custom(text: string): Span[] {
    const markers = text.includes('[redacted:') ? [...text.matchAll(MARKERS)] : [];
    const out: Span[] = [];
    for (const p of this.#patterns) {
      for (const m of text.matchAll(p)) {
        const [start, end] = m.indices?.groups?.secret ?? m.indices![0]!;
        if (end <= start) continue;
        if (markers.some((k) => start >= k.index && end <= k.index + k[0].length)) continue;
        out.push([start, end]);
      }
    }
    return out;
  }
}

const isSpace = (c: number) => c === 32 || (c >= 9 && c <= 13);
/** `[A-Za-z0-9_.-]`: a character that continues a key, a token or a word. */
const isWordChar = (c: number) =>
  (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 45 || c === 46;

/** `al_<12-character id>_<secret>`: the id names the token (listed by the API), the rest is the secret. */
const alToken = (s: string) => /^al_[A-Za-z0-9_-]{12}_[A-Za-z0-9_-]{20,}$/.test(s);
const AL_ID = 'al_'.length + 12 + 1;

/** Sorted union of two span lists. */
function merge(a: Span[], b: Span[]): Span[] {
  const all = [...a, ...b].sort((x, y) => x[0] - y[0]);
  const out: [number, number][] = [];
  for (const [s, e] of all) {
    const last = out[out.length - 1];
    if (last && s <= last[1]) last[1] = Math.max(last[1], e);
    else out.push([s, e]);
  }
  return out;
}
