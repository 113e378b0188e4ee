/**
 * NAT mapping behaviour (RFC 4787 §4.1, RFC 5780 §4.3) from what ONE local UDP socket saw: the mapped
 * address each destination reported. Same mapping for every destination = endpoint-independent (direct
 * UDP to a public peer works); a mapping that changes with the destination = symmetric-like NAT (a guest
 * behind it needs TURN). Pure: tested with made-up observations.
 */
import {type Endpoint, formatEndpoint, sameEndpoint} from '../net/endpoint.js'

export interface MappingObservation {
  /** What was asked: a URL, or `OTHER-ADDRESS of <url>` for RFC 5780 tests. */
  via: string
  destination: Endpoint
  /** Undefined when that destination did not answer. */
  mapped?: Endpoint | undefined
}

export type MappingBehaviour =
  | 'endpoint-independent'
  | 'address-dependent'
  | 'address-and-port-dependent'
  /** Changes with the destination, and the observations cannot tell by address or by port. */
  | 'varies-by-destination'
  /** Only one destination answered: not tested. */
  | 'untested'
  /** No destination answered over UDP. */
  | 'no-answer'

export interface MappingVerdict {
  behaviour: MappingBehaviour
  /** True when the mapped address equals the local address (no NAT); null when unknown. */
  nat: boolean | null
  /** One plain-language sentence for people. */
  verdict: string
  /** What the verdict rests on. */
  basis: string
}

const SENTENCES: Record<MappingBehaviour, string> = {
  'endpoint-independent': 'endpoint-independent mapping: direct UDP to a public peer should work',
  'address-dependent':
    'address-dependent mapping (symmetric-like NAT): the mapping varies by destination, so direct UDP between guests usually fails; plan on TURN',
  'address-and-port-dependent':
    'address- and port-dependent mapping (symmetric NAT): the mapping varies by destination, so direct UDP between guests fails; plan on TURN',
  'varies-by-destination':
    'mapping varies by destination (symmetric-like NAT): direct UDP between guests will likely fail; plan on TURN',
  untested:
    'mapping behaviour not tested: only one destination answered (give two STUN URLs, or a server that offers RFC 5780 OTHER-ADDRESS)',
  'no-answer': 'no STUN answer over UDP: UDP may be blocked here; guests will need TURN over TCP or TLS',
}

const key = (e: Endpoint) => formatEndpoint(e)

export function mappingVerdict(observations: readonly MappingObservation[], local?: Endpoint): MappingVerdict {
  const answered = observations.filter((o): o is MappingObservation & {mapped: Endpoint} => o.mapped !== undefined)
  // The same destination asked twice (two URLs naming one server) counts once.
  const byDestination = new Map<string, MappingObservation & {mapped: Endpoint}>()
  for (const o of answered) if (!byDestination.has(key(o.destination))) byDestination.set(key(o.destination), o)
  const distinct = [...byDestination.values()]
  const nat = answered.length === 0 || !local ? null : !answered.every((o) => sameEndpoint(o.mapped, local))
  const make = (behaviour: MappingBehaviour, basis: string): MappingVerdict => {
    const noNat = nat === false && behaviour === 'endpoint-independent'
    return {
      behaviour,
      nat,
      verdict: noNat
        ? `${SENTENCES[behaviour]} (no NAT: the mapped address is the local address)`
        : SENTENCES[behaviour],
      basis,
    }
  }
  if (distinct.length === 0) return make('no-answer', `${observations.length} destination(s) asked, none answered`)
  if (distinct.length === 1) {
    const only = distinct[0] as MappingObservation & {mapped: Endpoint}
    return make('untested', `only ${key(only.destination)} answered (mapped ${key(only.mapped)})`)
  }
  const mappings = new Set(distinct.map((o) => key(o.mapped)))
  const list = distinct.map((o) => `${key(o.destination)} → ${key(o.mapped)}`).join('; ')
  if (mappings.size === 1)
    return make('endpoint-independent', `same mapping from ${distinct.length} destinations: ${list}`)
  // Pairs of destinations on the same IP but different ports say whether the port matters.
  let sameAddressPairs = 0
  let portMatters = false
  for (const [i, a] of distinct.entries()) {
    for (const b of distinct.slice(i + 1)) {
      if (a.destination.address !== b.destination.address) continue
      sameAddressPairs += 1
      if (!sameEndpoint(a.mapped, b.mapped)) portMatters = true
    }
  }
  if (sameAddressPairs === 0) return make('varies-by-destination', list)
  return make(portMatters ? 'address-and-port-dependent' : 'address-dependent', list)
}
