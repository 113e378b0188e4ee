/**
 * STUN and TURN URLs (RFC 7064, RFC 7065): `stun:host:port`, `turn:host:port?transport=udp|tcp`,
 * `turns:host:port[?transport=tcp]`. Browsers default the port; r58 requires it, as MediaMTX does, because a
 * forgotten port is the commonest way to point at the wrong service.
 */
import {R58Error} from '../errors.js'
import {isPort} from '../util/host-port.js'

export type IceScheme = 'stun' | 'stuns' | 'turn' | 'turns'
/** How the client reaches the server: UDP, TCP, or TLS over TCP. */
export type IceTransport = 'udp' | 'tcp' | 'tls'

export interface IceUrl {
  /** The URL as given. */
  url: string
  scheme: IceScheme
  host: string
  port: number
  transport: IceTransport
  /** True for `turn:`/`turns:`. */
  isTurn: boolean
}

const ICE_URL = /^(stuns?|turns?):(?:\[([0-9a-fA-F:.]+)\]|([^\s:/?#[\]@]+))(?::([^?]*))?(?:\?(.*))?$/i

const DEFAULT_PORT: Record<IceScheme, number> = {stun: 3478, stuns: 5349, turn: 3478, turns: 5349}

function invalid(url: string, reason: string, hint: string, field: string): R58Error {
  return new R58Error('E_USAGE', `${field}: ${JSON.stringify(url)} ${reason}`, {field, hint})
}

/**
 * Parses one ICE server URL. Throws an R58Error (E_USAGE by default) that names the URL and what is wrong.
 * `field` names where it came from (`--ice-server`, `turn.urls`) for the message.
 */
export function parseIceUrl(url: string, field = 'URL'): IceUrl {
  const match = ICE_URL.exec(url.trim())
  if (!match) {
    throw invalid(
      url,
      'is not a STUN/TURN URL',
      'Use stun:host:port, turn:host:port?transport=udp|tcp or turns:host:port.',
      field,
    )
  }
  const scheme = (match[1] ?? '').toLowerCase() as IceScheme
  const host = match[2] ?? match[3] ?? ''
  const portText = match[4]
  if (portText === undefined || portText === '') {
    throw invalid(url, 'has no port', `Add the port, e.g. ${scheme}:${host}:${DEFAULT_PORT[scheme]}.`, field)
  }
  const port = Number(portText)
  if (!/^\d+$/.test(portText) || !isPort(port)) {
    throw invalid(url, `has an invalid port "${portText}"`, 'Use a port from 1 to 65535.', field)
  }
  const params = new URLSearchParams(match[5] ?? '')
  const requested = params.get('transport')?.toLowerCase()
  const secure = scheme === 'turns' || scheme === 'stuns'
  let transport: IceTransport
  if (requested === undefined || requested === null) {
    transport = secure ? 'tls' : 'udp'
  } else if (requested === 'udp' && !secure) {
    transport = 'udp'
  } else if (requested === 'tcp') {
    transport = secure ? 'tls' : 'tcp'
  } else {
    const reason =
      requested === 'udp'
        ? 'asks for UDP over TLS (DTLS), which is not supported'
        : `has an unknown transport "${requested}"`
    throw invalid(url, reason, 'Use ?transport=udp or ?transport=tcp (turns: always runs over TLS on TCP).', field)
  }
  return {url, scheme, host, port, transport, isTurn: scheme === 'turn' || scheme === 'turns'}
}

/** The canonical form, as browsers and MediaMTX write it. */
export function formatIceUrl(ice: Pick<IceUrl, 'scheme' | 'host' | 'port' | 'transport'>): string {
  const host = ice.host.includes(':') ? `[${ice.host}]` : ice.host
  const base = `${ice.scheme}:${host}:${ice.port}`
  if (ice.scheme === 'turn') return `${base}?transport=${ice.transport === 'tcp' ? 'tcp' : 'udp'}`
  if (ice.scheme === 'turns') return `${base}?transport=tcp`
  return base
}

/** A WebRTC RTCIceServer, as browsers, werift and the TURN credential APIs use it. */
export interface IceServer {
  urls: string | string[]
  username?: string
  credential?: string
}

/** Every URL of a list of ice servers, flattened. */
export function iceServerUrls(servers: readonly IceServer[]): string[] {
  return servers.flatMap((server) => (Array.isArray(server.urls) ? server.urls : [server.urls]))
}
