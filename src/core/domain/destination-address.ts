import { isIP } from 'node:net';

// Where a destination sends, checked before it is stored: an address a receiver could not be reached at, or
// one that would carry a credential shown in clear wherever the settings are, is refused naming its field.

const CONTROL = /[\u0000-\u001f\u007f]/;

/** `HTTP://…` as `http://…`: schemes are case-insensitive (RFC 3986 §3.1), stored and shown in lower case. */
export function lowerScheme(url: string): string {
  return url.replace(
    /^(\s*)([A-Za-z][A-Za-z0-9+.-]*:)/,
    (_, space: string, scheme: string) => `${space}${scheme.toLowerCase()}`,
  );
}

/** NATS servers as shown: a credential stored before they were refused reads as `********`. */
export function maskServerCredentials(servers: string): string {
  return servers.replace(/(:\/\/)[^/,@\s]*@/g, '$1********@');
}

/** Why a webhook URL is refused, or null. */
export function webhookUrlProblem(url: string): string | null {
  // The URL parser drops tabs and line breaks silently: what is stored and shown would not be what is sent.
  if (CONTROL.test(url)) return 'must not hold control characters (tab, line breaks …)';
  if (!/^https?:\/\/[^\s/?#]+/.test(url)) return 'must be an http:// or https:// URL';
  if (!URL.canParse(url)) return 'is not a valid URL';
  // fetch refuses such a URL: every delivery would fail, and the password would show wherever the URL does.
  if (/^https?:\/\/[^/?#]*@/.test(url))
    return 'must not hold a username or password (the receiver checks the signature instead)';
  return null;
}

/** Why NATS servers are refused, or null. */
export function natsServersProblem(servers: string): string | null {
  const list = servers.split(',').map((u) => u.trim());
  if (list.some((u) => CONTROL.test(u)) || !list.every((u) => /^(nats|tls):\/\/[^\s/]+$/.test(u)))
    return 'must be nats:// or tls:// URLs, comma-separated';
  // Shown in clear in every read: NATS credentials are not built (docs/streaming.md), so none is taken.
  if (list.some((u) => u.includes('@')))
    return 'must not hold a username, password or token (NATS credentials are not supported yet)';
  return null;
}

const LABEL = /^[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?$/;

/** Why a syslog host is refused (not a host name or an IP address), or null. */
export function syslogHostProblem(host: string): string | null {
  if (isIP(host) !== 0) return null;
  const name = host.endsWith('.') ? host.slice(0, -1) : host;
  if (name.length > 0 && name.length <= 253 && name.split('.').every((l) => LABEL.test(l))) return null;
  return 'must be a host name or an IP address';
}
