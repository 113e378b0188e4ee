/**
 * Where the stand-in's media goes. Two modes:
 * - `loopback` (the default, for tests without network namespaces): one peer per session bound to 127.0.0.1,
 *   pairing only with loopback; other addresses are advertised but never contacted (webrtc/scope.ts);
 * - `interfaces` (the NAT lab, inside a network namespace it created): as MediaMTX on a real box, the peer
 *   listens on every interface, advertises the interfaces' addresses, connects to any IP candidate and uses
 *   every non-clientOnly ICE server.
 *
 * MediaMTX multiplexes every session on one UDP port (`webrtcLocalUDPAddress`); werift cannot share a socket
 * between peers, so in `interfaces` mode each session gets the first free port from that port upward
 * (SESSION_PORT_SPAN ports), bound on 0.0.0.0, and every UDP candidate of its answer carries that port. A
 * router that forwards the UDP port to the box must forward the span. ICE over TCP (`webrtcLocalTCPAddress`)
 * is advertised as MediaMTX would, but werift does not serve it.
 */
import {isIP, isIPv4} from 'node:net'
import {networkInterfaces} from 'node:os'
import type {PeerConfig} from 'werift'
import {isLoopbackAddress} from '../../net/address-class.js'
import {disableStunFallback, loopbackPeerConfig} from '../../webrtc/scope.js'
import type {StandinInterface} from './standin-candidates.js'

export type StandinNetwork = 'loopback' | 'interfaces'

/** How many UDP ports from webrtcLocalUDPAddress's port the sessions of `interfaces` mode may take. */
export const SESSION_PORT_SPAN = 64

/** The IPv4 interfaces of this network namespace, loopback included (MediaMTX includes loopback candidates). */
export function systemInterfaces(): StandinInterface[] {
  const out: StandinInterface[] = []
  for (const [name, addresses] of Object.entries(networkInterfaces())) {
    for (const address of addresses ?? []) {
      if (address.family === 'IPv4') out.push({name, address: address.address})
    }
  }
  return out
}

function toNumber(ip: string): number {
  return ip.split('.').reduce((n, part) => n * 256 + Number(part), 0)
}

/**
 * The interface address on the same link as `remote`, or undefined. werift binds 0.0.0.0, so its own label of
 * a host pair end says nothing; this names it when the remote end is on a local subnet (LAN, tailnet). A
 * remote end behind a router may have used any advertised address (a forwarded public one, after DNAT):
 * that is not visible here, and the end stays 0.0.0.0.
 */
export function localAddressToward(remote: string): string | undefined {
  if (!isIPv4(remote)) return undefined
  const all = Object.values(networkInterfaces()).flatMap((list) => list ?? [])
  return all.find((a) => {
    if (a.family !== 'IPv4' || a.internal) return false
    const mask = toNumber(a.netmask)
    return (toNumber(a.address) & mask) === (toNumber(remote) & mask)
  })?.address
}

/** werift settings for a session peer of the given mode. */
export function sessionPeerConfig(network: StandinNetwork, udpPort: number | undefined): Partial<PeerConfig> {
  if (network === 'loopback') return loopbackPeerConfig()
  disableStunFallback()
  return {
    iceServers: [],
    // One socket on 0.0.0.0 (every interface), as MediaMTX's UDP mux; the answer lists the addresses.
    iceUseIpv4: false,
    iceUseIpv6: false,
    iceAdditionalHostAddresses: ['0.0.0.0'],
    iceInterfaceAddresses: {udp4: '0.0.0.0'},
    ...(udpPort !== undefined && {icePortRange: [udpPort, udpPort + SESSION_PORT_SPAN - 1] as [number, number]}),
  }
}

/** Remote candidates a session peer may use: loopback only, or any IP address (never mDNS or host names). */
export function remoteAllowed(network: StandinNetwork): (address: string) => boolean {
  if (network === 'loopback') return isLoopbackAddress
  return (address) => isIP(address) !== 0
}
