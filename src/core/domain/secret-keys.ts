import { latinLookAlikes } from './look-alikes.js';

/**
 * Which keys name a secret. A key is read as words — camelCase, PascalCase, snake_case, kebab-case, dotted
 * and ALLCAPS are split, letters and digits are split, plurals are made singular, and a few unambiguous
 * stems are found inside run-together words (`dbpassword`, `PASSWORDHASH`) — and the words are matched
 * against secret terms. A term matches across word breaks (`passWord`, `api_key` and `apikey` all hold
 * `apikey`).
 *
 * - A strong term (`password`, `secret`, `apiKey`, `privateKey`, `pinCode`, …) makes the key a secret
 *   wherever it stands, unless a word after it describes the secret instead of holding it
 *   (`passwordPolicy`, `passwordMinLength`, `secretName`, `apiKeyId`, `tokenExpiresAt`, `passwordless`).
 * - A weak term (`token`, `pass`, `pwd`, `pin`, `otp`, `cookie`, `authorization`, …) names a secret only
 *   at the end of the key, followed by nothing but words that hold the secret in another form
 *   (`tokenHash`, `pinValue`, `cookies`), so `tokenCount`, `pinned`, `passThrough` are not secrets.
 * - Either is data about secrets, not a secret, right after a quantity word: `maxTokens`, `promptTokens`,
 *   `numPasswords`.
 * - Booleans are never secrets (see redact.ts): `passwordRequired: true` says nothing worth hiding.
 */

const STRONG_TERMS = list(`
  password, passwd, passphrase, passcode, secret, credential, totp, private key, priv key, api key,
  access key, secret key, signing key, encryption key, decryption key, master key, session key,
  hmac key, client key, shared key, app key, license key, account key, auth key, tls key, ssl key,
  access token, refresh token, auth token, id token, bearer token, session token, api token,
  oauth token, csrf token, xsrf token, basic auth, proxy auth, http auth, pin code, pin number,
  otp code, mfa code, 2 fa code, factor code, auth code, authorization code, verification code,
  recovery code, backup code, security code, sms code, reset code, access code, activation code,
  seed phrase, recovery phrase`);

const WEAK_TERMS = list(`
  token, pass, pwd, pin, otp, cookie, authorization, jwt, bearer, cred, creds, mnemonic, cvv, cvc`);

/** Words after a term that make the key describe the secret rather than hold it. */
const DESCRIPTORS = words(`
  policy rule requirement strength complexity length len min max minimum maximum count size
  age expiry expire expires expiration expired ttl lifetime at date time timestamp day hour
  changed change updated created rotated rotation required require enabled enable disabled disable set
  id name type kind label description desc ref reference arn path file filename location version
  provider source store manager field header prefix suffix last format algorithm alg algo method mode
  scope audience issuer fingerprint status state valid validity verified strategy url uri endpoint
  channel attempt failure retry limit remaining used usage less error message`);

/** Words after a weak term that still hold the secret, in another form or another version. */
const HOLDERS = words(`
  value hash hashed pem der b64 base64 hex raw plain plaintext clear cleartext encrypted enc cipher
  ciphertext byte data digest salt seed str string blob text old new current previous prev confirm
  confirmation again repeat`);

/** Words right before a term that make the key a count, not a secret. */
const QUANTITIES = words('max min num total count');
/** LLM usage counts: `promptTokens`, `cache_read_input_tokens`, `reasoning_tokens`. */
const TOKEN_QUANTITIES = words(`
  prompt completion input output cached cache reasoning context remaining used billed estimated
  audio image text prediction thinking`);

/** Stems long and unambiguous enough to be found inside a run-together word. */
const STEMS = list(`
  passphrase, password, passwd, passcode, credential, privatekey, apikey, secretkey, accesstoken,
  refreshtoken, authtoken, clientsecret`);

function words(text: string): Set<string> {
  return new Set(text.split(/\s+/).filter(Boolean));
}

function list(text: string): string[] {
  return text
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean);
}

export interface Term {
  /** The words joined: what is searched for across word breaks. */
  text: string;
  /** Its longest word: every key holding the term holds this word, in some case. */
  longest: string;
  strong: boolean;
}

/** `'api key'` / `'apiKey'` / `'API_KEY'` → the term `apikey`. */
export function term(name: string, strong: boolean): Term {
  const words = splitKey(name);
  const longest = words.reduce((a, w) => (w.length > a.length ? w : a), '');
  return { text: words.join(''), longest, strong };
}

/** Every word the rules know, so that a plural of one can be made singular. */
const VOCABULARY = new Set([
  ...[...STRONG_TERMS, ...WEAK_TERMS].flatMap((t) => t.split(' ')),
  ...STEMS,
  ...DESCRIPTORS,
  ...HOLDERS,
  ...QUANTITIES,
  ...TOKEN_QUANTITIES,
]);

export const DEFAULT_TERMS: readonly Term[] = [
  ...STRONG_TERMS.map((t) => term(t, true)),
  ...WEAK_TERMS.map((t) => term(t, false)),
];

function singular(word: string): string {
  if (VOCABULARY.has(word) || !word.endsWith('s')) return word;
  if (VOCABULARY.has(word.slice(0, -1))) return word.slice(0, -1);
  if (word.endsWith('es') && VOCABULARY.has(word.slice(0, -2))) return word.slice(0, -2);
  if (word.endsWith('ies') && VOCABULARY.has(`${word.slice(0, -3)}y`)) return `${word.slice(0, -3)}y`;
  return word;
}

/** `dbpasswords` → `db password s`: a known stem inside a word becomes a word of its own. */
function splitStems(word: string, out: string[]): void {
  for (const stem of STEMS) {
    const at = word.indexOf(stem);
    if (at === -1 || word === stem) continue;
    if (at > 0) splitStems(word.slice(0, at), out);
    out.push(stem);
    const rest = word.slice(at + stem.length);
    // A plural ending after a stem (`passwords`, `apikeys`) is not a word.
    if (rest !== '' && rest !== 's' && rest !== 'es') splitStems(rest, out);
    return;
  }
  out.push(word);
}

/** The words of a key, lower case, singular: `refreshTokens` → `refresh token`, `DB_PASSWORD` → `db password`. */
export function splitKey(key: string): string[] {
  const parts = key
    .replace(
      /(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])|(?<=[A-Za-z])(?=[0-9])|(?<=[0-9])(?=[A-Za-z])/g,
      ' ',
    )
    .toLowerCase()
    .split(/[^a-z0-9]+/);
  const out: string[] = [];
  for (const p of parts) if (p !== '') splitStems(p, out);
  return out.map(singular);
}

const isDigits = (w: string) => w.charCodeAt(0) <= 57;

/**
 * True when `key` names a secret under `terms` (default: the built-in terms). Pure and unmemoised: callers
 * that see the same keys again and again use `SecretKeys`.
 */
export function isSecretKey(sent: string, terms: readonly Term[] = DEFAULT_TERMS): boolean {
  // Compatibility forms and look-alike letters read as the letters they show: `ｐａｓｓｗｏｒｄ` (full width)
  // and `раssword` (Cyrillic р and а) are `password`.
  const key = /[^\u0000-\u007f]/.test(sent) ? latinLookAlikes(sent.normalize('NFKC')) : sent;
  // Most keys hold no term at all, whatever their spelling: one pass over the folded key rules them out.
  if (!termFilter(terms).test(key.toLowerCase().replace(/[^a-z0-9]/g, ''))) return false;
  const w = splitKey(key);
  if (w.length === 0) return false;
  const joined = w.join('');
  // starts[i]: where word i begins in `joined`; a term must begin and end on such a boundary.
  const starts: number[] = [];
  let at = 0;
  for (const word of w) {
    starts.push(at);
    at += word.length;
  }
  starts.push(at);
  for (const t of terms) {
    for (let i = 0; i < w.length; i++) {
      if (!joined.startsWith(t.text, starts[i]!)) continue;
      const j = starts.indexOf(starts[i]! + t.text.length, i + 1);
      if (j === -1) continue;
      if (i > 0 && countsIt(w[i - 1]!, t)) continue;
      const after = w.slice(j);
      if (
        t.strong ? !after.some((x) => DESCRIPTORS.has(x)) : after.every((x) => HOLDERS.has(x) || isDigits(x))
      )
        return true;
    }
  }
  return false;
}

const filters = new WeakMap<readonly Term[], RegExp>();
/** Matches a folded key that holds some term's text (or a stem, which may stand for one). */
function termFilter(terms: readonly Term[]): RegExp {
  let f = filters.get(terms);
  if (!f) {
    const texts = [...new Set([...terms.map((t) => t.text), ...STEMS])].sort((a, b) => b.length - a.length);
    f = new RegExp(texts.map((t) => t.replace(/[^a-z0-9]/g, '')).join('|'));
    filters.set(terms, f);
  }
  return f;
}

function countsIt(before: string, t: Term): boolean {
  return QUANTITIES.has(before) || (t.text === 'token' && TOKEN_QUANTITIES.has(before));
}

export interface SecretKeyOptions {
  /** Extra secret terms (matched like the strong built-in ones) or patterns tested against the key as sent. */
  keys?: readonly (string | RegExp)[];
  /** Keys never secret by their name: a name matched case- and separator-insensitively, or a pattern. */
  allow?: readonly (string | RegExp)[];
  /** When true, the built-in terms are off and only `keys` apply. */
  replaceDefaults?: boolean;
}

const normalizeKey = (key: string) => key.toLowerCase().replace(/[^a-z0-9]/g, '');
const MEMO_LIMIT = 20_000;

/** The configured classifier, memoised: keys repeat across events far more than they vary. */
export class SecretKeys {
  readonly #terms: Term[];
  readonly #patterns: RegExp[];
  readonly #allowNames: Set<string>;
  readonly #allowPatterns: RegExp[];
  readonly #memo = new Map<string, boolean>();

  constructor(options: SecretKeyOptions = {}) {
    const keys = options.keys ?? [];
    const allow = options.allow ?? [];
    this.#terms = [
      ...(options.replaceDefaults ? [] : DEFAULT_TERMS),
      ...keys.filter((k): k is string => typeof k === 'string').map((k) => term(k, true)),
    ].filter((t) => t.text !== '');
    this.#patterns = keys.filter((k): k is RegExp => k instanceof RegExp).map(stateless);
    this.#allowNames = new Set(allow.filter((k): k is string => typeof k === 'string').map(normalizeKey));
    this.#allowPatterns = allow.filter((k): k is RegExp => k instanceof RegExp).map(stateless);
  }

  /**
   * Lower-case words of which every secret key holds one (case aside), so that a scan can pass over text
   * without asking; undefined when a configured pattern may match any key.
   */
  fragments(): string[] | undefined {
    if (this.#patterns.length > 0) return undefined;
    const out: string[] = [];
    const all = [...new Set(this.#terms.map((t) => t.longest))].sort((a, b) => a.length - b.length);
    for (const w of all) if (!out.some((f) => w.includes(f))) out.push(w);
    return out;
  }

  /** MUST give the same answer for the same key for the life of the instance. */
  isSecret(key: string): boolean {
    let hit = this.#memo.get(key);
    if (hit === undefined) {
      hit =
        !(this.#allowNames.has(normalizeKey(key)) || this.#allowPatterns.some((p) => p.test(key))) &&
        (isSecretKey(key, this.#terms) || this.#patterns.some((p) => p.test(key)));
      // Keys repeat, so a full memo is rare; starting over keeps memory bounded without an LRU.
      if (this.#memo.size >= MEMO_LIMIT) this.#memo.clear();
      this.#memo.set(key, hit);
    }
    return hit;
  }
}

/** A copy without `g`/`y`, whose `test` keeps no state between calls. */
function stateless(p: RegExp): RegExp {
  return new RegExp(p.source, p.flags.replace(/[gy]/g, ''));
}
