/** IPv4 CIDR parsing for config validation (no dependency needed for this much). */

export interface Ipv4Cidr {
  /** Network address as an unsigned 32-bit integer. */
  readonly network: number;
  readonly prefix: number;
  /** Number of addresses in the block. */
  readonly size: number;
}

const CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

/** Parses `a.b.c.d/n`; undefined when malformed or when host bits are set. */
export function parseCidr(text: string): Ipv4Cidr | undefined {
  const m = CIDR.exec(text);
  if (!m) return undefined;
  const octets = m.slice(1, 5).map(Number);
  const prefix = Number(m[5]);
  if (octets.some((o) => o > 255) || prefix > 32) return undefined;
  const address = ((octets[0] << 24) >>> 0) + (octets[1] << 16) + (octets[2] << 8) + octets[3];
  const size = 2 ** (32 - prefix);
  if (address % size !== 0) return undefined;
  return { network: address, prefix, size };
}

export function cidrContains(outer: Ipv4Cidr, inner: Ipv4Cidr): boolean {
  return inner.network >= outer.network && inner.network + inner.size <= outer.network + outer.size;
}

export function cidrsOverlap(a: Ipv4Cidr, b: Ipv4Cidr): boolean {
  return a.network < b.network + b.size && b.network < a.network + a.size;
}

/** True for 0.0.0.0/0 and ::/0: open to the whole internet. */
export function isWorldOpen(cidr: string): boolean {
  return cidr === "0.0.0.0/0" || cidr === "::/0";
}

/**
 * Address blocks reserved for documentation: no real host has them, so an
 * allow-list naming one admits nobody (and marks a config copied from an example).
 */
const DOCUMENTATION_RANGES: readonly { readonly cidr: string; readonly name: string }[] = [
  { cidr: "192.0.2.0/24", name: "RFC 5737 TEST-NET-1" },
  { cidr: "198.51.100.0/24", name: "RFC 5737 TEST-NET-2" },
  { cidr: "203.0.113.0/24", name: "RFC 5737 TEST-NET-3" },
];

/**
 * The documentation range (RFC 5737 for IPv4, RFC 3849's 2001:db8::/32 for
 * IPv6) that `cidr` lies in, e.g. "RFC 5737 TEST-NET-3 (203.0.113.0/24)";
 * undefined for any other block.
 */
export function documentationRangeOf(cidr: string): string | undefined {
  if (/^2001:0?db8(:|$)/i.test(cidr.trim())) return "RFC 3849 IPv6 documentation prefix (2001:db8::/32)";
  const parsed = parseCidr(cidr);
  if (!parsed) return undefined;
  const range = DOCUMENTATION_RANGES.find((r) => cidrContains(parseCidr(r.cidr)!, parsed));
  return range && `${range.name} (${range.cidr})`;
}
