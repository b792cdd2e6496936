import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

/**
 * IP addresses are validated strictly (dotted-quad IPv4 or RFC 4291 IPv6, as Node's own parser accepts) and
 * indexed as 32 hex digits of their IPv6 form (IPv4 as IPv4-mapped), so that a CIDR block is a range of that
 * text and one block can hold both families.
 */

export function isValidIp(text: string): boolean {
  return isIP(text) !== 0;
}

const keyCache = new Map<string, string>();

/** The 32-hex-digit key of an address, or null when it is not a valid address. */
export function ipKey(text: string): string | null {
  const cached = keyCache.get(text);
  if (cached !== undefined) return cached;
  const key = computeIpKey(text);
  if (key !== null) {
    if (keyCache.size >= 10_000) keyCache.clear();
    keyCache.set(text, key);
  }
  return key;
}

function computeIpKey(text: string): string | null {
  if (!isValidIp(text)) return null;
  const addr = ipaddr.parse(text);
  const v6 = addr.kind() === 'ipv4' ? (addr as ipaddr.IPv4).toIPv4MappedAddress() : (addr as ipaddr.IPv6);
  return Buffer.from(v6.toByteArray()).toString('hex');
}

export interface IpRange {
  /** Inclusive bounds of the block, as ip keys. */
  lo: string;
  hi: string;
  /** Leading hex digits shared by every address of the block (for prefix indexes). */
  prefix: string;
}

/** An address or a CIDR block (`10.0.0.0/8`, `2001:db8::/32`) as a key range, or null when invalid. */
export function parseIpFilter(text: string): IpRange | null {
  const slash = text.indexOf('/');
  if (slash === -1) {
    const key = ipKey(text);
    return key ? { lo: key, hi: key, prefix: key } : null;
  }
  const base = text.slice(0, slash);
  const bitsText = text.slice(slash + 1);
  if (!/^\d{1,3}$/.test(bitsText)) return null;
  const key = ipKey(base);
  if (!key) return null;
  const v4 = isIP(base) === 4;
  const bits = Number(bitsText) + (v4 ? 96 : 0);
  if (bits > 128) return null;
  const value = BigInt(`0x${key}`);
  const hostBits = BigInt(128 - bits);
  const mask = ((1n << 128n) - 1n) ^ ((1n << hostBits) - 1n);
  const lo = value & mask;
  const hi = lo | ((1n << hostBits) - 1n);
  const hex = (n: bigint) => n.toString(16).padStart(32, '0');
  return { lo: hex(lo), hi: hex(hi), prefix: hex(lo).slice(0, Math.floor(bits / 4)) };
}
