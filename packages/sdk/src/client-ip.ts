import type { IncomingMessage } from 'node:http';
import proxyAddr from '@fastify/proxy-addr';

/**
 * Which proxies to believe when they say who the client is (X-Forwarded-For):
 * - `false` (the default): none; the client is the socket's peer.
 * - `true`: every hop (only when the app cannot be reached but through your proxies).
 * - a number: that many hops in front of the app.
 * - addresses, CIDR blocks or `loopback` / `linklocal` / `uniquelocal`: those proxies.
 */
export type TrustProxy = boolean | number | string | string[];

export type ClientIpResolver = (req: IncomingMessage) => string | undefined;

/** A resolver of the client's address under a trust setting, compiled once (proxy-addr's rules, as Express's). */
export function clientIpResolver(trust: TrustProxy = false): ClientIpResolver {
  const trusts = compileTrust(trust);
  return (req) => {
    if (req.socket?.remoteAddress === undefined) return undefined;
    return unmapIpv4(proxyAddr(req, trusts));
  };
}

function compileTrust(trust: TrustProxy): (addr: string, hop: number) => boolean {
  if (trust === true) return () => true;
  if (trust === false) return () => false;
  if (typeof trust === 'number') return (_addr, hop) => hop < trust;
  const list = typeof trust === 'string' ? trust.split(',').map((s) => s.trim()) : trust;
  return proxyAddr.compile(list);
}

/** `::ffff:203.0.113.7` (an IPv4 client on a dual-stack socket) is written as the IPv4 address it is. */
function unmapIpv4(ip: string): string {
  return /^::ffff:\d+\.\d+\.\d+\.\d+$/i.test(ip) ? ip.slice(7) : ip;
}
