/**
 * What kind of address is this, and who can reach it? The answer decides whether a remote guest can use an
 * ICE candidate: a MediaMTX answer that lists only `private` addresses works on the LAN and nowhere else.
 */
import {isIPv4, isIPv6} from 'node:net'

export type AddressCategory =
  | 'loopback'
  | 'private' // RFC 1918
  | 'cgnat' // 100.64.0.0/10: Tailscale, or a carrier's NAT
  | 'link-local'
  | 'ula' // IPv6 unique local, fc00::/7
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
  public: 'internet',
  unspecified: 'none',
  multicast: 'none',
  mdns: 'lan',
  hostname: 'unknown',
}

function ipv4Octets(address: string): number[] {
  return address.split('.').map(Number)
}

function classifyIPv4(address: string): AddressCategory {
  const [a = 0, b = 0] = ipv4Octets(address)
  if (a === 127) return 'loopback'
  if (a === 0) return 'unspecified'
  if (a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168)) return 'private'
  if (a === 100 && b >= 64 && b <= 127) return 'cgnat'
  if (a === 169 && b === 254) return 'link-local'
  if (a >= 224 && a <= 239) return 'multicast'
  return 'public'
}

/** The first 16 bits of an IPv6 address, and the embedded IPv4 of `::ffff:a.b.c.d`. */
function ipv6Head(address: string): {head: number; mappedIPv4?: string} {
  const lower = address.toLowerCase().split('%')[0] ?? ''
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(lower)
  if (mapped?.[1]) return {head: 0, mappedIPv4: mapped[1]}
  if (lower.startsWith('::')) return {head: 0}
  return {head: Number.parseInt(lower.split(':')[0] ?? '0', 16)}
}

function classifyIPv6(address: string): AddressCategory {
  const lower = address.toLowerCase().split('%')[0] ?? ''
  if (lower === '::1') return 'loopback'
  if (lower === '::') return 'unspecified'
  const {head, mappedIPv4} = ipv6Head(lower)
  if (mappedIPv4) return classifyIPv4(mappedIPv4)
  if ((head & 0xffc0) === 0xfe80) return 'link-local'
  if ((head & 0xfe00) === 0xfc00) return 'ula'
  if ((head & 0xff00) === 0xff00) return 'multicast'
  if ((head & 0xe000) === 0x2000) return 'public'
  return 'unspecified'
}

export function classifyAddress(address: string): AddressClass {
  const bare = address.replace(/^\[|\]$/g, '')
  if (isIPv4(bare)) {
    const category = classifyIPv4(bare)
    return {address: bare, family: 4, category, scope: SCOPE[category]}
  }
  if (isIPv6(bare)) {
    const category = classifyIPv6(bare)
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
