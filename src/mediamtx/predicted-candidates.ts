/**
 * The ICE candidates MediaMTX will put in its WHIP answers, predicted from its config and this host's
 * interfaces (docs/mediamtx.md §4.6): interface addresses × the UDP/TCP mux ports, plus `webrtcAdditionalHosts`,
 * plus server-reflexive and relay candidates from ICE servers that are not `clientOnly`. Each is classified
 * (LAN, tailnet, internet…) so a report can say who can reach it. Interfaces are injected.
 */
import type {NetworkInterfaceInfo} from 'node:os'
import {parseIceUrl} from '../ice/ice-url.js'
import {type AddressCategory, type AddressScope, classifyAddress} from '../net/address-class.js'
import {parseHostPort} from '../util/host-port.js'
import type {MediamtxWebrtc} from './config-read.js'
import {atLeast, type Version} from './version.js'

export interface Candidate {
  type: 'host' | 'srflx' | 'relay'
  protocol: 'udp' | 'tcp'
  /** Null for srflx/relay hints, whose address is only known once MediaMTX asks the STUN/TURN server. */
  address: string | null
  /** Null for random ports (before v1.3.0 without a mux address) and for hints. */
  port: number | null
  /** `interface eth0`, `webrtcAdditionalHosts`, or the STUN/TURN URL. */
  source: string
  category: AddressCategory | null
  scope: AddressScope
}

export type Interfaces = NodeJS.Dict<NetworkInterfaceInfo[]>

function portOf(address: string): number | null {
  return address === '' ? null : (parseHostPort(address)?.port ?? null)
}

/**
 * The WebRTC view as the running version applies the file: from v1.3.0, a deprecated key that is set wins
 * (MediaMTX's shim), and an empty or missing UDP mux address means the `:8189` default, not random ports.
 */
export function effectiveWebrtc(
  webrtc: MediamtxWebrtc,
  values: {has(key: string): boolean; value(key: string): unknown},
  version: Version,
): MediamtxWebrtc {
  if (!atLeast(version, 'v1.3.0')) return webrtc
  const set = (key: string) => values.has(key) && values.value(key) !== null && values.value(key) !== undefined
  const text = (key: string) => String(values.value(key))
  const udp = set('webrtcICEUDPMuxAddress')
    ? text('webrtcICEUDPMuxAddress')
    : set('webrtcLocalUDPAddress')
      ? text('webrtcLocalUDPAddress')
      : ':8189'
  const tcp = set('webrtcICETCPMuxAddress')
    ? text('webrtcICETCPMuxAddress')
    : set('webrtcLocalTCPAddress')
      ? text('webrtcLocalTCPAddress')
      : ''
  const hosts = set('webrtcICEHostNAT1To1IPs') ? values.value('webrtcICEHostNAT1To1IPs') : undefined
  return {
    ...webrtc,
    localUDPAddress: udp,
    localTCPAddress: tcp,
    ...(Array.isArray(hosts) && {additionalHosts: hosts.map(String)}),
    hostsReplaceInterfaces: false,
  }
}

export function predictCandidates(webrtc: MediamtxWebrtc, version: Version, interfaces: Interfaces): Candidate[] {
  const modern = atLeast(version, 'v1.3.0')
  const udp = portOf(webrtc.localUDPAddress)
  const tcp = portOf(webrtc.localTCPAddress)
  const transports: {protocol: 'udp' | 'tcp'; port: number | null}[] = []
  if (modern) {
    if (udp !== null) transports.push({protocol: 'udp', port: udp})
    if (tcp !== null) transports.push({protocol: 'tcp', port: tcp})
  } else if (tcp !== null) {
    transports.push({protocol: 'tcp', port: tcp}) // a TCP mux forced TCP only
  } else {
    transports.push({protocol: 'udp', port: udp})
  }

  const hosts: {address: string; source: string}[] = []
  const replaced = !modern && webrtc.hostsReplaceInterfaces
  if (webrtc.ipsFromInterfaces && !replaced) {
    const allowed = webrtc.ipsFromInterfacesList
    for (const [name, infos] of Object.entries(interfaces)) {
      if (allowed.length > 0 && !allowed.includes(name)) continue
      for (const info of infos ?? []) {
        if (info.family === 'IPv6' && info.address.toLowerCase().startsWith('fe80')) continue
        hosts.push({address: info.address, source: `interface ${name}`})
      }
    }
  }
  for (const host of webrtc.additionalHosts) {
    if (!hosts.some((h) => h.address === host)) {
      hosts.push({address: host, source: modern ? 'webrtcAdditionalHosts' : 'webrtcICEHostNAT1To1IPs'})
    }
  }

  const out: Candidate[] = []
  for (const host of hosts) {
    const cls = classifyAddress(host.address)
    for (const t of transports) {
      out.push({
        type: 'host',
        protocol: t.protocol,
        address: cls.address,
        port: t.port,
        source: host.source,
        category: cls.category,
        scope: cls.scope,
      })
    }
  }
  for (const server of webrtc.iceServers) {
    if (server.clientOnly && atLeast(version, 'v1.7.0')) continue
    let ice: ReturnType<typeof parseIceUrl>
    try {
      ice = parseIceUrl(server.url)
    } catch {
      continue
    }
    out.push({
      type: ice.isTurn ? 'relay' : 'srflx',
      protocol: ice.transport === 'udp' ? 'udp' : 'tcp',
      address: null,
      port: null,
      source: server.url,
      category: null,
      scope: 'internet',
    })
  }
  return out
}

/** `192.168.1.58:8189/udp (lan)`, `relay via turn:… (internet)` */
export function describeCandidate(c: Candidate): string {
  if (c.address === null) return `${c.type} via ${c.source} (${c.scope})`
  const host = c.address.includes(':') ? `[${c.address}]` : c.address
  return `${host}:${c.port ?? 'random'}/${c.protocol} (${c.scope})`
}
