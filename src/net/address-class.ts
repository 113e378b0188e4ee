/**
 * What kind of address is this, and who can reach it? The answer decides whether a remote guest can use an
 * ICE candidate: a MediaMTX answer that lists only `private` addresses works on the LAN and nowhere else.
 * Addresses are parsed and matched with ipaddr.js; the ranges are IANA's special-purpose address registries
 * (RFC 6890 and its updates), so a documentation address is never taken for a public one.
 */
import {isIPv4, isIPv6} from 'node:net'
import ipaddr from 'ipaddr.js'

export type AddressCategory =
  | 'loopback'
  | 'private' // RFC 1918
  | 'cgnat' // 100.64.0.0/10: Tailscale, or a carrier's NAT
  | 'link-local'
  | 'ula' // IPv6 unique local, fc00::/7
  | 'documentation' // RFC 5737 TEST-NET-1/2/3, RFC 3849 2001:db8::/32, RFC 9637 3fff::/20: routed nowhere
  | 'benchmarking' // RFC 2544 198.18.0.0/15, RFC 5180 2001:2::/48: test networks
  | 'reserved' // IETF protocol assignments, 240.0.0.0/4, broadcast, the IPv6 discard prefix
  | 'public'
  | 'unspecified'
  | 'multicast'
  | 'mdns' // `<uuid>.local`, resolvable only on the same link
  | 'hostname'

/** From where a peer can reach the address. */
export type AddressScope = 'this-host' | 'lan' | 'tailnet' | 'internet' | 'unknown' | 'none'

export interface AddressClass {
  address: string
  family: 4 | 6 | null
  category: AddressCategory
  scope: AddressScope
}

const SCOPE: Record<AddressCategory, AddressScope> = {
  loopback: 'this-host',
  private: 'lan',
  cgnat: 'tailnet',
  'link-local': 'lan',
  ula: 'lan',
  documentation: 'none',
  // Not routed on the internet, but made for test networks that stand in for it (RFC 2544): a lab's "internet"
  // (network namespaces, the tests' public STUN address) uses these, and there they are reached from outside.
  benchmarking: 'internet',
  reserved: 'none',
  public: 'internet',
  unspecified: 'none',
  multicast: 'none',
  mdns: 'lan',
  hostname: 'unknown',
}

/** The special-purpose ranges, most specific first; an IPv4 address outside them is public. */
const IPV4_RANGES: readonly [cidr: string, category: AddressCategory][] = [
  ['0.0.0.0/8', 'unspecified'], // "this network" (RFC 791)
  ['10.0.0.0/8', 'private'],
  ['100.64.0.0/10', 'cgnat'], // RFC 6598
  ['127.0.0.0/8', 'loopback'],
  ['169.254.0.0/16', 'link-local'], // RFC 3927
  ['172.16.0.0/12', 'private'],
  ['192.0.0.0/24', 'reserved'], // IETF protocol assignments (RFC 6890)
  ['192.0.2.0/24', 'documentation'], // TEST-NET-1 (RFC 5737)
  ['192.168.0.0/16', 'private'],
  ['198.18.0.0/15', 'benchmarking'], // RFC 2544
  ['198.51.100.0/24', 'documentation'], // TEST-NET-2
  ['203.0.113.0/24', 'documentation'], // TEST-NET-3
  ['224.0.0.0/4', 'multicast'],
  ['240.0.0.0/4', 'reserved'], // RFC 1112, including the limited broadcast 255.255.255.255
]

/** The same for IPv6; only global unicast (2000::/3) outside them is public, anything else unspecified. */
const IPV6_RANGES: readonly [cidr: string, category: AddressCategory][] = [
  ['::/128', 'unspecified'],
  ['::1/128', 'loopback'],
  ['100::/64', 'reserved'], // discard-only (RFC 6666)
  ['2001:2::/48', 'benchmarking'], // RFC 5180
  ['2001:db8::/32', 'documentation'], // RFC 3849
  ['3fff::/20', 'documentation'], // RFC 9637
  ['fc00::/7', 'ula'], // RFC 4193
  ['fe80::/10', 'link-local'],
  ['ff00::/8', 'multicast'],
  ['2000::/3', 'public'],
]

type Parsed<K extends 'ipv4' | 'ipv6'> = K extends 'ipv4' ? ipaddr.IPv4 : ipaddr.IPv6
const compile = <K extends 'ipv4' | 'ipv6'>(ranges: readonly [string, AddressCategory][], kind: K) =>
  ranges.map(([cidr, category]) => {
    const [network, bits] = ipaddr.parseCIDR(cidr)
    if (network.kind() !== kind) throw new Error(`${cidr} is not ${kind}`)
    return {network: network as Parsed<K>, bits, category}
  })
const V4 = compile(IPV4_RANGES, 'ipv4')
const V6 = compile(IPV6_RANGES, 'ipv6')

function classifyIPv4(address: ipaddr.IPv4): AddressCategory {
  return V4.find((r) => address.match(r.network, r.bits))?.category ?? 'public'
}

function classifyIPv6(address: ipaddr.IPv6): AddressCategory {
  // `::ffff:a.b.c.d` is the IPv4 address a dual-stack socket reports: it is what the IPv4 one is.
  if (address.isIPv4MappedAddress()) return classifyIPv4(address.toIPv4Address())
  return V6.find((r) => address.match(r.network, r.bits))?.category ?? 'unspecified'
}

export function classifyAddress(address: string): AddressClass {
  const bare = address.replace(/^\[|\]$/g, '')
  if (isIPv4(bare)) {
    const category = classifyIPv4(ipaddr.IPv4.parse(bare))
    return {address: bare, family: 4, category, scope: SCOPE[category]}
  }
  if (isIPv6(bare)) {
    const category = classifyIPv6(ipaddr.IPv6.parse(bare.split('%')[0] ?? bare))
    return {address: bare, family: 6, category, scope: SCOPE[category]}
  }
  const category: AddressCategory = bare.toLowerCase().endsWith('.local') ? 'mdns' : 'hostname'
  return {address: bare, family: null, category, scope: SCOPE[category]}
}

/** Only loopback addresses: the one kind of destination tests and benchmarks may send to. */
export function isLoopbackAddress(address: string): boolean {
  const bare = address.replace(/^\[|\]$/g, '')
  return bare === 'localhost' || classifyAddress(bare).category === 'loopback'
}
