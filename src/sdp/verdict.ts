/**
 * The reachability verdict: from the candidates a server advertises, where can a guest publish from? Pure, so
 * the rules are table-tested. A guest's own TURN server does not help when the server advertises only LAN
 * addresses: the relay, out on the internet, cannot reach them either.
 */
import type {AnalyzedCandidate} from './analysis.js'

export type VerdictScope = 'lan' | 'lan+tailnet' | 'anywhere' | 'this-host' | 'none'

export interface Verdict {
  scope: VerdictScope
  /** One or two sentences for people. */
  text: string
  /** What to do about it, or null when nothing needs doing. */
  fix: string | null
}

type VerdictInput = Pick<AnalyzedCandidate, 'label' | 'type' | 'category' | 'scope'> &
  Partial<Pick<AnalyzedCandidate, 'documentation'>>

export interface VerdictOptions {
  /** How to name the server in sentences: `MediaMTX` when it is one, otherwise `The server`. */
  server?: string
}

const REMOTE_FIX =
  '`r58 mediamtx configure --turn …`, or `r58 mediamtx configure --add-host <public or tailnet IP>`, or use the Calls relay (`r58 relay start`)'

function unique<T extends VerdictInput>(candidates: readonly T[]): T[] {
  const seen = new Set<string>()
  return candidates.filter((c) => {
    const key = `${c.type} ${c.label}`
    if (seen.has(key)) return false
    seen.add(key)
    return true
  })
}

const list = (items: readonly VerdictInput[]) => items.map((c) => c.label).join(', ')

export function reachabilityVerdict(candidates: readonly VerdictInput[], options: VerdictOptions = {}): Verdict {
  const server = options.server ?? 'The server'
  // Documentation ranges (TEST-NET) are routable nowhere: they reach no guest, whatever their class says.
  const documentation = unique(candidates.filter((c) => c.documentation === true))
  const all = unique(candidates.filter((c) => c.documentation !== true))
  const hostnames = all.filter((c) => c.category === 'hostname')
  const internet = all.filter((c) => c.scope === 'internet')
  const tailnet = all.filter((c) => c.scope === 'tailnet')
  const lan = all.filter((c) => c.scope === 'lan')
  const loopback = all.filter((c) => c.scope === 'this-host')
  const caveats: string[] = []
  if (hostnames.length > 0) {
    caveats.push(
      `Host-name candidates (${list(hostnames)}) work in Chrome only; MediaMTX v1.14+ resolves them on the server.`,
    )
  }
  if (lan.some((c) => c.category === 'mdns')) caveats.push('mDNS (.local) candidates reach only the same network link.')
  if (documentation.length > 0) {
    caveats.push(
      `Documentation addresses (${list(documentation)}) are never routable: not tried, and no guest can use them.`,
    )
  }
  const tail = caveats.length > 0 ? ` ${caveats.join(' ')}` : ''

  if (internet.length > 0) {
    const relays = internet.filter((c) => c.type === 'relay')
    if (relays.length > 0) {
      return {
        scope: 'anywhere',
        text: `${server} advertises TURN relay candidate ${list(relays)} — guests whose client has a TURN server can publish from anywhere that reaches the TURN server (a guest without STUN or TURN cannot: the relay forwards only from addresses ${server === 'The server' ? 'the server' : server} was told of).${tail}`,
        fix: null,
      }
    }
    return {
      scope: 'anywhere',
      text: `${server} advertises public address ${list(internet)} — guests can publish from anywhere, provided the router forwards those ports to this box.${tail}`,
      fix: null,
    }
  }
  if (tailnet.length > 0 && lan.length > 0) {
    return {
      scope: 'lan+tailnet',
      text: `${server} advertises ${list(lan)} (this LAN) and ${list(tailnet)} (tailnet) — guests on this LAN or the tailnet can publish; a guest anywhere else cannot, even with TURN on the guest side.${tail}`,
      fix: REMOTE_FIX,
    }
  }
  if (tailnet.length > 0) {
    return {
      scope: 'lan+tailnet',
      text: `${server} advertises only ${list(tailnet)} (tailnet) — only devices on the tailnet can publish; a guest anywhere else cannot, even with TURN on the guest side.${tail}`,
      fix: REMOTE_FIX,
    }
  }
  if (lan.length > 0) {
    return {
      scope: 'lan',
      text: `${server} advertises only ${list(lan)} — a guest outside this LAN cannot reach it, even with TURN on the guest side.${tail}`,
      fix: REMOTE_FIX,
    }
  }
  if (loopback.length > 0) {
    return {
      scope: 'this-host',
      text: `${server} advertises only loopback ${list(loopback)} — only clients on this machine can publish.${tail}`,
      fix: 'Advertise a reachable address: keep webrtcIPsFromInterfaces: true, or `r58 mediamtx configure --add-host <LAN, tailnet or public IP>`',
    }
  }
  if (hostnames.length > 0) {
    return {
      scope: 'none',
      text: `${server} advertises only host names (${list(hostnames)}) — Chrome resolves them, Firefox and Safari ignore them, so most guests cannot connect.`,
      fix: 'Advertise IP addresses (`r58 mediamtx configure --add-host <IP>`), or upgrade MediaMTX to v1.14+, which resolves host names itself',
    }
  }
  return {
    scope: 'none',
    text: `${server}’s answer lists no usable ICE candidate — no guest can connect.${tail}`,
    fix: 'Check webrtcLocalUDPAddress, webrtcIPsFromInterfaces and webrtcAdditionalHosts in mediamtx.yml (`r58 mediamtx check`)',
  }
}
