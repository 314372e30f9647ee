import ipaddr from 'ipaddr.js';

/** Why an address may not be reached from a tool, in words an admin understands. */
const RANGE_LABELS: Record<string, string> = {
  private: 'private',
  loopback: 'loopback',
  linkLocal: 'link-local (this includes cloud metadata endpoints such as 169.254.169.254)',
  uniqueLocal: 'unique-local (private IPv6)',
  carrierGradeNat: 'carrier-grade NAT',
  multicast: 'multicast',
  broadcast: 'broadcast',
  unspecified: 'unspecified',
  reserved: 'reserved',
  benchmarking: 'benchmarking',
  ipv4Mapped: 'IPv4-mapped',
  rfc6052: 'NAT64 (it may translate to a private IPv4 address)',
  rfc6145: 'IPv4-translated',
  '6to4': '6to4 (it may tunnel to a private IPv4 address)',
  teredo: 'Teredo tunnel',
};

// IANA allocates global unicast IPv6 only from 2000::/3; anything outside it (the deprecated
// IPv4-compatible ::a.b.c.d form among them) is refused even when ipaddr.js calls it "unicast".
const IPV6_GLOBAL_UNICAST = ipaddr.IPv6.parseCIDR('2000::/3');

export type AddressVerdict = { public: true; address: string } | { public: false; address: string; range: string };

/**
 * Whether `address` (an IPv4 or IPv6 literal, as DNS returned it) is a public unicast address a tool
 * may connect to. IPv4-mapped IPv6 addresses are judged as the IPv4 address they carry; every
 * special-purpose range ipaddr.js knows (private, loopback, link-local, unique-local, CGNAT,
 * multicast, unspecified, reserved, NAT64, 6to4, Teredo, ...) is refused.
 */
export function classifyAddress(address: string): AddressVerdict {
  let parsed: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    // process() turns ::ffff:a.b.c.d into a.b.c.d.
    parsed = ipaddr.process(address.replace(/%.*$/, ''));
  } catch {
    return { public: false, address, range: 'unparseable' };
  }
  const range = parsed.range();
  if (range !== 'unicast') return { public: false, address: parsed.toString(), range: RANGE_LABELS[range] ?? range };
  if (parsed.kind() === 'ipv6' && !(parsed as ipaddr.IPv6).match(IPV6_GLOBAL_UNICAST)) {
    return { public: false, address: parsed.toString(), range: 'non-global IPv6' };
  }
  return { public: true, address: parsed.toString() };
}

/** Whether a host name is an IP literal (URL host names carry IPv6 literals without brackets here). */
export function isIpLiteral(host: string): boolean {
  return ipaddr.isValid(host);
}
