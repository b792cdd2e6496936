import { isSecretKey } from './secret-keys.js';

/** What a secret query value reads as when a destination is shown; sent back unchanged, it keeps the value. */
export const URL_SECRET_MASK = '********';

/** The query parameters of a URL, as written (no decoding, so that the URL comes back byte for byte). */
function splitUrl(url: string): { base: string; params: string[]; fragment: string } {
  const hash = url.indexOf('#');
  const fragment = hash === -1 ? '' : url.slice(hash);
  const rest = hash === -1 ? url : url.slice(0, hash);
  const q = rest.indexOf('?');
  if (q === -1) return { base: rest, params: [], fragment };
  return { base: rest.slice(0, q + 1), params: rest.slice(q + 1).split('&'), fragment };
}

/**
 * Query parameters that carry a credential in URLs though their names are too common to redact in events
 * (a setting named `key` or `code` is data): pre-signed URLs (`sig`, `X-Amz-Signature`), Azure Functions'
 * `code`, `key` and `auth` of many webhook receivers. Compared without case, `-` or `_`.
 */
const URL_CREDENTIAL_PARAMS = new Set(['sig', 'signature', 'key', 'auth', 'code', 'hmac', 'sas']);

/** Whether a query parameter's value is masked: the redaction key rules, and the URL credentials above. */
export function isUrlSecretKey(name: string): boolean {
  const bare = name.toLowerCase().replace(/[-_]/g, '');
  return isSecretKey(name) || URL_CREDENTIAL_PARAMS.has(bare) || bare.endsWith('signature');
}

const keyOf = (param: string) => {
  const raw = param.split('=', 1)[0] ?? '';
  try {
    return decodeURIComponent(raw.replace(/\+/g, ' '));
  } catch {
    return raw;
  }
};

/**
 * A webhook URL with the values of its secret-named query parameters masked (`?dd-api-key=…&token=…`, by
 * the same key rules as event redaction, and `sig`, `code`, `…Signature` of URL_CREDENTIAL_PARAMS):
 * receivers that take their credential in the URL get it shown nowhere after creation, like the signing secret.
 */
export function maskUrlSecrets(url: string): string {
  return maskWhere(url, isUrlSecretKey);
}

/**
 * The URL with only the credentials the redaction rules miss masked: for audit records, where the tenant's
 * redaction marks the rest by hash.
 */
export function maskUrlOnlyCredentials(url: string): string {
  return maskWhere(url, (name) => isUrlSecretKey(name) && !isSecretKey(name));
}

function maskWhere(url: string, secret: (name: string) => boolean): string {
  const { base, params, fragment } = splitUrl(url);
  if (params.length === 0) return url;
  const masked = params.map((p) => {
    const eq = p.indexOf('=');
    if (eq === -1 || eq === p.length - 1 || !secret(keyOf(p))) return p;
    return `${p.slice(0, eq + 1)}${URL_SECRET_MASK}`;
  });
  return `${base}${masked.join('&')}${fragment}`;
}

/** Where a URL sends to: scheme, host, port and path (a masked credential is kept only for the same). */
function addressOf(url: string): string | null {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return null;
  }
}

/**
 * A URL sent in a create or an update with masked values put back from the stored one (same parameter name,
 * in order), so that a form that shows the masked URL and sends it back does not replace the credential with
 * the mask. Only while the URL still sends to the same address (scheme, host, port, path): a credential never
 * follows the URL to another receiver. Answers why not when a mask cannot be kept, or the URL.
 */
export function restoreUrlSecrets(
  next: string,
  previous: string | undefined,
): { url: string } | { error: string } {
  if (!next.includes(URL_SECRET_MASK)) return { url: next };
  const { base, params, fragment } = splitUrl(next);
  const masked = params.filter((p) => p.endsWith(`=${URL_SECRET_MASK}`) && isUrlSecretKey(keyOf(p)));
  if (masked.length === 0) return { url: next };
  const names = masked.map((p) => keyOf(p)).join(', ');
  if (previous === undefined)
    return { error: `holds a masked value (${names}) but no value is stored to keep: send the value` };
  if (addressOf(next) === null || addressOf(next) !== addressOf(previous))
    return {
      error: `holds a masked value (${names}) but sends to another address than the stored URL: send the value again`,
    };
  const old = splitUrl(previous).params;
  const used = new Set<number>();
  const missing: string[] = [];
  const restored = params.map((p) => {
    if (!masked.includes(p)) return p;
    const key = keyOf(p);
    const i = old.findIndex((o, j) => !used.has(j) && keyOf(o) === key && o.includes('='));
    if (i === -1) {
      missing.push(key);
      return p;
    }
    used.add(i);
    return old[i] as string;
  });
  if (missing.length > 0)
    return {
      error: `holds a masked value (${missing.join(', ')}) but no value is stored to keep: send the value`,
    };
  return { url: `${base}${restored.join('&')}${fragment}` };
}
