/**
 * The candidates MediaMTX puts in its WHIP answer, computed from its configuration (docs/mediamtx.md §4.6,
 * `peer_connection.go`): host candidates of the allowed interfaces on the single UDP mux port (and the TCP mux
 * port, `tcptype passive`), then component 1 and 2 candidates for each `webrtcAdditionalHosts` entry, then
 * srflx/relay candidates of non-clientOnly ICE servers. Pure: the stand-in feeds it interfaces and ports.
 *
 * The stand-in cannot share one UDP port between werift peers, so each session's werift peer listens on its
 * own loopback port: loopback candidates carry that real port (the only address anything connects to), every
 * other candidate carries the configured port, exactly as MediaMTX would advertise it.
 */
import {isIPv4, isIPv6} from 'node:net'
import type {MediamtxWebrtc} from '../../mediamtx/config-read.js'
import {atLeast, type Version} from '../../mediamtx/version.js'
import {classifyAddress} from '../../net/address-class.js'
import {parseHostPort} from '../../util/host-port.js'

export interface StandinInterface {
  /** Interface name as MediaMTX matches `webrtcIPsFromInterfacesList` (`eth0`, `tailscale0`, `lo`). */
  name: string
  address: string
}

export interface CandidateInput {
  webrtc: Pick<
    MediamtxWebrtc,
    | 'localUDPAddress'
    | 'localTCPAddress'
    | 'ipsFromInterfaces'
    | 'ipsFromInterfacesList'
    | 'additionalHosts'
    | 'hostsReplaceInterfaces'
  >
  version: Version
  interfaces: readonly StandinInterface[]
  /** Additional hosts already resolved: host name → IPs (absent = could not be resolved). */
  resolved?: ReadonlyMap<string, readonly string[]>
  /** The UDP port the session's peer really listens on (loopback candidates use it). */
  loopbackUdpPort: number
  /** When set, every UDP candidate carries this port: the stand-in on real interfaces (network.ts). */
  sessionUdpPort?: number
  /** srflx/relay candidate lines (attribute values) from the server's own ICE servers. */
  serverReflexive?: readonly string[]
  /** Random foundation source; injectable for table tests. */
  foundation?: () => string
}

export interface CandidateResult {
  /** `a=candidate` attribute values (without `a=`), in answer order. */
  candidates: string[]
  /** Additional hosts that were skipped (v1.19.2+) with the reason. */
  skipped: string[]
  /** Set when MediaMTX would fail the session instead (unresolvable host before v1.19.2). */
  error?: string
}

export const UDP_HOST_PRIORITY = 2130706431
export const TCP_HOST_PRIORITY = 1671430143

/** The port of `:8189` / `0.0.0.0:8189`, or undefined when the listener is off (''). */
export function muxPort(address: string): number | undefined {
  if (address.trim() === '') return undefined
  return parseHostPort(address)?.port
}

const randomFoundation = () => String(Math.floor(Math.random() * 0xffffffff))

function isIp(text: string): boolean {
  return isIPv4(text) || isIPv6(text)
}

export function mediamtxCandidates(input: CandidateInput): CandidateResult {
  const {webrtc, version} = input
  const foundation = input.foundation ?? randomFoundation
  const udpPort = muxPort(webrtc.localUDPAddress)
  const tcpPort = muxPort(webrtc.localTCPAddress)
  const candidates: string[] = []
  const skipped: string[] = []
  const port = (address: string, configured: number) =>
    input.sessionUdpPort ?? (classifyAddress(address).category === 'loopback' ? input.loopbackUdpPort : configured)

  // Host candidates of the interfaces MediaMTX allows (before v1.3.0: random per-session UDP ports, which the
  // stand-in's real port stands for; webrtcICEHostNAT1To1IPs then *replaced* the interface addresses).
  const allowed = webrtc.ipsFromInterfaces
    ? input.interfaces.filter(
        (i) => webrtc.ipsFromInterfacesList.length === 0 || webrtc.ipsFromInterfacesList.includes(i.name),
      )
    : []
  const oldModel = !atLeast(version, 'v1.3.0')
  const hostAddresses = oldModel && webrtc.hostsReplaceInterfaces ? [] : allowed.map((i) => i.address)
  for (const address of hostAddresses) {
    if (udpPort !== undefined) {
      candidates.push(`${foundation()} 1 udp ${UDP_HOST_PRIORITY} ${address} ${port(address, udpPort)} typ host`)
    } else if (oldModel) {
      candidates.push(`${foundation()} 1 udp ${UDP_HOST_PRIORITY} ${address} ${input.loopbackUdpPort} typ host`)
    }
    if (tcpPort !== undefined) {
      candidates.push(`${foundation()} 1 tcp ${TCP_HOST_PRIORITY} ${address} ${tcpPort} typ host tcptype passive`)
    }
  }

  // webrtcAdditionalHosts (v1.3.0+), or the NAT 1:1 IPs that replaced host addresses before.
  for (const host of webrtc.additionalHosts) {
    let ips: readonly string[]
    if (isIp(host) || !atLeast(version, 'v1.14.0')) ips = [host]
    else {
      const found = input.resolved?.get(host)
      if (found === undefined || found.length === 0) {
        if (atLeast(version, 'v1.19.2')) {
          skipped.push(`cannot resolve additional host "${host}", skipping it`)
          continue
        }
        return {candidates: [], skipped, error: `lookup ${host}: no such host`}
      }
      ips = found
    }
    for (const ip of ips) {
      const udp = udpPort ?? (oldModel ? input.loopbackUdpPort : undefined)
      if (udp !== undefined) {
        const id = foundation()
        for (const component of [1, 2]) {
          candidates.push(`${id} ${component} udp ${UDP_HOST_PRIORITY} ${ip} ${port(ip, udp)} typ host`)
        }
      }
      if (tcpPort !== undefined) {
        const id = foundation()
        for (const component of [1, 2]) {
          candidates.push(`${id} ${component} tcp ${TCP_HOST_PRIORITY} ${ip} ${tcpPort} typ host tcptype passive`)
        }
      }
    }
  }
  candidates.push(...(input.serverReflexive ?? []))
  return {candidates, skipped}
}
