import ipaddr from 'ipaddr.js';

type Address = ipaddr.IPv4 | ipaddr.IPv6;

/** Prefix of the well-known NAT64 range (RFC 6052): the last 32 bits are an IPv4 address. */
const NAT64_WELL_KNOWN = ipaddr.parseCIDR('64:ff9b::/96');

/**
 * Which addresses the proxy may dial: public unicast only (checklist S6/S7), unless an operator
 * lists a CIDR in PROXY_ALLOWED_CIDRS. Addresses that embed an IPv4 address (IPv4-mapped, NAT64)
 * are judged by that address; tunnelling forms (6to4, Teredo) are refused outright.
 */
export class DestinationPolicy {
  private readonly allowed: Array<[Address, number]>;

  constructor(allowedCidrs: readonly string[] = []) {
    this.allowed = allowedCidrs.map((cidr) => ipaddr.parseCIDR(cidr));
  }

  /** True when `address` (an IP literal) may be dialled. Anything unparseable is refused. */
  isAllowed(address: string): boolean {
    if (!ipaddr.isValid(address)) return false;
    const parsed = unwrap(ipaddr.parse(address));
    if (this.allowed.some(([range, bits]) => range.kind() === parsed.kind() && parsed.match(range, bits))) {
      return true;
    }
    return parsed.range() === 'unicast';
  }

  /**
   * The host's IP literal when this policy refuses it; null for a name (judged at connect time, on
   * the addresses it resolves to) or an allowed literal. IP literals never go through that lookup
   * (checklist S9), so every outgoing URL's host is put through this first.
   */
  refusedLiteral(hostname: string): string | null {
    const literal = ipLiteralOf(hostname);
    return literal !== null && !this.isAllowed(literal) ? literal : null;
  }
}

function unwrap(address: Address): Address {
  if (address.kind() !== 'ipv6') return address;
  const v6 = address as ipaddr.IPv6;
  if (v6.isIPv4MappedAddress()) return v6.toIPv4Address();
  if (v6.match(NAT64_WELL_KNOWN)) {
    const bytes = v6.toByteArray().slice(12);
    return new ipaddr.IPv4(bytes);
  }
  return v6;
}

/** An IP literal as it appears in a URL host (`[::1]` → `::1`), or null for a name. */
export function ipLiteralOf(hostname: string): string | null {
  const bare = hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
  return ipaddr.isValid(bare) ? bare : null;
}
